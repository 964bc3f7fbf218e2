using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace StratumAI;

/// <summary>
/// Middleware that logs every call and records it as OpenTelemetry spans and metrics following the GenAI semantic
/// conventions, with the call's exact cost from the catalog.
/// </summary>
/// <remarks>
/// <para>One span per call, named <c>chat {gen_ai.request.model}</c>, kind <see cref="ActivityKind.Client"/>; for a stream
/// it covers the whole stream and takes usage from the updates that carry it. Attributes: <c>gen_ai.operation.name</c>,
/// <c>gen_ai.provider.name</c> (the convention's well-known value for the catalog provider, e.g. <c>gcp.gemini</c>),
/// <c>gen_ai.request.*</c>, <c>gen_ai.response.id</c>, <c>gen_ai.response.model</c>, <c>gen_ai.response.finish_reasons</c>,
/// <c>gen_ai.usage.input_tokens</c>, <c>gen_ai.usage.output_tokens</c>, <c>gen_ai.usage.cache_read.input_tokens</c>,
/// <c>gen_ai.usage.cache_creation.input_tokens</c>, <c>gen_ai.usage.reasoning.output_tokens</c>, <c>server.address</c>,
/// <c>server.port</c>, <see cref="StratumTelemetryNames.CostAttribute"/>, and on failure <c>error.type</c> with status
/// <see cref="ActivityStatusCode.Error"/>.</para>
/// <para>Metrics: <c>gen_ai.client.token.usage</c> (histogram, <c>{token}</c>, by <c>gen_ai.token.type</c>),
/// <c>gen_ai.client.operation.duration</c> (histogram, seconds), for streams <c>gen_ai.client.operation.time_to_first_chunk</c>
/// (histogram, seconds; also the span attribute <c>gen_ai.response.time_to_first_chunk</c>), and
/// <see cref="StratumTelemetryNames.CostMetric"/> (counter, USD).</para>
/// <para>Prompt and response text is logged and recorded only with <see cref="StratumTelemetryOptions.EnableSensitiveData"/>.
/// API keys are never recorded: nothing here reads them.</para>
/// <para>Place it outside fallback and retry middleware for one span per call (the <c>stratum.retry</c> and
/// <c>stratum.fallback</c> span events then show each attempt). The model of a call is the one of its
/// <see cref="StratumCallContext"/> (attached above, else resolved here once from <see cref="ChatOptions.ModelId"/> through
/// <see cref="StratumTelemetryOptions.Models"/> and passed down), else the inner client's <see cref="ModelInfo"/>.</para>
/// <para>Thread-safe: one instance serves concurrent calls. Disposing it disposes its <see cref="ActivitySource"/>
/// and <see cref="Meter"/> and the inner client.</para>
/// </remarks>
public sealed class TelemetryChatClient : DelegatingChatClient
{
    private readonly GenAIInstruments _instruments;
    private readonly ActivitySource _activitySource;
    private readonly Histogram<long> _tokenUsage;
    private readonly Histogram<double> _operationDuration;
    private readonly Counter<double> _cost;
    private readonly Histogram<double> _timeToFirstChunk;
    private readonly ILogger _logger;
    private readonly bool _sensitive;
    private readonly TimeProvider _time;
    private readonly ModelRegistry _models;
    private readonly StratumClient? _stratum;
    private readonly ModelInfo? _innerModel;
    private readonly ChatClientMetadata? _metadata;

    // Each provider's endpoint host and port, parsed once: a Uri per call was most of what telemetry allocated when nobody
    // listened (issue 18).
    private readonly ConcurrentDictionary<ProviderInfo, Uri?> _endpoints = new();

