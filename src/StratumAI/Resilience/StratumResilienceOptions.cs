using Microsoft.Extensions.Logging;

namespace StratumAI;

/// <summary>Settings of <see cref="ResilienceChatClient"/>: retries, the per-provider circuit breaker and timeouts.</summary>
/// <remarks>
/// The client copies the values when it is created; changing the options afterwards does not affect it.
/// A <see langword="null"/> timeout disables that timeout; <see cref="MaxRetryAttempts"/> of 0 disables retries.
/// </remarks>
public sealed class StratumResilienceOptions
{
    /// <summary>The default <see cref="MaxRetryAttempts"/>: 3.</summary>
    public const int DefaultMaxRetryAttempts = 3;

    /// <summary>The default <see cref="BaseDelay"/>: 2 seconds.</summary>
    public static readonly TimeSpan DefaultBaseDelay = TimeSpan.FromSeconds(2);

    /// <summary>The default <see cref="MaxDelay"/>: 30 seconds.</summary>
    public static readonly TimeSpan DefaultMaxDelay = TimeSpan.FromSeconds(30);

    /// <summary>The default <see cref="MaxRetryAfter"/>: 30 seconds.</summary>
    public static readonly TimeSpan DefaultMaxRetryAfter = TimeSpan.FromSeconds(30);

    /// <summary>The default <see cref="AttemptTimeout"/>: 60 seconds.</summary>
    public static readonly TimeSpan DefaultAttemptTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The default <see cref="TotalTimeout"/>: 100 seconds.</summary>
    public static readonly TimeSpan DefaultTotalTimeout = TimeSpan.FromSeconds(100);

    /// <summary>How many times a failed call is tried again (so at most this plus one attempts).</summary>
    /// <value>Default 3. 0 disables retries.</value>
    public int MaxRetryAttempts { get; set; } = DefaultMaxRetryAttempts;

    /// <summary>
    /// The first backoff delay when the provider did not say how long to wait; it doubles with each retry and is
    /// jittered (Polly's decorrelated jitter), so many callers do not retry in lockstep.
    /// </summary>
    /// <value>Default 2 seconds.</value>
    public TimeSpan BaseDelay { get; set; } = DefaultBaseDelay;

    /// <summary>The longest backoff delay computed from <see cref="BaseDelay"/> (it never shortens a delay the provider asked for).</summary>
    /// <value>Default 30 seconds.</value>
    public TimeSpan MaxDelay { get; set; } = DefaultMaxDelay;

    /// <summary>
    /// The longest wait the provider may ask for (<c>Retry-After</c>, <c>retry-after-ms</c>, the reset time of an exhausted
    /// rate limit) that is still honoured. A retry waits exactly what the provider asked; when it asks for longer than
    /// this, the call is not retried — retrying sooner would only be refused again — and the error surfaces at once, so a
    /// <see cref="FallbackChatClient"/> above can move to another model.
    /// </summary>
    /// <value>Default 30 seconds.</value>
    public TimeSpan MaxRetryAfter { get; set; } = DefaultMaxRetryAfter;

    /// <summary>
    /// How long one attempt may take; an attempt that takes longer is cancelled and fails with
    /// <see cref="StratumTimeoutException"/> — not retried unless <see cref="RetryTimeouts"/> — so a
    /// <see cref="FallbackChatClient"/> above moves to the next model after one attempt timeout. For a stream it bounds the
    /// wait for the first update. Null: no attempt timeout.
    /// </summary>
    /// <value>Default 60 seconds.</value>
    public TimeSpan? AttemptTimeout { get; set; } = DefaultAttemptTimeout;

    /// <summary>
    /// How long the whole call may take, every attempt and every wait between them included; when it elapses the call
    /// fails with <see cref="StratumTimeoutException"/>. A retry whose wait would end after it is not attempted. For a
    /// stream it bounds the time until the first update. Null: no total timeout.
    /// </summary>
    /// <value>Default 100 seconds.</value>
    public TimeSpan? TotalTimeout { get; set; } = DefaultTotalTimeout;

