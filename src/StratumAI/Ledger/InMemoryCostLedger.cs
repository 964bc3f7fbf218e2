using System.Collections.Concurrent;

namespace StratumAI;

/// <summary>An <see cref="ICostLedger"/> that keeps records in memory, for tests and single-process apps that need no persistence.</summary>
/// <remarks>
/// Thread-safe and lock-free on the append path (a concurrent set of ids and a concurrent queue of records), so many
/// concurrent calls never queue behind each other; a query reads a snapshot of the records appended before it. Idempotent by
/// <see cref="CostRecord.Id"/>: a second append of an id returns at once, possibly a moment before the first append's
/// record is visible to queries. Nothing survives the process; use <c>SqliteCostLedger</c> (package <c>StratumAI.Sqlite</c>)
/// to keep records across restarts. Queries scan every record.
/// </remarks>
public sealed class InMemoryCostLedger : ICostLedger
{
    private readonly ConcurrentQueue<CostRecord> _records = new();
    private readonly ConcurrentDictionary<Guid, byte> _ids = new();

    /// <summary>How many distinct records are stored.</summary>
    public int Count => _records.Count;

    /// <inheritdoc />
    public ValueTask AppendAsync(CostRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        if (_ids.TryAdd(record.Id, 0))
        {
            _records.Enqueue(record);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<CostRecord>> GetRecordsAsync(DateTimeOffset? since = null, DateTimeOffset? until = null, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<IReadOnlyList<CostRecord>>(cancellationToken);
        }

        // A stable sort keeps equal timestamps in append order.
        IReadOnlyList<CostRecord> records = Select(since, until).OrderBy(static r => r.Timestamp.UtcTicks).ToArray();
        return ValueTask.FromResult(records);
    }

    /// <inheritdoc />
    public ValueTask<CostTotals> GetTotalAsync(DateTimeOffset? since = null, DateTimeOffset? until = null, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<CostTotals>(cancellationToken);
        }

        var total = CostTotals.Empty;
        foreach (var record in Select(since, until))
        {
            total = total.Add(record);
        }

        return ValueTask.FromResult(total);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyDictionary<string, CostTotals>> GetTotalsAsync(CostGrouping groupBy, DateTimeOffset? since = null, DateTimeOffset? until = null, CancellationToken cancellationToken = default)
    {
        if (!Enum.IsDefined(groupBy))
        {
            throw new ArgumentOutOfRangeException(nameof(groupBy), groupBy, "Not a defined CostGrouping value.");
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<IReadOnlyDictionary<string, CostTotals>>(cancellationToken);
        }

        IReadOnlyDictionary<string, CostTotals> groups = CostGroupingKeys.Group(Select(since, until), groupBy);
        return ValueTask.FromResult(groups);
    }

    // The queue's enumerator is a snapshot in append order.
    private List<CostRecord> Select(DateTimeOffset? since, DateTimeOffset? until) =>
        _records.Where(r => CostGroupingKeys.InRange(r.Timestamp, since, until)).ToList();
}