    /// <summary>Wraps a chat client.</summary>
    /// <param name="innerClient">The client whose calls are recorded.</param>
    /// <param name="options">Settings, or null for the defaults (no logging, no content, source <c>StratumAI</c>).</param>
    /// <exception cref="ArgumentNullException"><paramref name="innerClient"/> or <see cref="StratumTelemetryOptions.TimeProvider"/> is null.</exception>
    /// <exception cref="ArgumentException"><see cref="StratumTelemetryOptions.SourceName"/> is null or empty.</exception>
    public TelemetryChatClient(IChatClient innerClient, StratumTelemetryOptions? options = null)
        : base(innerClient)
    {
        options ??= new StratumTelemetryOptions();
        ArgumentException.ThrowIfNullOrEmpty(options.SourceName);
        ArgumentNullException.ThrowIfNull(options.TimeProvider);

        SourceName = options.SourceName;
        _sensitive = options.EnableSensitiveData;
        _time = options.TimeProvider;
        _logger = (ILogger?)options.LoggerFactory?.CreateLogger<TelemetryChatClient>() ?? NullLogger.Instance;
        _stratum = innerClient.GetService(typeof(StratumClient)) as StratumClient;
        _innerModel = innerClient.GetService(typeof(ModelInfo)) as ModelInfo;
        _metadata = innerClient.GetService(typeof(ChatClientMetadata)) as ChatClientMetadata;
        _models = options.Models ?? _stratum?.Models ?? ModelRegistry.Default;

        _instruments = new GenAIInstruments(options.SourceName);
        _activitySource = _instruments.Source;
        _tokenUsage = _instruments.TokenUsage;
        _operationDuration = _instruments.OperationDuration;
        _cost = _instruments.Cost;
        _timeToFirstChunk = _instruments.TimeToFirstChunk;
    }

    /// <summary>The name of the <see cref="ActivitySource"/> and <see cref="Meter"/> this client records to.</summary>
    public string SourceName { get; }

    /// <summary>Whether prompt and response text is logged and recorded (<see cref="StratumTelemetryOptions.EnableSensitiveData"/>).</summary>
    public bool EnableSensitiveData => _sensitive;

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var (context, entered) = CallContexts.Enter(options, InnerClient, _models);
        var call = Begin(messages, options, context, streaming: false);
        ChatResponse response;
        try
        {
            response = await base.GetResponseAsync(messages, entered, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            End(call, new CallOutcome(), EndKind.Failed, ex, cancellationToken);
            throw;
        }

        if (IsObserved(call, error: null))
        {
            End(call, CallOutcome.Of(response), EndKind.Completed, null, cancellationToken);
        }

        return response;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var (context, entered) = CallContexts.Enter(options, InnerClient, _models);
        var call = Begin(messages, options, context, streaming: true);
        var outcome = new CallOutcome { Kept = _sensitive ? [] : null };
        IAsyncEnumerator<ChatResponseUpdate> enumerator;
        try
        {
            enumerator = base.GetStreamingResponseAsync(messages, entered, cancellationToken).GetAsyncEnumerator(cancellationToken);
        }
        catch (Exception ex)
        {
            End(call, outcome, EndKind.Failed, ex, cancellationToken);
            throw;
        }

        var ended = false;
        try
        {
            while (true)
            {
                ChatResponseUpdate update;
                try
                {
                    if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }

                    update = enumerator.Current;
                }
                catch (Exception ex)
                {
                    ended = true;
                    End(call, outcome, EndKind.Failed, ex, cancellationToken);
                    throw;
                }

                call.TimeToFirstChunk ??= _time.GetElapsedTime(call.Started).TotalSeconds;
                outcome.Add(update);
                yield return update;
            }

            ended = true;
            End(call, outcome, EndKind.Completed, null, cancellationToken);
        }
        finally
        {
            // Reached without an end only when the caller disposed the stream before its last update.
            if (!ended)
            {
                End(call, outcome, EndKind.Abandoned, null, cancellationToken);
            }

            await enumerator.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType == typeof(ActivitySource) ? _activitySource : base.GetService(serviceType, serviceKey);
    }

