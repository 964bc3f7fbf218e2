namespace StratumAI;

/// <summary>Running cost totals and history of model calls, grouped by model, provider, tag and caller.</summary>
/// <remarks>
/// <para>
/// Thread-safe: any number of threads may call <see cref="Record(CostRecord)"/> and read totals at once. Each record is
/// added under one short lock (an append and a few dictionary updates, no I/O, no callbacks), so every read is a
/// consistent snapshot: <see cref="GetTotal"/> always equals the sum of <see cref="History"/> exactly, and a record
/// is never in one without the other. All money is <see cref="decimal"/>; nothing is rounded.
/// </para>
/// <para>
/// <see cref="Recorded"/> is raised after the record was added, outside the lock, on the thread that recorded it;
/// handlers must be thread-safe and quick. An exception thrown by a handler propagates to the caller of
/// <see cref="Record(CostRecord)"/> (the record stays recorded).
/// </para>
/// </remarks>
public sealed class CostTracker
{
    private readonly object _gate = new();
    private readonly List<CostRecord> _history = [];
    private readonly Dictionary<string, CostTotals> _byModel = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CostTotals> _byProvider = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CostTotals> _byTag = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CostTotals> _byCaller = new(StringComparer.Ordinal);
    private CostTotals _total = CostTotals.Empty;

    /// <summary>Creates a tracker.</summary>
    /// <param name="timeProvider">The clock for record timestamps; <see cref="TimeProvider.System"/> when null.</param>
    public CostTracker(TimeProvider? timeProvider = null)
    {
        TimeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Raised once for every record, after it was added.</summary>
    public event EventHandler<CostRecordedEventArgs>? Recorded;

    /// <summary>The clock <see cref="CostTrackingChatClient"/> stamps records with.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>A snapshot of every record, in the order they were added.</summary>
    public IReadOnlyList<CostRecord> History
    {
        get
        {
            lock (_gate)
            {
                return _history.ToArray();
            }
        }
    }

    /// <summary>Adds a record to the totals and the history, then raises <see cref="Recorded"/>.</summary>
    /// <param name="record">The record.</param>
    /// <exception cref="ArgumentNullException"><paramref name="record"/> is null.</exception>
    public void Record(CostRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (_gate)
        {
            _history.Add(record);
            _total = _total.Add(record);
            AddTo(_byModel, record.ModelId ?? string.Empty, record);
            AddTo(_byProvider, record.ProviderId ?? string.Empty, record);
            foreach (var tag in record.Tags.Distinct(StringComparer.Ordinal))
            {
                AddTo(_byTag, tag, record);
            }

            if (record.Caller is not null)
            {
                AddTo(_byCaller, record.Caller, record);
            }
        }

        Recorded?.Invoke(this, new CostRecordedEventArgs(record));
    }

    /// <summary>The totals over every record.</summary>
    /// <returns>A snapshot.</returns>
    public CostTotals GetTotal()
    {
        lock (_gate)
        {
            return _total;
        }
    }

    /// <summary>Totals per model id; records without a model id are under the empty string.</summary>
    /// <returns>A snapshot, keyed ordinally.</returns>
    public IReadOnlyDictionary<string, CostTotals> GetTotalsByModel() => Snapshot(_byModel);

    /// <summary>Totals per provider id; records without a provider id are under the empty string.</summary>
    /// <returns>A snapshot, keyed ordinally.</returns>
    public IReadOnlyDictionary<string, CostTotals> GetTotalsByProvider() => Snapshot(_byProvider);

    /// <summary>Totals per tag. A record with several tags counts once under each; untagged records are in no group.</summary>
    /// <returns>A snapshot, keyed ordinally.</returns>
    public IReadOnlyDictionary<string, CostTotals> GetTotalsByTag() => Snapshot(_byTag);

    /// <summary>Totals per caller; records without a caller are in no group.</summary>
    /// <returns>A snapshot, keyed ordinally.</returns>
    public IReadOnlyDictionary<string, CostTotals> GetTotalsByCaller() => Snapshot(_byCaller);

    private static void AddTo(Dictionary<string, CostTotals> groups, string key, CostRecord record) =>
        groups[key] = (groups.TryGetValue(key, out var current) ? current : CostTotals.Empty).Add(record);

    private Dictionary<string, CostTotals> Snapshot(Dictionary<string, CostTotals> groups)
    {
        lock (_gate)
        {
            return new Dictionary<string, CostTotals>(groups, StringComparer.Ordinal);
        }
    }
}
