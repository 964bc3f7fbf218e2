using System.Globalization;
using Polly;
using Polly.CircuitBreaker;

namespace StratumAI;

/// <summary>
/// The circuit breaker of one provider, without a lock. Polly's own breaker takes a lock on every call (before and after
/// it), and one provider's breaker is shared by every call to it: under load that lock was a queue every call joined
/// (issue 18). This one keeps the same rules with compare-and-swap and interlocked counters:
/// <list type="bullet">
/// <item>Closed: outcomes are counted in a rolling window of <c>SamplingDuration</c> (ten slots); when a counted failure
/// brings the window to at least <c>MinimumThroughput</c> calls and a failure ratio of at least <c>FailureRatio</c>, the
/// circuit opens.</item>
/// <item>Open: every call is refused with Polly's <see cref="BrokenCircuitException"/> (its <c>RetryAfter</c> is the time
/// left) until <c>BreakDuration</c> has passed.</item>
/// <item>Half-open: the first call after that is the one trial; the others are refused while it runs. Its success closes
/// the circuit with a fresh window; its failure opens it again.</item>
/// </list>
/// Counts in the window are a health signal, not money: an outcome recorded in the instant a slot is recycled may be lost.
/// </summary>
internal sealed class ProviderCircuit
{
    private const int Closed = 0;
    private const int Open = 1;
    private const int HalfOpen = 2;
    private const int SlotCount = 10;

    private readonly double _failureRatio;
    private readonly int _minimumThroughput;
    private readonly long _slotTicks;
    private readonly TimeSpan _breakDuration;
    private readonly TimeProvider _time;
    private readonly Action<TimeSpan, Exception?>? _onOpened;
    private readonly Slot?[] _slots = new Slot?[SlotCount];
    private int _state;
    private long _openUntilTicks;
    private int _trialRunning;

    public ProviderCircuit(double failureRatio, int minimumThroughput, TimeSpan samplingDuration, TimeSpan breakDuration, TimeProvider time, Action<TimeSpan, Exception?>? onOpened)
    {
        if (failureRatio is <= 0 or > 1 || double.IsNaN(failureRatio))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The resilience options are invalid: CircuitBreakerFailureRatio must be in (0, 1], not {failureRatio}."));
        }

