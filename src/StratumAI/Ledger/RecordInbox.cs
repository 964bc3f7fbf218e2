using System.Collections.Concurrent;

namespace StratumAI;

/// <summary>
/// Where concurrent calls leave cost records without waiting for each other: a lock-free queue that is folded into its
/// owner's state, one record at a time through the owner's <c>apply</c>, under <see cref="Gate"/>. Readers fold before they
/// read; a writer folds only when many records are waiting and nobody else holds the gate (<see cref="Monitor.TryEnter(object)"/>,
/// never a wait), so the queue stays short without a reader. Used by <see cref="CostTracker"/> and
/// <see cref="InMemoryCostLedger"/> (issue 18: their locks were queues every call joined).
/// </summary>
internal sealed class RecordInbox(Action<CostRecord> apply)
{
    /// <summary>How many waiting records make a writer try to fold.</summary>
    public const int FoldThreshold = 1024;

    private readonly ConcurrentQueue<CostRecord> _queue = new();
    private int _waiting;

    /// <summary>The owner's lock for its folded state; held by readers and by a folding writer, never by a posting one.</summary>
    public object Gate { get; } = new();

    /// <summary>Leaves a record, and folds the queue when many wait and nobody else is folding.</summary>
    public void Post(CostRecord record)
    {
        _queue.Enqueue(record);
        if (Interlocked.Increment(ref _waiting) >= FoldThreshold && Monitor.TryEnter(Gate))
        {
            try
            {
                Fold();
            }
            finally
            {
                Monitor.Exit(Gate);
            }
        }
    }

    /// <summary>Applies every waiting record, oldest first; call only while holding <see cref="Gate"/>.</summary>
    public void Fold()
    {
        while (_queue.TryDequeue(out var record))
        {
            Interlocked.Decrement(ref _waiting);
            apply(record);
        }
    }
}
