using Microsoft.Extensions.AI;

namespace StratumAI;

/// <summary>How a recorded attempt ended.</summary>
public enum CostOutcome
{
    /// <summary>The call returned a response, or the stream ran to its end.</summary>
    Succeeded = 0,

    /// <summary>
    /// The call or stream failed with an exception after the provider had started billing, or after its request was sent with
    /// an outcome nobody knows (cancelled, timed out, cut off: then <see cref="CostRecord.IsEstimated"/>).
    /// </summary>
    Failed = 1,

    /// <summary>The caller stopped reading a stream (disposed it) before its end.</summary>
    Abandoned = 2,
}

/// <summary>One billed attempt at a model call, as recorded by <see cref="CostTracker"/>. Immutable.</summary>
/// <remarks>
/// Token counts follow <see cref="StratumUsageKeys"/>' conventions: <see cref="InputTokens"/> is the whole prompt
/// (cached and cache-write tokens included) and <see cref="OutputTokens"/> the whole output (reasoning included).
/// Instances are immutable and safe to share between threads.
/// </remarks>
public sealed record CostRecord
{
    private readonly IReadOnlyList<string> _tags = [];

    /// <summary>
    /// The record's stable identity: a new <see cref="Guid"/> for each new record, kept by <c>with</c> copies.
    /// An <see cref="ICostLedger"/> stores each id once, so appending the same record again is harmless.
    /// </summary>
    public Guid Id { get; init; } = Guid.NewGuid();

    /// <summary>When the attempt was recorded, from the tracker's <see cref="TimeProvider"/>.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>The catalog id of the provider (e.g. <c>openai</c>), or null when unknown.</summary>
    public string? ProviderId { get; init; }

    /// <summary>The model id, or null when unknown.</summary>
    public string? ModelId { get; init; }

    /// <summary>The tags of the call (<see cref="StratumOptionKeys.Tags"/>); empty when none. Never null; a copy of what was given.</summary>
    public IReadOnlyList<string> Tags
    {
        get => _tags;
        init => _tags = value is null ? [] : [.. value];
    }

    /// <summary>Who made the call (<see cref="StratumOptionKeys.Caller"/>), or null when not given.</summary>
    public string? Caller { get; init; }

    /// <summary>Prompt tokens, cached and cache-write tokens included.</summary>
    public long InputTokens { get; init; }

    /// <summary>Prompt tokens read from the provider's cache.</summary>
    public long CachedInputTokens { get; init; }

    /// <summary>Prompt tokens written to the provider's cache.</summary>
    public long CacheWriteInputTokens { get; init; }

    /// <summary>Output tokens, reasoning tokens included.</summary>
    public long OutputTokens { get; init; }

    /// <summary>Reasoning tokens (part of <see cref="OutputTokens"/>).</summary>
    public long ReasoningTokens { get; init; }

    /// <summary>True when the provider reported token usage for the attempt; false when none was seen (the counts are then zero).</summary>
    public bool HasUsage { get; init; }

    /// <summary>What the attempt cost. <see cref="CallCost.Zero"/> for a cache hit or when it could not be priced (see <see cref="IsPriced"/>).</summary>
    public CallCost Cost { get; init; } = CallCost.Zero;

    /// <summary>
    /// True when the cost is known: taken from the response or computed from the catalog prices, an estimate
    /// (<see cref="IsEstimated"/>), or a cache hit. False when no <see cref="ModelInfo"/> was available to price the reported
    /// usage, or to estimate an attempt that reported none.
    /// </summary>
    public bool IsPriced { get; init; } = true;

    /// <summary>
    /// True when the provider reported no usage for an attempt it may have billed — a request sent and then cancelled, timed out
    /// or cut off (a stream ended before its usage), or a response or stream that carried no usage — so <see cref="Cost"/> is an
    /// estimate: the worst case a <c>BudgetChatClient</c> reserves for the attempt (<c>BudgetEstimate</c>), the amount the budget
    /// charges for it, input and output priced at the highest prices the model can charge. The token counts are then zero and
    /// <see cref="HasUsage"/> false. False when the cost comes from reported usage (or the record is a cache hit).
    /// </summary>
    public bool IsEstimated { get; init; }

    /// <summary>How the attempt ended.</summary>
    public CostOutcome Outcome { get; init; }

