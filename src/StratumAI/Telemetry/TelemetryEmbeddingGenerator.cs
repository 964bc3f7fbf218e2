using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace StratumAI;

/// <summary>
/// Middleware that logs every embedding call and records it as an OpenTelemetry span and metrics following the GenAI
/// semantic conventions, with the call's exact cost from the catalog: the embedding counterpart of
/// <see cref="TelemetryChatClient"/>, on the same <see cref="ActivitySource"/> and <see cref="Meter"/> name.
/// </summary>
/// <remarks>
/// <para>One span per call, named <c>embeddings {gen_ai.request.model}</c>, kind <see cref="ActivityKind.Client"/>. Attributes:
/// <c>gen_ai.operation.name</c> = <c>embeddings</c>, <c>gen_ai.provider.name</c>, <c>gen_ai.request.model</c>,
/// <c>gen_ai.embeddings.dimension.count</c> (when the call asks for a dimension), <c>gen_ai.response.model</c>,
/// <c>gen_ai.usage.input_tokens</c>, <c>server.address</c>, <c>server.port</c>, <see cref="StratumTelemetryNames.CostAttribute"/>,
/// <see cref="StratumTelemetryNames.CacheHitAttribute"/> on a cache hit, <c>stratum.embeddings.input_count</c>, and on failure
/// <c>error.type</c> with status <see cref="ActivityStatusCode.Error"/>.</para>
/// <para>Metrics, tagged <c>gen_ai.operation.name</c> = <c>embeddings</c>: <c>gen_ai.client.token.usage</c> (input tokens),
/// <c>gen_ai.client.operation.duration</c> and <see cref="StratumTelemetryNames.CostMetric"/>, the instruments chat records to.</para>
/// <para>The texts embedded are never logged or recorded, with or without <see cref="StratumTelemetryOptions.EnableSensitiveData"/>:
/// they are often whole documents, and no convention names an attribute for them. API keys are never recorded.</para>
/// <para>Place it inside a <see cref="ResponseCacheEmbeddingGenerator"/> to see only calls that reached the provider, or outside
/// it to see every call with <see cref="StratumTelemetryNames.CacheHitAttribute"/> and $0 on the hits. Thread-safe. Disposing it
/// disposes its <see cref="ActivitySource"/> and <see cref="Meter"/> and the inner generator.</para>
/// </remarks>
public sealed class TelemetryEmbeddingGenerator : DelegatingEmbeddingGenerator<string, Embedding<float>>
{
    private const string EmbeddingsOperation = "embeddings";
    private const string DimensionCountAttribute = "gen_ai.embeddings.dimension.count";
    private const string InputCountAttribute = "stratum.embeddings.input_count";

    private readonly GenAIInstruments _instruments;
    private readonly ActivitySource _activitySource;
    private readonly Histogram<long> _tokenUsage;
    private readonly Histogram<double> _operationDuration;
    private readonly Counter<double> _cost;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ModelInfo? _model;
    private readonly EmbeddingGeneratorMetadata? _metadata;
    private readonly ConcurrentDictionary<ProviderInfo, Uri?> _endpoints = new();

