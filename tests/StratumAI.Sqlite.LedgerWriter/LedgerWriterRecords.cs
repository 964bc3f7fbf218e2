using System.Globalization;

namespace StratumAI.Sqlite.LedgerWriter;

/// <summary>The deterministic records the writer appends; the tests compute the same ones.</summary>
public static class LedgerWriterRecords
{
    public static CostRecord For(long n) => new()
    {
        Id = IdOf(n),
        Timestamp = new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero).AddSeconds(n),
        ProviderId = "openai",
        ModelId = "gpt-4o",
        Tags = ["crash-test", n % 2 == 0 ? "even" : "odd"],
        Caller = "writer",
        InputTokens = 1_000,
        OutputTokens = 100,
        HasUsage = true,

        // gpt-4o: 1,000 × $2.50/1M + 100 × $10/1M.
        Cost = new CallCost(0.0025m, 0m, 0m, 0.001m, 0m),
    };

    public static Guid IdOf(long n) => Guid.ParseExact("00000000-0000-4000-8000-" + n.ToString("D12", CultureInfo.InvariantCulture), "D");
}
