namespace StratumAI.Tests.Ledger;

/// <summary>Records for ledger tests: 100 input and 10 output tokens, $0.000001 input plus the given output cost. Shared with StratumAI.Sqlite.Tests (linked).</summary>
internal static class LedgerTestRecords
{
    public static CostRecord Record(DateTimeOffset at, decimal output, string? model = "gpt-4o", string? provider = "openai", string[]? tags = null, string? caller = null, CostOutcome outcome = CostOutcome.Succeeded) => new()
    {
        Timestamp = at,
        ModelId = model,
        ProviderId = provider,
        Tags = tags ?? [],
        Caller = caller,
        InputTokens = 100,
        OutputTokens = 10,
        HasUsage = true,
        Cost = new CallCost(0.000001m, 0m, 0m, output, 0m),
        Outcome = outcome,
    };
}