    /// <summary>True when <see cref="Outcome"/> is <see cref="CostOutcome.Succeeded"/>.</summary>
    public bool Succeeded => Outcome == CostOutcome.Succeeded;

    /// <summary>The full name of the exception type that ended a failed attempt, or null.</summary>
    public string? ErrorType { get; init; }

    /// <summary>True when the response came from a response cache (<see cref="StratumUsageKeys.CacheHit"/>); it then costs $0.</summary>
    public bool IsCacheHit { get; init; }

    /// <summary>For a cache hit, what the call would have cost at the provider; otherwise zero.</summary>
    public decimal Saved { get; init; }

    /// <summary>The provider's request id, when known.</summary>
    public string? RequestId { get; init; }

    /// <summary>The whole cost of the attempt, in USD (<see cref="CallCost.Total"/>).</summary>
    public decimal Total => Cost.Total;

    /// <summary>Fills the token counts of a record from usage details.</summary>
    /// <param name="usage">The usage, or null for none.</param>
    /// <returns>A copy of this record with the counts set and <see cref="HasUsage"/> true when <paramref name="usage"/> is not null.</returns>
    public CostRecord WithUsage(UsageDetails? usage)
    {
        if (usage is null)
        {
            return this with { HasUsage = false, InputTokens = 0, CachedInputTokens = 0, CacheWriteInputTokens = 0, OutputTokens = 0, ReasoningTokens = 0 };
        }

        return this with
        {
            HasUsage = true,
            InputTokens = usage.InputTokenCount ?? 0,
            CachedInputTokens = usage.CachedInputTokenCount ?? 0,
            CacheWriteInputTokens = CacheWriteTokens(usage),
            OutputTokens = usage.OutputTokenCount ?? 0,
            ReasoningTokens = usage.ReasoningTokenCount ?? 0,
        };
    }

    /// <summary>The cache-write input tokens of <paramref name="usage"/> (<see cref="StratumUsageKeys.CacheWriteInputTokens"/>), or 0.</summary>
    internal static long CacheWriteTokens(UsageDetails usage) =>
        usage.AdditionalCounts is { } counts && counts.TryGetValue(StratumUsageKeys.CacheWriteInputTokens, out var written) ? written : 0;
}

/// <summary>Totals over a group of <see cref="CostRecord"/>s. Immutable.</summary>
/// <param name="Cost">The summed cost, in USD, exact.</param>
/// <param name="Saved">The summed savings of cache hits, in USD.</param>
/// <param name="Calls">How many attempts were recorded.</param>
/// <param name="FailedCalls">How many of them failed or were abandoned.</param>
/// <param name="CacheHits">How many of them were cache hits.</param>
/// <param name="InputTokens">The summed prompt tokens.</param>
/// <param name="OutputTokens">The summed output tokens.</param>
public sealed record CostTotals(decimal Cost, decimal Saved, long Calls, long FailedCalls, long CacheHits, long InputTokens, long OutputTokens)
{
    /// <summary>No calls.</summary>
    public static CostTotals Empty { get; } = new(0m, 0m, 0, 0, 0, 0, 0);

    /// <summary>How many of the attempts were costed at an estimate (<see cref="CostRecord.IsEstimated"/>); their estimates are part of <see cref="Cost"/>.</summary>
    public long EstimatedCalls { get; init; }

    /// <summary>These totals plus one record.</summary>
    /// <param name="record">The record to add.</param>
    /// <returns>The new totals.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="record"/> is null.</exception>
    public CostTotals Add(CostRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new(
            Cost + record.Total,
            Saved + record.Saved,
            Calls + 1,
            FailedCalls + (record.Succeeded ? 0 : 1),
            CacheHits + (record.IsCacheHit ? 1 : 0),
            InputTokens + record.InputTokens,
            OutputTokens + record.OutputTokens)
        {
            EstimatedCalls = EstimatedCalls + (record.IsEstimated ? 1 : 0),
        };
    }
}

/// <summary>Data of <see cref="CostTracker.Recorded"/>.</summary>
/// <param name="record">The record just added.</param>
public sealed class CostRecordedEventArgs(CostRecord record) : EventArgs
{
    /// <summary>The record just added.</summary>
    public CostRecord Record { get; } = record;
}
