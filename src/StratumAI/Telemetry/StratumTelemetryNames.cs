namespace StratumAI;

/// <summary>
/// Names StratumAI adds to OpenTelemetry on top of the GenAI semantic conventions: span attributes and metrics
/// about cost and caching, which the conventions do not define.
/// </summary>
public static class StratumTelemetryNames
{
    /// <summary>The default <see cref="System.Diagnostics.ActivitySource"/> and <see cref="System.Diagnostics.Metrics.Meter"/> name.</summary>
    public const string DefaultSourceName = "StratumAI";

    /// <summary>Span attribute: what the call cost in USD (a <see cref="double"/>; exact <see cref="decimal"/> values stay in <see cref="CallCost"/>).</summary>
    public const string CostAttribute = "stratum.cost.usd";

    /// <summary>Span attribute: <see langword="true"/> when a response cache served the call.</summary>
    public const string CacheHitAttribute = "stratum.cache_hit";

    /// <summary>Span attribute: the provider's request id (<c>x-request-id</c> and similar), for support tickets.</summary>
    public const string RequestIdAttribute = "stratum.request_id";

    /// <summary>Span attribute: the catalog id of the provider (e.g. <c>gemini</c>), next to the convention's <c>gen_ai.provider.name</c> (<c>gcp.gemini</c>).</summary>
    public const string ProviderIdAttribute = "stratum.provider.id";

    /// <summary>Counter: the cost of calls in USD (unit <c>USD</c>), with the same attributes as <c>gen_ai.client.token.usage</c> less the token type.</summary>
    public const string CostMetric = "stratum.client.cost";

    /// <summary>Span event: a retry of the call is about to wait and try again.</summary>
    public const string RetryEvent = "stratum.retry";

    /// <summary>Span event: the call moves on to the next model of its fallback chain.</summary>
    public const string FallbackEvent = "stratum.fallback";

    /// <summary>Span event: a budget refused the call before any request was sent.</summary>
    public const string BudgetRejectedEvent = "stratum.budget.rejected";
}

/// <summary>The OpenTelemetry GenAI semantic convention names StratumAI emits, as Microsoft.Extensions.AI spells them.</summary>
internal static class GenAI
{
    public const string OperationName = "gen_ai.operation.name";
    public const string ProviderName = "gen_ai.provider.name";
    public const string RequestModel = "gen_ai.request.model";
    public const string RequestMaxTokens = "gen_ai.request.max_tokens";
    public const string RequestTemperature = "gen_ai.request.temperature";
    public const string RequestTopP = "gen_ai.request.top_p";
    public const string RequestTopK = "gen_ai.request.top_k";
    public const string RequestFrequencyPenalty = "gen_ai.request.frequency_penalty";
    public const string RequestPresencePenalty = "gen_ai.request.presence_penalty";
    public const string RequestSeed = "gen_ai.request.seed";
    public const string RequestStopSequences = "gen_ai.request.stop_sequences";
    public const string ResponseId = "gen_ai.response.id";
    public const string ResponseModel = "gen_ai.response.model";
    public const string ResponseFinishReasons = "gen_ai.response.finish_reasons";
    public const string UsageInputTokens = "gen_ai.usage.input_tokens";
    public const string UsageOutputTokens = "gen_ai.usage.output_tokens";
    public const string UsageCacheReadInputTokens = "gen_ai.usage.cache_read.input_tokens";
    public const string UsageCacheCreationInputTokens = "gen_ai.usage.cache_creation.input_tokens";
    public const string UsageReasoningOutputTokens = "gen_ai.usage.reasoning.output_tokens";
    public const string InputMessages = "gen_ai.input.messages";
    public const string OutputMessages = "gen_ai.output.messages";
    public const string TokenType = "gen_ai.token.type";
    public const string ServerAddress = "server.address";
    public const string ServerPort = "server.port";
    public const string ErrorType = "error.type";
    public const string HttpResponseStatusCode = "http.response.status_code";
    public const string TokenUsageMetric = "gen_ai.client.token.usage";
    public const string OperationDurationMetric = "gen_ai.client.operation.duration";
    public const string TimeToFirstChunkMetric = "gen_ai.client.operation.time_to_first_chunk";
    public const string ResponseTimeToFirstChunk = "gen_ai.response.time_to_first_chunk";
    public const string ChatOperation = "chat";

    // The convention's recommended bucket boundaries for its two histograms.
    public static readonly double[] DurationBuckets = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
    public static readonly long[] TokenBuckets = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];

    /// <summary>
    /// Maps a catalog provider id to the convention's well-known <c>gen_ai.provider.name</c> value; a provider the
    /// convention does not list keeps its catalog id (which is what the convention asks for custom providers).
    /// </summary>
    public static string ProviderNameOf(string providerId) => providerId.ToUpperInvariant() switch
    {
        "OPENAI" => "openai",
        "ANTHROPIC" => "anthropic",
        "GEMINI" or "GOOGLE" => "gcp.gemini",
        "VERTEX" or "VERTEXAI" or "VERTEX_AI" => "gcp.vertex_ai",
        "DEEPSEEK" => "deepseek",
        "GROQ" => "groq",
        "XAI" or "X_AI" => "x_ai",
        "MISTRAL" or "MISTRALAI" or "MISTRAL_AI" => "mistral_ai",
        "PERPLEXITY" => "perplexity",
        "COHERE" => "cohere",
        "AZURE" or "AZURE_OPENAI" or "AZURE-OPENAI" or "AZUREOPENAI" => "azure.ai.openai",
        "BEDROCK" or "AWS_BEDROCK" or "AWS-BEDROCK" => "aws.bedrock",
        "WATSONX" => "ibm.watsonx.ai",
        _ => providerId,
    };
}
