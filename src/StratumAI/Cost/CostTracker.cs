using System.Numerics;

namespace StratumAI;

/// <summary>Running cost totals and recent history of model calls, grouped by model, provider, tag and caller.</summary>
/// <remarks>
/// <para>
/// Thread-safe and built for many concurrent calls: records are added to one of several shards (one per processor, up to
/// 16), each with its own short lock, so calls on different cores never wait for each other. A read takes every shard's
/// lock at once, so it is a consistent snapshot: while no more than <see cref="HistoryCapacity"/> records were added,
/// <see cref="GetTotal"/> equals the sum of <see cref="History"/> exactly, and a record is never in one without the other.
/// All money is <see cref="decimal"/>; nothing is rounded.
/// </para>
/// <para>
/// The totals cover every record ever added. <see cref="History"/> keeps the most recent <see cref="HistoryCapacity"/>
/// records (10,000 by default): a tracker lives as long as the application, and keeping every record made a long-running
/// service's heap grow without end. The durable record of every call is the <see cref="ICostLedger"/>.
/// </para>
/// <para>
/// <see cref="Recorded"/> is raised after the record was added, outside the lock, on the thread that recorded it;
/// handlers must be thread-safe and quick. An exception thrown by a handler propagates to the caller of
/// <see cref="Record(CostRecord)"/> (the record stays recorded).
/// </para>
/// </remarks>
public sealed class CostTracker
{
    /// <summary>How many recent records <see cref="History"/> keeps unless the constructor is given another number.</summary>
    public const int DefaultHistoryCapacity = 10_000;

    private readonly Shard[] _shards;
    private long _sequence;

    /// <summary>Creates a tracker.</summary>
    /// <param name="timeProvider">The clock for record timestamps; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="historyCapacity">How many of the most recent records <see cref="History"/> keeps; the totals always cover all.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="historyCapacity"/> is negative.</exception>
    public CostTracker(TimeProvider? timeProvider = null, int historyCapacity = DefaultHistoryCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(historyCapacity);
        TimeProvider = timeProvider ?? TimeProvider.System;
        HistoryCapacity = historyCapacity;
        _shards = new Shard[(int)BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(Environment.ProcessorCount, 1, 16))];
        for (var i = 0; i < _shards.Length; i++)
        {
            _shards[i] = new Shard();
        }
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
            var entries = new List<(long Sequence, CostRecord Record)>();
            EnterAll();
            try
            {
                foreach (var shard in _shards)
                {
                    entries.AddRange(shard.History);
                }
            }
            finally
            {
                ExitAll();
            }

            // Each shard keeps its own latest HistoryCapacity records, which include every one of the tracker's latest
            // HistoryCapacity that it holds: sorting the union and keeping the tail gives exactly the latest overall.
            entries.Sort(static (a, b) => a.Sequence.CompareTo(b.Sequence));
            var skip = Math.Max(0, entries.Count - HistoryCapacity);
            var records = new CostRecord[entries.Count - skip];
            for (var i = 0; i < records.Length; i++)
            {
                records[i] = entries[skip + i].Record;
            }

