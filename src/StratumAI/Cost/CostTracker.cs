namespace StratumAI;

/// <summary>Running cost totals and recent history of model calls, grouped by model, provider, tag and caller.</summary>
/// <remarks>
/// <para>
/// Thread-safe and lock-free for the calls that record: <see cref="Record(CostRecord)"/> puts the record into a concurrent
/// queue and returns; the totals are brought up to date from that queue by whoever reads them (and, every thousand or so
/// records, by a recording thread that finds nobody else doing it — it never waits). A read is a consistent snapshot that
/// includes every record whose <see cref="Record(CostRecord)"/> returned before the read began: while no more than
/// <see cref="HistoryCapacity"/> records were added, <see cref="GetTotal"/> equals the sum of <see cref="History"/> exactly,
/// and a record is never in one without the other. All money is <see cref="decimal"/>; nothing is rounded.
/// </para>
/// <para>
/// The totals cover every record ever added. <see cref="History"/> keeps the most recent <see cref="HistoryCapacity"/>
/// records (10,000 by default): a tracker lives as long as the application, and keeping every record made a long-running
/// service's heap grow without end. The durable record of every call is the <see cref="ICostLedger"/>.
/// </para>
/// <para>
/// <see cref="Recorded"/> is raised after the record was added, on the thread that recorded it; handlers must be
/// thread-safe and quick. An exception thrown by a handler propagates to the caller of <see cref="Record(CostRecord)"/>
/// (the record stays recorded).
/// </para>
/// </remarks>
public sealed class CostTracker
{
    /// <summary>How many recent records <see cref="History"/> keeps unless the constructor is given another number.</summary>
    public const int DefaultHistoryCapacity = 10_000;

    private readonly RecordInbox _inbox;

    // Folded state: only touched by the thread holding the inbox's gate. Running sums are updated in place: an immutable
    // CostTotals per group and record would cost four or five allocations on every call. Readers get CostTotals snapshots.
    private readonly Queue<CostRecord> _history = new();
    private readonly RunningTotals _total = new();
    private readonly Dictionary<string, RunningTotals> _byModel = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RunningTotals> _byProvider = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RunningTotals> _byTag = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RunningTotals> _byCaller = new(StringComparer.Ordinal);

    /// <summary>Creates a tracker.</summary>
    /// <param name="timeProvider">The clock for record timestamps; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="historyCapacity">How many of the most recent records <see cref="History"/> keeps; the totals always cover all.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="historyCapacity"/> is negative.</exception>
    public CostTracker(TimeProvider? timeProvider = null, int historyCapacity = DefaultHistoryCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(historyCapacity);
        TimeProvider = timeProvider ?? TimeProvider.System;
        HistoryCapacity = historyCapacity;
        _inbox = new RecordInbox(Apply);
    }

    /// <summary>Raised once for every record, after it was added.</summary>
    public event EventHandler<CostRecordedEventArgs>? Recorded;

    /// <summary>The clock <see cref="CostTrackingChatClient"/> stamps records with.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>How many of the most recent records <see cref="History"/> keeps.</summary>
    public int HistoryCapacity { get; }

    /// <summary>A snapshot of the most recent records (at most <see cref="HistoryCapacity"/>), in the order they were added.</summary>
    public IReadOnlyList<CostRecord> History
    {
        get
        {
            lock (_inbox.Gate)
            {
                _inbox.Fold();
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
        _inbox.Post(record);

        Recorded?.Invoke(this, new CostRecordedEventArgs(record));
    }

    /// <summary>The totals over every record.</summary>
    /// <returns>A snapshot.</returns>
    public CostTotals GetTotal()
    {
        lock (_inbox.Gate)
        {
            _inbox.Fold();
            return _total.ToTotals();
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

    // Under the inbox's gate: moves one posted record into the history and the sums.
    private void Apply(CostRecord record)
    {
        if (HistoryCapacity > 0)
        {
            if (_history.Count == HistoryCapacity)
            {
                _history.Dequeue();
            }

            _history.Enqueue(record);
        }

        _total.Add(record);
        AddTo(_byModel, record.ModelId ?? string.Empty, record);
        AddTo(_byProvider, record.ProviderId ?? string.Empty, record);
        var tags = record.Tags;
        for (var i = 0; i < tags.Count; i++)
        {
            // A tag given twice counts once.
            if (!ContainsBefore(tags, i))
            {
                AddTo(_byTag, tags[i], record);
            }
        }

        if (record.Caller is not null)
        {
            AddTo(_byCaller, record.Caller, record);
        }
    }

    private static void AddTo(Dictionary<string, RunningTotals> groups, string key, CostRecord record)
    {
        if (!groups.TryGetValue(key, out var running))
        {
            running = new RunningTotals();
            groups.Add(key, running);
        }

        running.Add(record);
    }

    private static bool ContainsBefore(IReadOnlyList<string> tags, int index)
    {
        for (var i = 0; i < index; i++)
        {
            if (string.Equals(tags[i], tags[index], StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private Dictionary<string, CostTotals> Snapshot(Dictionary<string, RunningTotals> groups)
    {
        lock (_inbox.Gate)
        {
            _inbox.Fold();
            var snapshot = new Dictionary<string, CostTotals>(groups.Count, StringComparer.Ordinal);
            foreach (var (key, running) in groups)
            {
                snapshot.Add(key, running.ToTotals());
            }

            return snapshot;
        }
    }

    /// <summary>The sums of one group, added to in place; only touched under the inbox's gate.</summary>
    private sealed class RunningTotals
    {
        private decimal _cost;
        private decimal _saved;
        private long _calls;
        private long _failedCalls;
        private long _cacheHits;
        private long _inputTokens;
        private long _outputTokens;
        private long _estimatedCalls;

        public void Add(CostRecord record)
        {
            _cost += record.Total;
            _saved += record.Saved;
            _calls++;
            _failedCalls += record.Succeeded ? 0 : 1;
            _cacheHits += record.IsCacheHit ? 1 : 0;
            _inputTokens += record.InputTokens;
            _outputTokens += record.OutputTokens;
            _estimatedCalls += record.IsEstimated ? 1 : 0;
        }

        public CostTotals ToTotals() =>
            new(_cost, _saved, _calls, _failedCalls, _cacheHits, _inputTokens, _outputTokens) { EstimatedCalls = _estimatedCalls };
    }
}
