using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.RateLimiting;

namespace StratumAI;

/// <summary>
/// Rate-limit windows and pauses of one process, through System.Threading.RateLimiting: a
/// <see cref="SlidingWindowRateLimiter"/> per bucket for its requests and one for its tokens, replenished on a
/// <see cref="TimeProvider"/>, and waiting callers queued oldest first.
/// </summary>
/// <remarks>
/// <para>Every window is cut into <see cref="SegmentsPerWindow"/> segments, and a permit is given back one segment later
/// than the window, so no interval of one <see cref="RateLimit.Window"/> ever lets through more than the limit (a
/// sliding window given back on time lets a permit go up to a segment early); the price is that the steady rate is at most
/// <c>segments / (segments + 1)</c> of the limit.</para>
/// <para>A process normally has one: <see cref="Shared"/>, which <c>UseStratumRateLimits()</c> uses when given none, so every
/// pipeline of the process counts against the same windows. Thread-safe.</para>
/// </remarks>
public sealed class InProcessRateLimitStore : RateLimitStore, IDisposable
{
    /// <summary>The segments a window is cut into.</summary>
    public const int SegmentsPerWindow = 10;

    /// <summary>More than the one tick a limiter's replenishment period is (see <c>Window.Create</c>).</summary>
    private static readonly TimeSpan MinimumSlideInterval = TimeSpan.FromTicks(2);

    private readonly TimeProvider _timeProvider;
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _pauses = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private bool _disposed;

    /// <summary>Creates a store.</summary>
    /// <param name="timeProvider">The clock windows slide on and pauses end on; null for <see cref="TimeProvider.System"/>.</param>
    public InProcessRateLimitStore(TimeProvider? timeProvider = null)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The process's store on the system clock.</summary>
    public static InProcessRateLimitStore Shared { get; } = new();

    /// <summary>The clock the store runs on.</summary>
    public TimeProvider TimeProvider => _timeProvider;

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The store was disposed.</exception>
    public override ValueTask<bool> AcquireAsync(RateLimitRequest request, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (maxWait < TimeSpan.Zero)
        {
            maxWait = TimeSpan.Zero;
        }

        // The fast path takes what is free now, synchronously and without allocating; only a caller that must wait goes async.
        if (!_pauses.IsEmpty && PausedUntil(request.Key) is not null)
        {
            return WaitAsync(request, 0, 0, _timeProvider.GetUtcNow() + maxWait, cancellationToken);
        }

        var buckets = request.Buckets;
        for (var i = 0; i < buckets.Count; i++)
        {
            var window = WindowFor(buckets[i]);
            for (var stage = 0; stage < 2; stage++)
            {
                if (window.Permit(stage, request.Tokens) is ({ } limiter, var count))
                {
                    using var lease = limiter.AttemptAcquire(count);
                    if (!lease.IsAcquired)
                    {
                        return WaitAsync(request, i, stage, _timeProvider.GetUtcNow() + maxWait, cancellationToken);
                    }
                }
            }
        }

        return new ValueTask<bool>(true);
    }

