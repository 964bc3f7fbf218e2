namespace StratumAI;

/// <summary>How a batch is submitted, waited for and accounted.</summary>
public sealed class StratumBatchOptions
{
    /// <summary>How long <see cref="StratumBatch.WaitAsync"/> waits between two polls. Default 30 seconds; at least zero.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The clock polls wait on (a <c>FakeTimeProvider</c> in tests). Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// The budget the batch reserves its worst case in before anything is sent (every request's worst case at the model's
    /// batch prices), settled to what the results cost once they are read; null for none.
    /// </summary>
    public BudgetManager? Budget { get; set; }

    /// <summary>The tracker every result's <see cref="CostRecord"/> is given to; null for none.</summary>
    public CostTracker? CostTracker { get; set; }

    /// <summary>The ledger every result's <see cref="CostRecord"/> is appended to; null for none.</summary>
    public ICostLedger? Ledger { get; set; }

    /// <summary>
    /// The tags of the batch's records and reservation (with <see cref="StratumBatch.CostTag"/> always added, so reports and
    /// budgets can tell batch spend apart). Default none.
    /// </summary>
    public IReadOnlyList<string> Tags { get; set; } = [];

    /// <summary>The caller the records and reservation are charged to (an opaque user id, never a secret), or null.</summary>
    public string? Caller { get; set; }

    /// <summary>Key-value metadata stored with the batch by providers that keep it (OpenAI: at most 16 pairs); null for none.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; set; }

    /// <summary>Tokens each image or file attachment counts in the worst case (as <see cref="StratumBudgetOptions.TokensPerAttachment"/>). Default 2,000.</summary>
    public int TokensPerAttachment { get; set; } = StratumBudgetOptions.DefaultTokensPerAttachment;
}