            return records;
        }
    }

    /// <summary>Adds a record to the totals and the history, then raises <see cref="Recorded"/>.</summary>
    /// <param name="record">The record.</param>
    /// <exception cref="ArgumentNullException"><paramref name="record"/> is null.</exception>
    public void Record(CostRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var shard = _shards[Thread.GetCurrentProcessorId() & (_shards.Length - 1)];
        lock (shard)
        {
            // Numbered under the shard's lock, so a reader holding every lock never sees a gap it could later be filled in.
            var sequence = Interlocked.Increment(ref _sequence);
            if (HistoryCapacity > 0)
            {
                if (shard.History.Count == HistoryCapacity)
                {
                    shard.History.Dequeue();
                }

                shard.History.Enqueue((sequence, record));
            }

            shard.Total.Add(record);
            AddTo(shard.ByModel, record.ModelId ?? string.Empty, record);
            AddTo(shard.ByProvider, record.ProviderId ?? string.Empty, record);
            var tags = record.Tags;
            for (var i = 0; i < tags.Count; i++)
            {
                // A tag given twice counts once.
                if (!ContainsBefore(tags, i))
                {
                    AddTo(shard.ByTag, tags[i], record);
                }
            }

            if (record.Caller is not null)
            {
                AddTo(shard.ByCaller, record.Caller, record);
            }
        }

        Recorded?.Invoke(this, new CostRecordedEventArgs(record));
    }

    /// <summary>The totals over every record.</summary>
    /// <returns>A snapshot.</returns>
    public CostTotals GetTotal()
    {
        var total = new RunningTotals();
        EnterAll();
        try
        {
            foreach (var shard in _shards)
            {
                total.Add(shard.Total);
            }
        }
        finally
        {
            ExitAll();
        }

        return total.ToTotals();
    }

    /// <summary>Totals per model id; records without a model id are under the empty string.</summary>
    /// <returns>A snapshot, keyed ordinally.</returns>
    public IReadOnlyDictionary<string, CostTotals> GetTotalsByModel() => Snapshot(static shard => shard.ByModel);

    /// <summary>Totals per provider id; records without a provider id are under the empty string.</summary>
    /// <returns>A snapshot, keyed ordinally.</returns>
    public IReadOnlyDictionary<string, CostTotals> GetTotalsByProvider() => Snapshot(static shard => shard.ByProvider);

    /// <summary>Totals per tag. A record with several tags counts once under each; untagged records are in no group.</summary>
    /// <returns>A snapshot, keyed ordinally.</returns>
    public IReadOnlyDictionary<string, CostTotals> GetTotalsByTag() => Snapshot(static shard => shard.ByTag);

    /// <summary>Totals per caller; records without a caller are in no group.</summary>
    /// <returns>A snapshot, keyed ordinally.</returns>
    public IReadOnlyDictionary<string, CostTotals> GetTotalsByCaller() => Snapshot(static shard => shard.ByCaller);

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

    // Readers hold every shard's lock at once (always in index order, so two readers cannot deadlock): one consistent cut.
    private void EnterAll()
    {
        foreach (var shard in _shards)
        {
            Monitor.Enter(shard);
        }
    }

    private void ExitAll()
    {
        for (var i = _shards.Length - 1; i >= 0; i--)
        {
            Monitor.Exit(_shards[i]);
        }
    }

    private Dictionary<string, CostTotals> Snapshot(Func<Shard, Dictionary<string, RunningTotals>> groupsOf)
    {
        var merged = new Dictionary<string, RunningTotals>(StringComparer.Ordinal);
        EnterAll();
        try
        {
            foreach (var shard in _shards)
            {
                foreach (var (key, running) in groupsOf(shard))
                {
                    if (!merged.TryGetValue(key, out var sum))
                    {
                        merged.Add(key, sum = new RunningTotals());
                    }

                    sum.Add(running);
                }
            }
        }
        finally
        {
            ExitAll();
        }

        var snapshot = new Dictionary<string, CostTotals>(merged.Count, StringComparer.Ordinal);
        foreach (var (key, sum) in merged)
        {
            snapshot.Add(key, sum.ToTotals());
        }

        return snapshot;
    }

    /// <summary>One processor's part of the tracker; its own object is its lock.</summary>
    private sealed class Shard
    {
        public readonly Queue<(long Sequence, CostRecord Record)> History = new();
        public readonly RunningTotals Total = new();

        // Running sums, updated in place under the shard's lock: an immutable CostTotals per group and record would cost four
        // or five allocations on every call. Readers get CostTotals snapshots.
        public readonly Dictionary<string, RunningTotals> ByModel = new(StringComparer.Ordinal);
        public readonly Dictionary<string, RunningTotals> ByProvider = new(StringComparer.Ordinal);
        public readonly Dictionary<string, RunningTotals> ByTag = new(StringComparer.Ordinal);
        public readonly Dictionary<string, RunningTotals> ByCaller = new(StringComparer.Ordinal);
    }

    /// <summary>The sums of one group, added to in place; only touched under its shard's lock (or a reader's own copy).</summary>
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

        public void Add(RunningTotals other)
        {
            _cost += other._cost;
            _saved += other._saved;
            _calls += other._calls;
            _failedCalls += other._failedCalls;
            _cacheHits += other._cacheHits;
            _inputTokens += other._inputTokens;
            _outputTokens += other._outputTokens;
            _estimatedCalls += other._estimatedCalls;
        }

        public CostTotals ToTotals() =>
            new(_cost, _saved, _calls, _failedCalls, _cacheHits, _inputTokens, _outputTokens) { EstimatedCalls = _estimatedCalls };
    }
}