        if (minimumThroughput < 2)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The resilience options are invalid: CircuitBreakerMinimumThroughput must be at least 2, not {minimumThroughput}."));
        }

        if (samplingDuration < TimeSpan.FromMilliseconds(500) || breakDuration < TimeSpan.FromMilliseconds(500) || samplingDuration > TimeSpan.FromDays(1) || breakDuration > TimeSpan.FromDays(1))
        {
            throw new ArgumentException("The resilience options are invalid: CircuitBreakerSamplingDuration and CircuitBreakerBreakDuration must be between 0.5 s and one day.");
        }

        _failureRatio = failureRatio;
        _minimumThroughput = minimumThroughput;
        _slotTicks = Math.Max(1, samplingDuration.Ticks / SlotCount);
        _breakDuration = breakDuration;
        _time = time;
        _onOpened = onOpened;
    }

    /// <summary>The state as Polly names it.</summary>
    public CircuitState State => Volatile.Read(ref _state) switch
    {
        Open => CircuitState.Open,
        HalfOpen => CircuitState.HalfOpen,
        _ => CircuitState.Closed,
    };

    /// <summary>Lets a call through, or returns the exception that refuses it.</summary>
    /// <param name="isTrial">True when the call is the half-open trial; pass it to <see cref="Record"/>.</param>
    public BrokenCircuitException? TryEnter(out bool isTrial)
    {
        isTrial = false;
        var state = Volatile.Read(ref _state);
        if (state == Closed)
        {
            return null;
        }

        var now = _time.GetUtcNow().UtcTicks;
        var until = Volatile.Read(ref _openUntilTicks);
        if (state == Open && now >= until && Interlocked.CompareExchange(ref _trialRunning, 1, 0) == 0)
        {
            if (Interlocked.CompareExchange(ref _state, HalfOpen, Open) == Open)
            {
                isTrial = true;
                return null;
            }

            Volatile.Write(ref _trialRunning, 0);
        }

        var retryAfter = TimeSpan.FromTicks(Math.Max(0, until - now));
        return new BrokenCircuitException("The circuit is now open and is not allowing calls.", retryAfter);
    }

    /// <summary>Counts a finished call.</summary>
    /// <param name="failed">Whether it failed in a way that counts against the provider.</param>
    /// <param name="isTrial">What <see cref="TryEnter"/> said.</param>
    /// <param name="failure">The failure, for the log.</param>
    public void Record(bool failed, bool isTrial, Exception? failure)
    {
        if (isTrial)
        {
            if (failed)
            {
                OpenNow(failure);
            }
            else
            {
                Array.Clear(_slots);
                Volatile.Write(ref _state, Closed);
            }

            Volatile.Write(ref _trialRunning, 0);
            return;
        }

        if (Volatile.Read(ref _state) != Closed)
        {
            // A call let in before the circuit opened: its outcome belongs to the window that is over.
            return;
        }

        var index = _time.GetUtcNow().UtcTicks / _slotTicks;
        var slot = SlotFor(index);
        Interlocked.Increment(ref slot.Calls);
        if (!failed)
        {
            return;
        }

        Interlocked.Increment(ref slot.Failures);
        long calls = 0, failures = 0;
        foreach (var s in _slots)
        {
            if (s is not null && s.Index > index - SlotCount)
            {
                calls += Volatile.Read(ref s.Calls);
                failures += Volatile.Read(ref s.Failures);
            }
        }

        if (calls >= _minimumThroughput && failures >= _failureRatio * calls && Interlocked.CompareExchange(ref _state, Open, Closed) == Closed)
        {
            Volatile.Write(ref _openUntilTicks, _time.GetUtcNow().UtcTicks + _breakDuration.Ticks);
            _onOpened?.Invoke(_breakDuration, failure);
        }
    }

    private void OpenNow(Exception? failure)
    {
        Volatile.Write(ref _openUntilTicks, _time.GetUtcNow().UtcTicks + _breakDuration.Ticks);
        Volatile.Write(ref _state, Open);
        _onOpened?.Invoke(_breakDuration, failure);
    }

    private Slot SlotFor(long index)
    {
        ref var cell = ref _slots[(int)(index % SlotCount)];
        while (true)
        {
            var slot = Volatile.Read(ref cell);
            if (slot is not null && slot.Index >= index)
            {
                return slot;
            }

            var fresh = new Slot(index);
            if (ReferenceEquals(Interlocked.CompareExchange(ref cell, fresh, slot), slot))
            {
                return fresh;
            }
        }
    }

    private sealed class Slot(long index)
    {
        public readonly long Index = index;
        public int Calls;
        public int Failures;
    }
}

/// <summary>Puts a <see cref="ProviderCircuit"/> into a Polly pipeline, where Polly's circuit breaker strategy was.</summary>
internal sealed class ProviderCircuitStrategy(ProviderCircuit circuit) : ResilienceStrategy
{
    protected override async ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback,
        ResilienceContext context,
        TState state)
    {
        if (circuit.TryEnter(out var isTrial) is { } refused)
        {
            return Outcome.FromException<TResult>(refused);
        }

        Outcome<TResult> outcome;
        try
        {
            outcome = await callback(context, state).ConfigureAwait(context.ContinueOnCapturedContext);
        }
        catch (Exception ex)
        {
            circuit.Record(TransientFailure.IsProviderFailure(ex), isTrial, ex);
            throw;
        }

        var failure = outcome.Exception;
        circuit.Record(failure is not null && TransientFailure.IsProviderFailure(failure), isTrial, failure);
        return outcome;
    }
}
