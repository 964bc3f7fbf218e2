using StackExchange.Redis;

namespace StratumAI.Redis.Tests;

public sealed class RedisStoreNameTests
{
    [Fact]
    public async Task Describe_NamesTheEndpointAndPrefix_NeverThePassword()
    {
        var options = ConfigurationOptions.Parse(RedisTestServer.Configuration);
        options.Password = "s3cr3t-password";
        options.User = "stratum-user";
        options.AbortOnConnectFail = false;
        await using var connection = await ConnectionMultiplexer.ConnectAsync(options);

        var name = RedisStoreName.Describe(connection, "stratum:budgets");

        Assert.StartsWith("Redis ", name, StringComparison.Ordinal);
        Assert.Contains(":" + ((System.Net.IPEndPoint)options.EndPoints[0]).Port, name, StringComparison.Ordinal);
        Assert.Contains("'stratum:budgets'", name, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", name, StringComparison.Ordinal);
        Assert.DoesNotContain("stratum-user", name, StringComparison.Ordinal);
    }
}