    /// <summary>Wraps an embedding generator.</summary>
    /// <param name="innerGenerator">The generator whose calls are recorded, usually <c>StratumClient.GetEmbeddingGenerator(model)</c>.</param>
    /// <param name="options">Settings, or null for the defaults (no logging, source <c>StratumAI</c>).</param>
    /// <exception cref="ArgumentNullException"><paramref name="innerGenerator"/> or <see cref="StratumTelemetryOptions.TimeProvider"/> is null.</exception>
    /// <exception cref="ArgumentException"><see cref="StratumTelemetryOptions.SourceName"/> is null or empty.</exception>
    public TelemetryEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> innerGenerator, StratumTelemetryOptions? options = null)
        : base(innerGenerator)
    {
        options ??= new StratumTelemetryOptions();
        ArgumentException.ThrowIfNullOrEmpty(options.SourceName);
        ArgumentNullException.ThrowIfNull(options.TimeProvider);

        SourceName = options.SourceName;
        _time = options.TimeProvider;
        _logger = (ILogger?)options.LoggerFactory?.CreateLogger<TelemetryEmbeddingGenerator>() ?? NullLogger.Instance;
        _model = EmbeddingEstimate.ModelOf(innerGenerator);
        _metadata = innerGenerator.GetService(typeof(EmbeddingGeneratorMetadata)) as EmbeddingGeneratorMetadata;

        _instruments = new GenAIInstruments(options.SourceName);
        _activitySource = _instruments.Source;
        _tokenUsage = _instruments.TokenUsage;
        _operationDuration = _instruments.OperationDuration;
        _cost = _instruments.Cost;
    }

    /// <summary>The name of the <see cref="ActivitySource"/> and <see cref="Meter"/> this generator records to.</summary>
    public string SourceName { get; }

    /// <inheritdoc />
    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var inputs = EmbeddingEstimate.List(values);
        var started = _time.GetTimestamp();
        var requestModel = !string.IsNullOrEmpty(options?.ModelId) ? options.ModelId : _model?.Id ?? _metadata?.DefaultModelId;
        var providerName = _model is not null ? GenAI.ProviderNameOf(_model.Provider.Id) : _metadata?.ProviderName;
        var endpoint = _metadata?.ProviderUri ?? (_model is not null ? BaseUrlOf(_model.Provider) : null);
        var activity = !_activitySource.HasListeners() ? null
            : _activitySource.StartActivity(requestModel is null ? EmbeddingsOperation : $"{EmbeddingsOperation} {requestModel}", ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(GenAI.OperationName, EmbeddingsOperation)
                .SetTag(GenAI.ProviderName, providerName)
                .SetTag(StratumTelemetryNames.ProviderIdAttribute, _model?.Provider.Id)
                .SetTag(GenAI.RequestModel, requestModel)
                .SetTag(DimensionCountAttribute, options?.Dimensions)
                .SetTag(InputCountAttribute, inputs.Count)
                .SetTag(GenAI.ServerAddress, endpoint?.Host)
                .SetTag(GenAI.ServerPort, endpoint?.Port);
        }

        GeneratedEmbeddings<Embedding<float>> result;
        try
        {
            result = await base.GenerateAsync(inputs, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            var seconds = _time.GetElapsedTime(started).TotalSeconds;
            var billed = (ex as StratumException)?.UsageSoFar;
            var billedCost = CallCosts.Of(null, _model, billed);
            var errorType = ex.GetType().FullName ?? ex.GetType().Name;
            if (activity is not null)
            {
                if (activity.IsAllDataRequested)
                {
                    activity.SetTag(GenAI.ErrorType, errorType)
                        .SetTag(GenAI.HttpResponseStatusCode, (int?)(ex as StratumException)?.StatusCode)
                        .SetTag(GenAI.UsageInputTokens, billed?.InputTokenCount)
                        .SetTag(StratumTelemetryNames.CostAttribute, billedCost is null ? null : (double)billedCost.Total);
                }

                activity.SetStatus(ActivityStatusCode.Error, ex.Message);
                activity.Dispose();
            }

            Record(requestModel, providerName, null, endpoint, billed, billedCost, seconds, errorType);
            if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                StratumLog.EmbeddingRequestCanceled(_logger, requestModel, providerName, seconds);
            }
            else
            {
                StratumLog.EmbeddingRequestFailed(_logger, requestModel, providerName, seconds, errorType, ex);
            }

            throw;
        }

        var duration = _time.GetElapsedTime(started).TotalSeconds;
        var served = result.GetModelInfo() ?? _model;
        var responseModel = served?.Id ?? requestModel;
        var cacheHit = result.IsCacheHit();

        // A cache hit cost nothing; its cost is what it saved (the cache logs that).
        var cost = cacheHit ? CallCost.Zero : CallCosts.Of(result.GetCost(), served, result.Usage);
        if (activity is not null)
        {
            if (activity.IsAllDataRequested)
            {
                activity.SetTag(GenAI.ResponseModel, responseModel)
                    .SetTag(GenAI.UsageInputTokens, result.Usage?.InputTokenCount)
                    .SetTag(StratumTelemetryNames.CostAttribute, cost is null ? null : (double)cost.Total)
                    .SetTag(StratumTelemetryNames.RequestIdAttribute, result.GetRequestId());
                if (cacheHit)
                {
                    activity.SetTag(StratumTelemetryNames.CacheHitAttribute, true);
                }
            }

            activity.Dispose();
        }

        Record(requestModel, providerName, responseModel, endpoint, result.Usage, cost, duration, errorType: null);
        StratumLog.EmbeddingRequestCompleted(_logger, requestModel, providerName, duration, inputs.Count, result.Usage?.InputTokenCount, cost?.Total);
        return result;
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType == typeof(ActivitySource) ? _activitySource : base.GetService(serviceType, serviceKey);
    }

    /// <inheritdoc />
    public override string ToString() => $"TelemetryEmbeddingGenerator {{ SourceName = {SourceName} }}";

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _instruments.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Record(string? requestModel, string? providerName, string? responseModel, Uri? endpoint, UsageDetails? usage, CallCost? cost, double duration, string? errorType)
    {
        if (!_operationDuration.Enabled && !_tokenUsage.Enabled && !_cost.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { GenAI.OperationName, EmbeddingsOperation },
            { GenAI.ProviderName, providerName },
            { GenAI.RequestModel, requestModel },
            { GenAI.ResponseModel, responseModel },
        };
        if (endpoint is not null)
        {
            tags.Add(GenAI.ServerAddress, endpoint.Host);
            tags.Add(GenAI.ServerPort, endpoint.Port);
        }

        if (usage?.InputTokenCount is { } input && _tokenUsage.Enabled)
        {
            var inputTags = tags;
            inputTags.Add(GenAI.TokenType, "input");
            _tokenUsage.Record(input, inputTags);
        }

        if (cost is not null)
        {
            // decimal becomes double only here, at the metric boundary.
            _cost.Add((double)cost.Total, tags);
        }

        if (errorType is not null)
        {
            tags.Add(GenAI.ErrorType, errorType);
        }

        _operationDuration.Record(duration, tags);
    }

    /// <summary>The catalog's endpoint of a provider, parsed once; used when the generator below names none. Only its host and port are recorded.</summary>
    private Uri? BaseUrlOf(ProviderInfo provider) =>
        _endpoints.GetOrAdd(provider, static p => Uri.TryCreate(p.BaseUrl, UriKind.Absolute, out var url) ? url : null);
}
