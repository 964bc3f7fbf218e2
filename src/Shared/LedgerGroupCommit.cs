using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace StratumAI;

/// <summary>
/// Group commit for a durable ledger (compiled into StratumAI.Sqlite and StratumAI.Postgres from src/Shared): appends queue
/// their records; one writer at a time commits what is queued. An append whose record a writer before it committed only
/// waits for that outcome, so concurrent appends share commits instead of queueing for one each.
/// </summary>
/// <remarks>
/// Cancellation is honoured while an append waits for the writer and its record is still queued (nothing is stored);
/// once a writer took the record, the append completes with the write's outcome, so a billed call is not dropped half-way.
/// </remarks>
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "The SemaphoreSlim's wait handle is never created (AvailableWaitHandle is not read), so there is nothing to dispose; appends racing a disposed ledger must still get ObjectDisposedException from the ledger, not from the semaphore.")]
internal sealed class LedgerGroupCommit(Func<Task> commitQueued)
{
    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly ConcurrentQueue<PendingAppend> _pending = new();

    /// <summary>Appends waiting for a writer to take them.</summary>
    public int Queued => _pending.Count;

    /// <summary>Whether a writer is committing.</summary>
    public bool WriterBusy => _writer.CurrentCount == 0;

    /// <summary>
    /// Queues an append and completes once its record is committed: by a writer before it, or by this caller, which becomes
    /// the writer and runs the ledger's commit of what is queued until its own record is done.
    /// </summary>
    public async ValueTask AppendAsync(PendingAppend mine, CancellationToken cancellationToken)
    {
        _pending.Enqueue(mine);
        try
        {
            await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (mine.TryCancel())
        {
            // Still queued: no writer will take it, so nothing is stored.
            throw;
        }
        catch (OperationCanceledException)
        {
            // The writer of an earlier append already took this record: its outcome is ours.
            await mine.Completion.ConfigureAwait(false);
            return;
        }

        try
        {
            // Commit what is queued, this record included, unless the writer before us already did.
            while (!mine.Completion.IsCompleted)
            {
                await commitQueued().ConfigureAwait(false);
            }
        }
        finally
        {
            _writer.Release();
        }

        await mine.Completion.ConfigureAwait(false);
    }

    /// <summary>Moves queued appends into a batch, up to <paramref name="max"/> records; a record whose caller cancelled while it waited is skipped (that caller was told nothing was stored).</summary>
    public void TakeQueued(List<PendingAppend> batch, int max)
    {
        while (batch.Count < max && _pending.TryDequeue(out var pending))
        {
            if (pending.TryTake())
            {
                batch.Add(pending);
            }
        }
    }

    /// <summary>Becomes the writer (waits for a commit in progress), e.g. to close the ledger.</summary>
    public Task EnterWriterAsync() => _writer.WaitAsync();

    /// <summary>Becomes the writer (waits for a commit in progress), blocking.</summary>
    public void EnterWriter() => _writer.Wait();

    /// <summary>Stops being the writer.</summary>
    public void ExitWriter() => _writer.Release();
}

/// <summary>An append waiting for a writer: queued, then taken by the writer that commits it, or cancelled by its caller first.</summary>
/// <param name="record">The record.</param>
/// <param name="deadline">A <see cref="System.Diagnostics.Stopwatch"/> timestamp after which a ledger that retries stops retrying this record.</param>
internal sealed class PendingAppend(CostRecord record, long deadline = long.MaxValue)
{
    private const int Queued = 0, Taken = 1, Cancelled = 2;
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _state;

    public CostRecord Record => record;

    public long Deadline => deadline;

    public Task Completion => _done.Task;

    public bool TryTake() => Interlocked.CompareExchange(ref _state, Taken, Queued) == Queued;

    public bool TryCancel() => Interlocked.CompareExchange(ref _state, Cancelled, Queued) == Queued;

    public void Complete() => _done.TrySetResult();

    public void Fail(Exception error) => _done.TrySetException(error);
}