    /// <inheritdoc />
    public override string ToString() => $"TelemetryChatClient {{ SourceName = {SourceName}, EnableSensitiveData = {_sensitive} }}";

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _instruments.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Starts the span of a call; <paramref name="options"/> are the caller's (the model id as requested, alias or not).</summary>
    private CallScope Begin(IEnumerable<ChatMessage> messages, ChatOptions? options, StratumCallContext? context, bool streaming)
    {
        var requestModel = !string.IsNullOrEmpty(options?.ModelId) ? options.ModelId : context?.Model.Id ?? _innerModel?.Id ?? _metadata?.DefaultModelId;
        var model = context?.Model ?? _innerModel;
        var endpoint = model is not null ? BaseUrlOf(model.Provider) : _metadata?.ProviderUri;
        var call = new CallScope
        {
            Started = _time.GetTimestamp(),
            RequestModel = requestModel,
            Model = model,
            ProviderId = model?.Provider.Id,
            ProviderName = model is not null ? GenAI.ProviderNameOf(model.Provider.Id) : _metadata?.ProviderName,
            ServerAddress = endpoint?.Host,
            ServerPort = endpoint?.Port,
        };

        // The span name is built only when someone listens: without a listener StartActivity returns null anyway.
        var activity = !_activitySource.HasListeners() ? null
            : _activitySource.StartActivity(requestModel is null ? GenAI.ChatOperation : $"{GenAI.ChatOperation} {requestModel}", ActivityKind.Client);
        call.Activity = activity;
        string? input = null;
        if (activity is not null)
        {
            activity.SetCustomProperty(StratumActivityEvents.MarkerProperty, this);
            if (activity.IsAllDataRequested)
            {
                activity.SetTag(GenAI.OperationName, GenAI.ChatOperation)
                    .SetTag(GenAI.ProviderName, call.ProviderName)
                    .SetTag(StratumTelemetryNames.ProviderIdAttribute, call.ProviderId)
                    .SetTag(GenAI.RequestModel, requestModel)
                    .SetTag(GenAI.ServerAddress, call.ServerAddress)
                    .SetTag(GenAI.ServerPort, call.ServerPort);
                if (options is not null)
                {
                    activity.SetTag(GenAI.RequestMaxTokens, options.MaxOutputTokens)
                        .SetTag(GenAI.RequestTemperature, options.Temperature)
                        .SetTag(GenAI.RequestTopP, options.TopP)
                        .SetTag(GenAI.RequestTopK, options.TopK)
                        .SetTag(GenAI.RequestFrequencyPenalty, options.FrequencyPenalty)
                        .SetTag(GenAI.RequestPresencePenalty, options.PresencePenalty)
                        .SetTag(GenAI.RequestSeed, options.Seed);
                    if (options.StopSequences is { Count: > 0 } stops)
                    {
                        activity.SetTag(GenAI.RequestStopSequences, stops.ToArray());
                    }
                }

                if (_sensitive)
                {
                    input = TelemetryContent.Input(messages);
                    activity.SetTag(GenAI.InputMessages, input);
                }
            }
        }

        if (_logger.IsEnabled(LogLevel.Debug))
        {
            StratumLog.RequestStarted(_logger, requestModel, call.ProviderName, streaming);
            if (_sensitive)
            {
                var content = input ?? TelemetryContent.Input(messages);
                StratumLog.RequestContent(_logger, requestModel, content);
            }
        }

        return call;
    }

    /// <summary>Whether anything records this call's end: its span, a metric, or the log. When nothing does, End does nothing.</summary>
    private bool IsObserved(CallScope call, Exception? error) =>
        call.Activity is not null
        || _operationDuration.Enabled || _tokenUsage.Enabled || _cost.Enabled || _timeToFirstChunk.Enabled
        || _logger.IsEnabled(LogLevel.Debug) || _logger.IsEnabled(LogLevel.Information) || (error is not null && _logger.IsEnabled(LogLevel.Warning));

