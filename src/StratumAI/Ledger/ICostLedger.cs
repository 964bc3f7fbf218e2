namespace StratumAI;

/// <summary>A durable (or in-memory) store of <see cref="CostRecord"/>s with a query API for cost reports.</summary>
/// <remarks>
/// <para>
/// <see cref="CostTrackingChatClient"/> appends every record it makes to its <see cref="StratumCostTrackingOptions.Ledger"/>
/// and awaits the append before the call returns, so a billed call is in the ledger once the caller sees its result.
/// </para>
/// <para>
/// Appends are idempotent by <see cref="CostRecord.Id"/>: appending a record whose id is already stored changes nothing,
/// so a writer that restarts and re-appends what it may already have written never creates a duplicate.
/// </para>
/// <para>
/// Time ranges are half-open, <c>[since, until)</c>, compared as UTC instants; a null bound is open. Grouping keys follow
/// <see cref="CostTracker"/>: a record without a model or provider id is under the empty string, a record counts once under
/// each of its distinct tags (untagged records are in no tag group), records without a caller are in no caller group, and a
/// day is the record's UTC date as <c>yyyy-MM-dd</c>. Keys are compared ordinally. All money is exact <see cref="decimal"/>.
/// </para>
/// <para>Implementations are thread-safe: any number of concurrent appends and queries.</para>
/// </remarks>
public interface ICostLedger
{
    /// <summary>Stores a record, unless a record with the same <see cref="CostRecord.Id"/> is already stored.</summary>
    /// <param name="record">The record.</param>
    /// <param name="cancellationToken">Cancels the append; the record is then either fully stored or not at all.</param>
    /// <returns>Completes once the record is stored (for a durable ledger: committed).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="record"/> is null.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    /// <exception cref="ObjectDisposedException">The ledger was disposed.</exception>
    ValueTask AppendAsync(CostRecord record, CancellationToken cancellationToken = default);

    /// <summary>The records stamped in a time range, oldest first (records with equal timestamps in the order they were stored).</summary>
    /// <param name="since">The inclusive lower bound, or null for no lower bound.</param>
    /// <param name="until">The exclusive upper bound, or null for no upper bound.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>A snapshot of the matching records.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    /// <exception cref="ObjectDisposedException">The ledger was disposed.</exception>
    ValueTask<IReadOnlyList<CostRecord>> GetRecordsAsync(DateTimeOffset? since = null, DateTimeOffset? until = null, CancellationToken cancellationToken = default);

    /// <summary>The totals over the records stamped in a time range.</summary>
    /// <param name="since">The inclusive lower bound, or null for no lower bound.</param>
    /// <param name="until">The exclusive upper bound, or null for no upper bound.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The totals; <see cref="CostTotals.Empty"/> when no record matches.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    /// <exception cref="ObjectDisposedException">The ledger was disposed.</exception>
    ValueTask<CostTotals> GetTotalAsync(DateTimeOffset? since = null, DateTimeOffset? until = null, CancellationToken cancellationToken = default);

    /// <summary>The totals over the records stamped in a time range, grouped by UTC day, model, provider, tag or caller.</summary>
    /// <param name="groupBy">What to group by.</param>
    /// <param name="since">The inclusive lower bound, or null for no lower bound.</param>
    /// <param name="until">The exclusive upper bound, or null for no upper bound.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The totals per group key (see the remarks of <see cref="ICostLedger"/>), keyed ordinally; empty when no record matches.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="groupBy"/> is not a defined value.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    /// <exception cref="ObjectDisposedException">The ledger was disposed.</exception>
    ValueTask<IReadOnlyDictionary<string, CostTotals>> GetTotalsAsync(CostGrouping groupBy, DateTimeOffset? since = null, DateTimeOffset? until = null, CancellationToken cancellationToken = default);
}

/// <summary>What <see cref="ICostLedger.GetTotalsAsync"/> groups records by.</summary>
public enum CostGrouping
{
    /// <summary>The UTC date of <see cref="CostRecord.Timestamp"/>, as <c>yyyy-MM-dd</c>.</summary>
    Day = 0,

    /// <summary><see cref="CostRecord.ModelId"/>; the empty string when null.</summary>
    Model = 1,

    /// <summary><see cref="CostRecord.ProviderId"/>; the empty string when null.</summary>
    Provider = 2,

    /// <summary>Each distinct entry of <see cref="CostRecord.Tags"/>; untagged records are in no group.</summary>
    Tag = 3,

    /// <summary><see cref="CostRecord.Caller"/>; records without a caller are in no group.</summary>
    Caller = 4,
}