    /// <summary>
    /// Whether an attempt that timed out — <see cref="AttemptTimeout"/>, or a <see cref="StratumTimeoutException"/> from
    /// below (<see cref="StratumClientOptions.Timeout"/>) — is tried again on the same model.
    /// </summary>
    /// <value>
    /// Default false: a provider that accepted the request and did not answer in time is most likely still hung, so another
    /// attempt would make the caller wait a whole <see cref="AttemptTimeout"/> more (three attempts used to spend all of
    /// <see cref="TotalTimeout"/> before a fallback ran), and the abandoned request was sent and may be billed. The timeout
    /// surfaces after one attempt and <c>UseStratumFallbacks</c> above moves to the next model. Set true for a provider
    /// known for rare stalls when no fallback is configured. Fast failures (429, 5xx, 408, connection failures) are retried
    /// either way, and every timeout still counts toward the provider's circuit breaker.
    /// </value>
    public bool RetryTimeouts { get; set; }

    /// <summary>Whether each provider gets a circuit breaker that fails calls fast while the provider keeps failing.</summary>
    /// <value>Default true.</value>
    public bool EnableCircuitBreaker { get; set; } = true;

    /// <summary>The share of failed calls (5xx, 529, timeouts, connection failures) within <see cref="CircuitBreakerSamplingDuration"/> that opens a provider's circuit.</summary>
    /// <value>Default 0.5.</value>
    public double CircuitBreakerFailureRatio { get; set; } = 0.5;

    /// <summary>How many calls a provider must have had within <see cref="CircuitBreakerSamplingDuration"/> before its circuit can open.</summary>
    /// <value>Default 10.</value>
    public int CircuitBreakerMinimumThroughput { get; set; } = 10;

    /// <summary>The window over which <see cref="CircuitBreakerFailureRatio"/> is measured.</summary>
    /// <value>Default 30 seconds.</value>
    public TimeSpan CircuitBreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an open circuit fails calls before letting one trial call through.</summary>
    /// <value>Default 30 seconds.</value>
    public TimeSpan CircuitBreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Resolves <see cref="Microsoft.Extensions.AI.ChatOptions.ModelId"/> to a catalog model (for the provider of the call's circuit breaker).</summary>
    /// <value>Default null: the registry of a <see cref="StratumClient"/> below in the pipeline, else <see cref="ModelRegistry.Default"/>.</value>
    public ModelRegistry? Models { get; set; }

    /// <summary>The clock for delays, timeouts and the circuit breaker; tests pass a fake one.</summary>
    /// <value>Default <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Called before each retry's wait with what failed and how long the wait is; must be fast and must not throw.</summary>
    /// <value>Default null.</value>
    public Action<StratumRetryEvent>? OnRetry { get; set; }

    /// <summary>Where retries (event 1010 <c>ChatRetry</c>) and opened circuits (1015 <c>ChatCircuitOpened</c>) are logged.</summary>
    /// <value>Default null: the <see cref="ILoggerFactory"/> of the pipeline's services when <c>UseStratumResilience</c> finds one, else nothing is logged.</value>
    public ILogger? Logger { get; set; }

    /// <summary>A number in [0, 1) for the backoff jitter; tests pin it. Null: Polly's own random source.</summary>
    /// <value>Default null.</value>
    public Func<double>? Randomizer { get; set; }
}

/// <summary>One retry <see cref="ResilienceChatClient"/> is about to make, reported to <see cref="StratumResilienceOptions.OnRetry"/>.</summary>
/// <param name="ModelId">The model of the call, when known.</param>
/// <param name="ProviderId">The provider of the call, when known.</param>
/// <param name="AttemptNumber">The attempt that failed, 0 for the first.</param>
/// <param name="Delay">How long the client waits before the next attempt.</param>
/// <param name="DelayRequestedByProvider">True when <paramref name="Delay"/> is exactly what the provider asked for (<c>Retry-After</c> and similar).</param>
/// <param name="Error">The failure that is retried.</param>
public sealed record StratumRetryEvent(string? ModelId, string? ProviderId, int AttemptNumber, TimeSpan Delay, bool DelayRequestedByProvider, Exception Error);