    private void End(CallScope call, CallOutcome outcome, EndKind kind, Exception? error, CancellationToken cancellationToken)
    {
        if (!IsObserved(call, error))
        {
            return;
        }

        var duration = _time.GetElapsedTime(call.Started).TotalSeconds;
        var served = outcome.Model ?? call.Model;
        var providerName = served is not null ? GenAI.ProviderNameOf(served.Provider.Id) : call.ProviderName;

        // A response's id, model and finish reason are the provider's words, like an error's: they pass through the
        // sanitizer for the key the call sent before they become tags or log values (docs/telemetry.md, API keys).
        var redactor = served is not null && _stratum is not null ? _stratum.GetRedactor(served.Provider) : SecretRedactor.KeyShapedOnly;
        var responseModel = redactor.Redact(outcome.ModelId) ?? served?.Id;
        var billed = (error as StratumException)?.UsageSoFar;
        var usage = billed ?? outcome.Usage;

        // A cache hit cost nothing; usage reported alongside an exception is priced from the catalog, as cost tracking does.
        var cost = outcome.CacheHit ? CallCost.Zero : CallCosts.Of(billed is null ? outcome.Cost : null, served, usage);
        var errorType = error?.GetType().FullName;

        if (call.Activity is { } activity)
        {
            if (activity.IsAllDataRequested)
            {
                SetOutcomeTags(activity, outcome, served, providerName, responseModel, usage, cost, kind, redactor);
                activity.SetTag(GenAI.ResponseTimeToFirstChunk, call.TimeToFirstChunk);
                if (error is not null)
                {
                    activity.SetTag(GenAI.ErrorType, errorType)
                        .SetTag(GenAI.HttpResponseStatusCode, (int?)(error as StratumException)?.StatusCode);
                }
            }

            if (error is not null)
            {
                activity.SetStatus(ActivityStatusCode.Error, error.Message);
            }
        }

        RecordMetrics(call, providerName, responseModel, usage, cost, duration, errorType);
        Log(call, outcome, kind, error, providerName, responseModel, usage, cost, duration, cancellationToken);
        call.Activity?.Dispose();
    }

    private void SetOutcomeTags(Activity activity, CallOutcome outcome, ModelInfo? served, string? providerName, string? responseModel, UsageDetails? usage, CallCost? cost, EndKind kind, SecretRedactor redactor)
    {
        activity.SetTag(GenAI.ProviderName, providerName)
            .SetTag(StratumTelemetryNames.ProviderIdAttribute, served?.Provider.Id ?? activity.GetTagItem(StratumTelemetryNames.ProviderIdAttribute))
            .SetTag(GenAI.ResponseId, redactor.Redact(outcome.ResponseId))
            .SetTag(GenAI.ResponseModel, responseModel)
            .SetTag(StratumTelemetryNames.RequestIdAttribute, outcome.RequestId);
        if (outcome.FinishReason is { } finishReason)
        {
            activity.SetTag(GenAI.ResponseFinishReasons, new[] { redactor.Redact(finishReason.Value) });
        }

        if (usage is not null)
        {
            activity.SetTag(GenAI.UsageInputTokens, usage.InputTokenCount)
                .SetTag(GenAI.UsageOutputTokens, usage.OutputTokenCount)
                .SetTag(GenAI.UsageCacheReadInputTokens, usage.CachedInputTokenCount)
                .SetTag(GenAI.UsageReasoningOutputTokens, usage.ReasoningTokenCount)
                .SetTag(GenAI.UsageCacheCreationInputTokens, CacheWriteTokens(usage));
        }

        if (cost is not null)
        {
            activity.SetTag(StratumTelemetryNames.CostAttribute, (double)cost.Total);
        }

        if (outcome.CacheHit)
        {
            activity.SetTag(StratumTelemetryNames.CacheHitAttribute, true);
        }

        if (kind == EndKind.Abandoned)
        {
            activity.SetTag("stratum.stream.abandoned", true);
        }

        if (_sensitive && kind != EndKind.Failed)
        {
            activity.SetTag(GenAI.OutputMessages, outcome.OutputContent());
        }
    }

    private void RecordMetrics(CallScope call, string? providerName, string? responseModel, UsageDetails? usage, CallCost? cost, double duration, string? errorType)
    {
        if (!_operationDuration.Enabled && !_tokenUsage.Enabled && !_cost.Enabled && !_timeToFirstChunk.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { GenAI.OperationName, GenAI.ChatOperation },
            { GenAI.ProviderName, providerName },
            { GenAI.RequestModel, call.RequestModel },
            { GenAI.ResponseModel, responseModel },
        };
        if (call.ServerAddress is not null)
        {
            tags.Add(GenAI.ServerAddress, call.ServerAddress);
            tags.Add(GenAI.ServerPort, call.ServerPort);
        }

        if (usage is not null && _tokenUsage.Enabled)
        {
            if (usage.InputTokenCount is { } input)
            {
                var inputTags = tags;
                inputTags.Add(GenAI.TokenType, "input");
                _tokenUsage.Record(input, inputTags);
            }

            if (usage.OutputTokenCount is { } output)
            {
                var outputTags = tags;
                outputTags.Add(GenAI.TokenType, "output");
                _tokenUsage.Record(output, outputTags);
            }
        }

        if (cost is not null)
        {
            // decimal becomes double only here, at the metric boundary; CallCost keeps the exact value.
            _cost.Add((double)cost.Total, tags);
        }

        if (errorType is not null)
        {
            tags.Add(GenAI.ErrorType, errorType);
        }

        _operationDuration.Record(duration, tags);
        if (call.TimeToFirstChunk is { } firstChunk)
        {
            _timeToFirstChunk.Record(firstChunk, tags);
        }
    }

