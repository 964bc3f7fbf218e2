using System.Collections.Concurrent;

namespace StratumAI;

/// <summary>
/// Where concurrent calls leave cost records without waiting for each other: a lock-free queue that the owner folds into
/// its own state under <see cref="Gate"/>. Readers fold before they read; a writer folds only when many records are waiting
/// and nobody else holds the gate (<see cref="Monitor.TryEnter(object)"/>, never a wait), so the queue stays short without
/// a reader. Used by <see cref="CostTracker"/> and <see cref="InMemoryCostLedger"/> (issue 18: their locks were queues
/// every call joined).
/// </summary>
internal sealed class RecordInbox
{
    /// <summary>How many waiting records make a writer try to fold.</summary>
    public const int FoldThreshold = 1024;

    private readonly ConcurrentQueue<CostRecord> _queue = new();
    private int _waiting;

    /// <summary>The owner's lock for its folded state; held by readers and by a folding writer, never by a posting one.</summary>
    public object Gate { get; } = new();

    /// <summary>Leaves a record; true when the writer should try to fold.</summary>
    public bool Post(CostRecord record)
    {
        _queue.Enqueue(record);
        return Interlocked.Increment(ref _waiting) >= FoldThreshold;
    }

    /// <summary>Takes the oldest waiting record; call only while holding <see cref="Gate"/>.</summary>
    public bool TryTake(out CostRecord record)
    {
        if (_queue.TryDequeue(out record!))
        {
            Interlocked.Decrement(ref _waiting);
            return true;
        }

        return false;
    }
}
