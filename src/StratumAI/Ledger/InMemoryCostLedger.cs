namespace StratumAI;

/// <summary>An <see cref="ICostLedger"/> that keeps records in memory, for tests and single-process apps that need no persistence.</summary>
/// <remarks>
/// Thread-safe: every append and query takes one short lock, so queries see consistent snapshots. Idempotent by
/// <see cref="CostRecord.Id"/>. Nothing survives the process; use <c>SqliteCostLedger</c> (package <c>StratumAI.Sqlite</c>)
/// to keep records across restarts. Queries scan every record.
/// </remarks>
public sealed class InMemoryCostLedger : ICostLedger
{
    private readonly object _gate = new();
    private readonly List<CostRecord> _records = [];
    private readonly HashSet<Guid> _ids = [];

    /// <summary>How many distinct records are stored.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
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

        lock (_gate)
        {
            if (_ids.Add(record.Id))
            {
                _records.Add(record);
            }
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

    private List<CostRecord> Select(DateTimeOffset? since, DateTimeOffset? until)
    {
        lock (_gate)
        {
            return _records.Where(r => CostGroupingKeys.InRange(r.Timestamp, since, until)).ToList();
        }
    }
}
