namespace StratumAI;

/// <summary>An <see cref="ICostLedger"/> that keeps records in memory, for tests and single-process apps that need no persistence.</summary>
/// <remarks>
/// Thread-safe, and lock-free for the calls that append: a record goes into a concurrent queue, and the queue is folded into
/// the stored records (where duplicates are dropped) by the next query, or by an appending thread that finds many records
/// waiting and nobody else folding — it never waits. A query sees every record whose append completed before it began.
/// Idempotent by <see cref="CostRecord.Id"/>. Nothing survives the process; use <c>SqliteCostLedger</c> (package <c>StratumAI.Sqlite</c>)
/// to keep records across restarts. Queries scan every record.
/// </remarks>
public sealed class InMemoryCostLedger : ICostLedger
{
    private readonly RecordInbox _inbox;
    private readonly List<CostRecord> _records = [];
    private readonly HashSet<Guid> _ids = [];

    /// <summary>Creates an empty ledger.</summary>
    public InMemoryCostLedger()
    {
        _inbox = new RecordInbox(Apply);
    }

    /// <summary>How many distinct records are stored.</summary>
    public int Count
    {
        get
        {
            lock (_inbox.Gate)
            {
                _inbox.Fold();
                return _records.Count;
            }
        }
    }

    /// <inheritdoc />
    public ValueTask AppendAsync(CostRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        _inbox.Post(record);

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

    private List<CostRecord> Select(DateTimeOffset? since, DateTimeOffset? until)
    {
        lock (_inbox.Gate)
        {
            _inbox.Fold();
            return _records.Where(r => CostGroupingKeys.InRange(r.Timestamp, since, until)).ToList();
        }
    }

    // Under the inbox's gate: stores a waiting record when its id is new, in append order.
    private void Apply(CostRecord record)
    {
        if (_ids.Add(record.Id))
        {
            _records.Add(record);
        }
    }
}
