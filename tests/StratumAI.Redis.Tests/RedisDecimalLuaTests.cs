using System.Globalization;
using StackExchange.Redis;

namespace StratumAI.Redis.Tests;

/// <summary>Money inside Redis scripts is exact: the Lua decimal library agrees with <see cref="decimal"/> digit for digit.</summary>
public sealed class RedisDecimalLuaTests
{
    private const string Probe = RedisDecimalLua.Library + """

        local a = dparse(ARGV[1])
        local b = dparse(ARGV[2])
        local diff = '-'
        if dcmp(a, b) >= 0 then diff = dfmt(dsub(a, b)) end
        return { dfmt(dadd(a, b)), diff, dcmp(a, b), dfmt(a) }
        """;

    public static TheoryData<string, string> Pairs => new()
    {
        { "0", "0" },
        { "0.1", "0.2" },
        { "0.000375", "0.0000000000000000000000000001" },
        { "9999999.9999999", "0.0000001" },
        { "1", "0.9999999999999999999999999999" },
        { "123456789012345678.5", "123456789012345678.5" },
        { "50", "49.99999999999999999999" },
        { "0.00001250", "0.0000125" },
    };

    [Theory]
    [MemberData(nameof(Pairs))]
    public async Task AddSubtractCompareAndFormat_AreExact(string left, string right)
    {
        var redis = await RedisTestServer.GetAsync();
        var a = decimal.Parse(left, CultureInfo.InvariantCulture);
        var b = decimal.Parse(right, CultureInfo.InvariantCulture);

        var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(Probe, values: [left, right]))!;

        Assert.Equal(a + b, RedisDecimalLua.Parse((string?)result[0]));
        Assert.Equal(a.CompareTo(b), (int)result[2]);
        if (a >= b)
        {
            Assert.Equal(a - b, RedisDecimalLua.Parse((string?)result[1]));
        }

        Assert.Equal(a, RedisDecimalLua.Parse((string?)result[3]));
        Assert.DoesNotContain("E", (string?)result[0], StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task ManyRandomCosts_SumToTheDecimalSum()
    {
        var redis = await RedisTestServer.GetAsync();
        var random = new Random(12);
        var sum = 0m;
        var text = "0";
        for (var i = 0; i < 200; i++)
        {
            // Costs as CostCalculator makes them: tokens × a per-million price, many fraction digits.
            var cost = random.Next(1, 200_000) * (random.Next(1, 15_000) / 1000m) / 1_000_000m;
            sum += cost;
            var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(Probe, values: [text, RedisDecimalLua.Format(cost)]))!;
            text = (string)result[0]!;
        }

        Assert.Equal(sum, RedisDecimalLua.Parse(text));
    }

    [Fact]
    public async Task NotADecimal_IsAScriptError()
    {
        var redis = await RedisTestServer.GetAsync();

        var error = await Assert.ThrowsAsync<RedisServerException>(() => redis.GetDatabase().ScriptEvaluateAsync(Probe, values: ["1e5", "1"]));

        Assert.Contains("not a decimal", error.Message, StringComparison.Ordinal);
    }
}
