using Microsoft.Extensions.Logging;

namespace StratumAI;

/// <summary>
/// Every log line StratumAI writes, as <see cref="LoggerMessageAttribute"/> source-generated methods (no boxing, no
/// formatting when the level is off). Middleware of any feature logs through here so event ids stay unique.
/// </summary>
/// <remarks>
/// Nothing here takes an API key, a header value or a URL with a query: only model and provider ids, counts, money,
/// durations and exception types. Prompt and response text goes only through <see cref="RequestContent"/> and
/// <see cref="ResponseContent"/>, which callers invoke only when the user opted in
/// (<see cref="StratumTelemetryOptions.EnableSensitiveData"/>).
/// </remarks>
internal static partial class StratumLog
{
    [LoggerMessage(EventId = 1001, EventName = "ChatRequestStarted", Level = LogLevel.Debug,
        Message = "Chat request to model {Model} of provider {Provider} started (streaming: {Streaming}).")]
    public static partial void RequestStarted(ILogger logger, string? model, string? provider, bool streaming);

    [LoggerMessage(EventId = 1002, EventName = "ChatRequestCompleted", Level = LogLevel.Information,
        Message = "Chat request to model {Model} of provider {Provider} completed in {DurationSeconds} s: {InputTokens} input tokens, {OutputTokens} output tokens, cost {CostUsd} USD.")]
    public static partial void RequestCompleted(ILogger logger, string? model, string? provider, double durationSeconds, long? inputTokens, long? outputTokens, decimal? costUsd);

    [LoggerMessage(EventId = 1003, EventName = "ChatRequestFailed", Level = LogLevel.Warning,
        Message = "Chat request to model {Model} of provider {Provider} failed after {DurationSeconds} s with {ErrorType}.")]
    public static partial void RequestFailed(ILogger logger, string? model, string? provider, double durationSeconds, string errorType, Exception exception);

    [LoggerMessage(EventId = 1004, EventName = "ChatRequestCanceled", Level = LogLevel.Debug,
        Message = "Chat request to model {Model} of provider {Provider} was canceled after {DurationSeconds} s.")]
    public static partial void RequestCanceled(ILogger logger, string? model, string? provider, double durationSeconds);

    [LoggerMessage(EventId = 1005, EventName = "ChatStreamAbandoned", Level = LogLevel.Debug,
        Message = "Chat stream from model {Model} of provider {Provider} was disposed by the caller before its end after {DurationSeconds} s.")]
    public static partial void StreamAbandoned(ILogger logger, string? model, string? provider, double durationSeconds);

    [LoggerMessage(EventId = 1006, EventName = "ChatRequestContent", Level = LogLevel.Debug,
        Message = "Chat request to model {Model}: {Messages}")]
    public static partial void RequestContent(ILogger logger, string? model, string messages);

    [LoggerMessage(EventId = 1007, EventName = "ChatResponseContent", Level = LogLevel.Debug,
        Message = "Chat response from model {Model}: {Messages}")]
    public static partial void ResponseContent(ILogger logger, string? model, string messages);

    [LoggerMessage(EventId = 1010, EventName = "ChatRetry", Level = LogLevel.Warning,
        Message = "Retrying the call to model {Model} of provider {Provider}: attempt {Attempt} in {Delay} after {ErrorType}.")]
    public static partial void Retrying(ILogger logger, string? model, string? provider, int attempt, TimeSpan delay, string errorType);

    [LoggerMessage(EventId = 1011, EventName = "ChatFallback", Level = LogLevel.Warning,
        Message = "Model {FromModel} failed with {ErrorType}; falling back to model {ToModel}.")]
    public static partial void FallingBack(ILogger logger, string? fromModel, string toModel, string errorType);

    [LoggerMessage(EventId = 1012, EventName = "ChatCacheHit", Level = LogLevel.Debug,
        Message = "Response cache hit for model {Model}: no provider call, {SavedUsd} USD saved.")]
    public static partial void CacheHit(ILogger logger, string? model, decimal savedUsd);

    [LoggerMessage(EventId = 1013, EventName = "ChatBudgetRejected", Level = LogLevel.Warning,
        Message = "Budget {Scope} rejected a call to model {Model}: {SpentUsd} USD spent or reserved of {LimitUsd} USD, the call may cost up to {RequestedUsd} USD. No request was sent.")]
    public static partial void BudgetRejected(ILogger logger, string scope, string? model, decimal spentUsd, decimal limitUsd, decimal requestedUsd);

    [LoggerMessage(EventId = 1014, EventName = "ChatBudgetThreshold", Level = LogLevel.Warning,
        Message = "Budget {Scope} reached {Percent} % of its {LimitUsd} USD limit ({SpentUsd} USD spent).")]
    public static partial void BudgetThresholdReached(ILogger logger, string scope, decimal percent, decimal limitUsd, decimal spentUsd);

    [LoggerMessage(EventId = 1015, EventName = "ChatCircuitOpened", Level = LogLevel.Warning,
        Message = "Circuit for provider {Provider} opened for {BreakDuration} after {ErrorType}; calls to it fail fast until then.")]
    public static partial void CircuitOpened(ILogger logger, string provider, TimeSpan breakDuration, string errorType);

    [LoggerMessage(EventId = 1030, EventName = "EmbeddingRequestCompleted", Level = LogLevel.Information,
        Message = "Embedding request to model {Model} of provider {Provider} completed in {DurationSeconds} s: {Inputs} inputs, {InputTokens} input tokens, cost {CostUsd} USD.")]
    public static partial void EmbeddingRequestCompleted(ILogger logger, string? model, string? provider, double durationSeconds, int inputs, long? inputTokens, decimal? costUsd);

    [LoggerMessage(EventId = 1031, EventName = "EmbeddingRequestFailed", Level = LogLevel.Warning,
        Message = "Embedding request to model {Model} of provider {Provider} failed after {DurationSeconds} s with {ErrorType}.")]
    public static partial void EmbeddingRequestFailed(ILogger logger, string? model, string? provider, double durationSeconds, string errorType, Exception exception);

    [LoggerMessage(EventId = 1032, EventName = "EmbeddingRequestCanceled", Level = LogLevel.Debug,
        Message = "Embedding request to model {Model} of provider {Provider} was canceled after {DurationSeconds} s.")]
    public static partial void EmbeddingRequestCanceled(ILogger logger, string? model, string? provider, double durationSeconds);

    [LoggerMessage(EventId = 1033, EventName = "EmbeddingCacheHit", Level = LogLevel.Debug,
        Message = "Embedding cache served {Hits} of {Inputs} inputs for model {Model}: {SavedUsd} USD saved.")]
    public static partial void EmbeddingCacheHit(ILogger logger, string? model, int hits, int inputs, decimal savedUsd);

    // 1040-1049: rate limits (1042 and 1043 are StratumAI.Redis's store unavailable / recovered).
    [LoggerMessage(EventId = 1040, EventName = "ChatRateLimitRejected", Level = LogLevel.Warning,
        Message = "Rate limit {Key} had no permit for a call to model {Model} within {MaxWait}. No request was sent.")]
    public static partial void RateLimitRejected(ILogger logger, string key, string? model, TimeSpan maxWait);

    [LoggerMessage(EventId = 1041, EventName = "ChatRateLimitPaused", Level = LogLevel.Information,
        Message = "Provider {Provider} rate-limited a call ({ErrorType}); key {Key} is paused for {Pause} for every caller.")]
    public static partial void RateLimitPaused(ILogger logger, string? provider, string key, TimeSpan pause, string errorType);
}