    private void Log(CallScope call, CallOutcome outcome, EndKind kind, Exception? error, string? providerName, string? responseModel, UsageDetails? usage, CallCost? cost, double duration, CancellationToken cancellationToken)
    {
        var model = call.RequestModel;
        if (error is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            StratumLog.RequestCanceled(_logger, model, providerName, duration);
            return;
        }

        if (error is not null)
        {
            StratumLog.RequestFailed(_logger, model, providerName, duration, error.GetType().FullName ?? error.GetType().Name, error);
            return;
        }

        if (outcome.CacheHit)
        {
            StratumLog.CacheHit(_logger, model, outcome.Cost?.Total ?? 0m);
        }

        if (kind == EndKind.Abandoned)
        {
            StratumLog.StreamAbandoned(_logger, model, providerName, duration);
        }
        else
        {
            StratumLog.RequestCompleted(_logger, model, providerName, duration, usage?.InputTokenCount, usage?.OutputTokenCount, cost?.Total);
        }

        if (_sensitive && _logger.IsEnabled(LogLevel.Debug))
        {
            var content = outcome.OutputContent();
            StratumLog.ResponseContent(_logger, responseModel ?? model, content);
        }
    }

    private static long? CacheWriteTokens(UsageDetails usage) =>
        usage.AdditionalCounts?.TryGetValue(StratumUsageKeys.CacheWriteInputTokens, out var tokens) == true ? tokens : null;

    /// <summary>The endpoint calls to a provider go to: the options' override, else the catalog's. Only its host and port are recorded.</summary>
    private Uri? BaseUrlOf(ProviderInfo provider) =>
        _endpoints.GetOrAdd(provider, static (p, self) => self.ParseBaseUrl(p), this);

    private Uri? ParseBaseUrl(ProviderInfo provider)
    {
        if (_stratum is not null && _stratum.Options.Providers.TryGetValue(provider.Id, out var configured) && configured.BaseUrl is { IsAbsoluteUri: true } url)
        {
            return url;
        }

        return Uri.TryCreate(provider.BaseUrl, UriKind.Absolute, out var fromCatalog) ? fromCatalog : null;
    }

    private enum EndKind
    {
        Completed,
        Failed,
        Abandoned,
    }

    /// <summary>What is known of a call when it starts; used by that call only.</summary>
    private sealed class CallScope
    {
        public Activity? Activity { get; set; }

        public long Started { get; init; }

        public string? RequestModel { get; init; }

        public ModelInfo? Model { get; init; }

        public string? ProviderId { get; init; }

        public string? ProviderName { get; init; }

        public string? ServerAddress { get; init; }

        public int? ServerPort { get; init; }

        public double? TimeToFirstChunk { get; set; }
    }

    /// <summary>What a call produced: a whole response, or what a stream has shown so far.</summary>
    private sealed class CallOutcome : StreamTally
    {
        private ChatResponse? _response;

        public List<ChatResponseUpdate>? Kept { get; init; }

        public static CallOutcome Of(ChatResponse response) => new()
        {
            _response = response,
            ResponseId = response.ResponseId,
            ModelId = response.ModelId,
            Model = response.GetModelInfo(),
            FinishReason = response.FinishReason,
            Usage = response.Usage,
            Cost = response.GetCost(),
            CacheHit = response.IsCacheHit(),
            RequestId = response.GetRequestId(),
        };

        public void Add(ChatResponseUpdate update)
        {
            Kept?.Add(update);
            Observe(update);
        }

        public string OutputContent()
        {
            var response = _response ?? (Kept ?? []).ToChatResponse();
            return TelemetryContent.Output(response.Messages, FinishReason);
        }
    }
}