    /// <summary>The slow path: waits out a pause, then queues for each permit from (<paramref name="bucket"/>, <paramref name="stage"/>) on, until the deadline.</summary>
    private async ValueTask<bool> WaitAsync(RateLimitRequest request, int bucket, int stage, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        if (!await WaitOutPauseAsync(request.Key, deadline, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        CancellationTokenSource? deadlineSource = null;
        try
        {
            var buckets = request.Buckets;
            for (var i = bucket; i < buckets.Count; i++)
            {
                var window = WindowFor(buckets[i]);
                for (var s = i == bucket ? stage : 0; s < 2; s++)
                {
                    if (window.Permit(s, request.Tokens) is not ({ } limiter, var count))
                    {
                        continue;
                    }

                    using (var lease = limiter.AttemptAcquire(count))
                    {
                        if (lease.IsAcquired)
                        {
                            continue;
                        }
                    }

                    var left = deadline - _timeProvider.GetUtcNow();
                    if (left <= TimeSpan.Zero)
                    {
                        return false;
                    }

                    deadlineSource ??= StartDeadline(left, cancellationToken);
                    try
                    {
                        using var queued = await limiter.AcquireAsync(count, deadlineSource.Token).ConfigureAwait(false);
                        if (!queued.IsAcquired)
                        {
                            return false;
                        }
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        return false;
                    }
                }
            }
        }
        finally
        {
            deadlineSource?.Dispose();
        }

        // A 429 may have paused the key while this call queued: it waits that out too.
        return await WaitOutPauseAsync(request.Key, deadline, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="key"/> is null or empty.</exception>
    public override ValueTask PauseAsync(string key, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (duration > TimeSpan.Zero)
        {
            var until = _timeProvider.GetUtcNow() + duration;
            _pauses.AddOrUpdate(key, static (_, until) => until, static (_, current, until) => until > current ? until : current, until);
        }

        return default;
    }

    /// <summary>When the pause of <paramref name="key"/> ends, or null when it is not paused.</summary>
    /// <param name="key">A call key.</param>
    /// <returns>The end of the pause, on the store's clock.</returns>
    public DateTimeOffset? PausedUntil(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _pauses.TryGetValue(key, out var until) && until > _timeProvider.GetUtcNow() ? until : null;
    }

    /// <summary>Stops the replenishing timers and fails the waiting callers.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        foreach (var window in _windows.Values)
        {
            window.Dispose();
        }

        _windows.Clear();
    }

    private CancellationTokenSource StartDeadline(TimeSpan left, CancellationToken cancellationToken)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (_timeProvider == TimeProvider.System)
        {
            source.CancelAfter(left);
        }
        else
        {
            // Owned by the source: disposing it (at the end of the wait) is enough, a timer of another clock included.
            var timer = _timeProvider.CreateTimer(static s => Cancel((CancellationTokenSource)s!), source, left, Timeout.InfiniteTimeSpan);
            source.Token.Register(static t => ((ITimer)t!).Dispose(), timer);
        }

        return source;
    }

    private static void Cancel(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Waits for the key's pause to end; false when it ends after the deadline (nothing is waited then).</summary>
    private async ValueTask<bool> WaitOutPauseAsync(string key, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        while (_pauses.TryGetValue(key, out var until))
        {
            var now = _timeProvider.GetUtcNow();
            if (until <= now)
            {
                _pauses.TryRemove(new KeyValuePair<string, DateTimeOffset>(key, until));
                return true;
            }

            if (until > deadline)
            {
                return false;
            }

            await Task.Delay(until - now, _timeProvider, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    private Window WindowFor(RateLimitBucket bucket)
    {
        if (_windows.TryGetValue(bucket.Key, out var window) && window.Limit.Equals(bucket.Limit))
        {
            return window;
        }

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_windows.TryGetValue(bucket.Key, out window))
            {
                if (window.Limit.Equals(bucket.Limit))
                {
                    return window;
                }

                // The limit changed (new options, another client with other settings): the new one starts with a full window.
                window.Dispose();
            }

            window = new Window(bucket.Limit, _timeProvider);
            _windows[bucket.Key] = window;
            return window;
        }
    }

    /// <summary>The request and token windows of one bucket, and the timer that slides them.</summary>
    private sealed class Window : IDisposable
    {
        private readonly SlidingWindowRateLimiter? _requests;
        private readonly SlidingWindowRateLimiter? _tokens;
        private readonly int _tokenLimit;
        private readonly ITimer _timer;
        private readonly object _slideGate = new();
        private long _lastSlide;

        public Window(RateLimit limit, TimeProvider timeProvider)
        {
            Limit = limit;
            var segment = limit.Window / SegmentsPerWindow;
            if (limit.Requests is { } requests)
            {
                _requests = Create(requests);
            }

            if (limit.Tokens is { } tokens)
            {
                _tokenLimit = (int)Math.Min(tokens, int.MaxValue);
                _tokens = Create(_tokenLimit);
            }

            _timer = timeProvider.CreateTimer(static s => ((Window)s!).Slide(), this, segment, segment);
        }

        public RateLimit Limit { get; }

        /// <summary>
        /// What a call takes at <paramref name="stage"/>: 0, one request; 1, its tokens clamped to the limit (a call above it
        /// waits for a whole window). Null when the limit has no such count.
        /// </summary>
        public (RateLimiter Limiter, int Count)? Permit(int stage, long tokens) => stage switch
        {
            0 when _requests is not null => (_requests, 1),
            1 when _tokens is not null && tokens > 0 => (_tokens, (int)Math.Min(tokens, _tokenLimit)),
            _ => null,
        };

        public void Dispose()
        {
            _timer.Dispose();
            _requests?.Dispose();
            _tokens?.Dispose();
        }

        private static SlidingWindowRateLimiter Create(int permits) => new(new SlidingWindowRateLimiterOptions
        {
            PermitLimit = permits,

            // One segment more than the window: a permit comes back no earlier than a whole window after it was taken.
            SegmentsPerWindow = SegmentsPerWindow + 1,

            // The window slides on our TimeProvider's timer (Slide), not on the limiter's own: TryReplenish still ignores a call
            // made less than one replenishment period of real time after the previous one, so the period is one tick (100 ns).
            Window = TimeSpan.FromTicks(SegmentsPerWindow + 1),
            AutoReplenishment = false,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });

        private void Slide()
        {
            lock (_slideGate)
            {
                // A fake clock advanced by many segments at once fires this back to back: keep one real tick between slides.
                var spin = default(SpinWait);
                while (Stopwatch.GetElapsedTime(_lastSlide) < MinimumSlideInterval)
                {
                    spin.SpinOnce(sleep1Threshold: -1);
                }

                _requests?.TryReplenish();
                _tokens?.TryReplenish();
                _lastSlide = Stopwatch.GetTimestamp();
            }
        }
    }
}
