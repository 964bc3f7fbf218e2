
namespace StratumAI;

/// <summary>
/// What the StratumAI dialects below did during one call: how many times they were about to send, how many requests they
/// handed to <see cref="HttpClient"/>, and how many of those ended in a way a provider does not bill (an HTTP error status,
/// a connection that was never established). Money middleware (budget, cost tracking) compare the counts before and after
/// an attempt to know whether a request left the process with its outcome unknown: a provider may have billed it.
/// </summary>
/// <remarks>
/// <para>Ambient through an <see cref="AsyncLocal{T}"/>, one mutable instance per call: the outermost middleware that needs it
/// creates it (<see cref="Enter"/>), middleware nested below reuse it, and each takes a <see cref="Mark"/> at entry and compares
/// on the way out. That is what makes nesting and retries work (each attempt goes through the middleware again with a mark of
/// its own). The counts only grow, with interlocked increments: attempts running concurrently under one scope can only make a
/// middleware more conservative, never less.</para>
/// <para>Internal on purpose, until a typed call context replaces it (issue 11).</para>
/// </remarks>
internal sealed class CallScope
{
    private static readonly AsyncLocal<CallScope?> Ambient = new();

    private int _reached;
    private int _sent;
    private int _unbilled;

    /// <summary>The scope of the call running on this flow, or null when no money middleware is above.</summary>
    public static CallScope? Current => Ambient.Value;

    /// <summary>
    /// The worst case the budget above reserved for its latest attempt, so that cost tracking below records the same estimate
    /// the budget charged; null when no budget is above.
    /// </summary>
    public BudgetEstimate? Estimate { get; set; }

    /// <summary>The scope of the current call, created (and made ambient for the callee) when there is none yet.</summary>
    public static CallScope Enter()
    {
        if (Ambient.Value is { } scope)
        {
            return scope;
        }

        scope = new CallScope();
        Ambient.Value = scope;
        return scope;
    }

    /// <summary>A dialect is about to send (whether or not it then does).</summary>
    public void MarkReached() => Interlocked.Increment(ref _reached);

    /// <summary>A request was handed to <see cref="HttpClient"/>: from here on it may reach the provider.</summary>
    public void MarkSent() => Interlocked.Increment(ref _sent);

    /// <summary>A sent request ended in a way the provider does not bill: an HTTP error status, or no connection at all.</summary>
    public void MarkUnbilled() => Interlocked.Increment(ref _unbilled);

    /// <summary>The counts now, to compare with later.</summary>
    public Mark Snapshot() => new(Volatile.Read(ref _reached), Volatile.Read(ref _sent), Volatile.Read(ref _unbilled));

    /// <summary>How many requests were sent since <paramref name="since"/> whose outcome the provider may bill (not an error status).</summary>
    public int Unsettled(Mark since) => Volatile.Read(ref _sent) - since.Sent - (Volatile.Read(ref _unbilled) - since.Unbilled);

    /// <summary>
    /// True when an attempt that failed with <paramref name="error"/> (null: was abandoned) without reporting usage may have
    /// been billed: a request it sent has no known outcome. When nothing below marked anything, the inner client is not a
    /// StratumAI dialect and whether it sent is unknown: a cancellation or a timeout is then taken as billed (it may have come
    /// after the request left), any other failure as the refusal it usually is.
    /// </summary>
    public bool MayBeBilled(Mark since, Exception? error)
    {
        if (Unsettled(since) > 0)
        {
            return true;
        }

        if (Volatile.Read(ref _sent) != since.Sent || Volatile.Read(ref _reached) != since.Reached)
        {
            return false;
        }

        return error is OperationCanceledException or TimeoutException or StratumTimeoutException;
    }

    /// <summary>The counts of a <see cref="CallScope"/> at one moment.</summary>
    internal readonly record struct Mark(int Reached, int Sent, int Unbilled);
}
