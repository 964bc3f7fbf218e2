using System.Globalization;
using System.Text;

namespace StratumAI;

/// <summary>Settings of a <see cref="StratumClient"/>: provider credentials and endpoints, timeouts, the model catalog.</summary>
/// <remarks>
/// <para>Bound from configuration by <c>AddStratumAI(configuration)</c>, e.g. the section</para>
/// <code>
/// "StratumAI": {
///   "DefaultModel": "gpt-4o",
///   "Timeout": "00:02:00",
///   "Providers": { "openai": { "ApiKey": "...", "BaseUrl": "https://my-proxy/v1", "Headers": { "OpenAI-Project": "proj_1" }, "AllowInsecureHttp": false } }
/// }
/// </code>
/// <para><see cref="ToString"/> never shows API keys or header values.</para>
/// </remarks>
public sealed class StratumClientOptions
{
    /// <summary>The default per-call timeout: ten minutes, since reasoning models can think for minutes.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(10);

    /// <summary>Per-provider settings, keyed by catalog provider id (<c>openai</c>, <c>deepseek</c>, …; case-insensitive).</summary>
    public IDictionary<string, ProviderOptions> Providers { get; } = new Dictionary<string, ProviderOptions>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The longest a single model call may take before it fails with <see cref="StratumTimeoutException"/>.
    /// <value>Defaults to <see cref="DefaultTimeout"/>; <see cref="Timeout.InfiniteTimeSpan"/> disables it.</value>
    /// </summary>
    public TimeSpan Timeout { get; set; } = DefaultTimeout;

    /// <summary>
    /// Whether a request that is certainly invalid for its model's provider is refused before it is sent: an option outside
    /// the range the provider documents (<c>MaxOutputTokens</c> under 1, an Anthropic temperature over 1, a top-p outside
    /// [0, 1], a penalty outside [-2, 2], a non-finite number), no message to send, or a prompt certainly larger than the
    /// model's context window. The first fail with <see cref="StratumInvalidRequestException"/>, the last with
    /// <see cref="StratumContextWindowExceededException"/> (a fallback to a model with a larger window takes over).
    /// <value>Defaults to true. Turn it off only if a provider starts accepting values it refused when this was written.</value>
    /// </summary>
    public bool ValidateRequests { get; set; } = true;

    /// <summary>
    /// The catalog models are looked up in.
    /// <value>Defaults to <see cref="ModelRegistry.Default"/>, which generated catalogs register into.</value>
    /// </summary>
    public ModelRegistry Models { get; set; } = ModelRegistry.Default;

    /// <summary>
    /// Id or alias of the model that dependency injection exposes as <see cref="Microsoft.Extensions.AI.IChatClient"/>,
    /// or null to register no <see cref="Microsoft.Extensions.AI.IChatClient"/>.
    /// </summary>
    public string? DefaultModel { get; set; }

    /// <summary>
    /// Middleware that every call made through the <see cref="StratumClient"/> goes through — its
    /// <c>GetResponseAsync</c>/<c>GetStreamingResponseAsync</c> methods, the clients from <see cref="StratumClient.GetChatClient(ModelInfo)"/>,
    /// the generated typed provider clients and the <c>[LlmCall]</c> methods that use the client — or null for none.
    /// </summary>
    /// <remarks>
    /// Called once, when the <see cref="StratumClient"/> is created, with a builder whose inner client sends each request to the
    /// catalog model named by <see cref="Microsoft.Extensions.AI.ChatOptions.ModelId"/> (the client sets it to the model of the call).
    /// Add middleware in the usual order, outermost first, e.g.
    /// <c>options.Pipeline = b =&gt; b.UseStratumCostTracking(tracker);</c>. Middleware may change the model of a call (fallbacks, routing)
    /// by setting <see cref="Microsoft.Extensions.AI.ChatOptions.ModelId"/> to another catalog id.
    /// </remarks>
    public Action<Microsoft.Extensions.AI.ChatClientBuilder>? Pipeline { get; set; }

    /// <summary>
    /// Middleware every embedding call of the client goes through (cost tracking, budgets, cache, telemetry), or null for none.
    /// </summary>
    /// <value>Default null.</value>
    /// <remarks>
    /// Called once per embedding model, the first time <see cref="StratumClient.GetEmbeddingGenerator(ModelInfo)"/> is asked for
    /// it, with a builder whose inner generator is that model's; add middleware outermost first, e.g.
    /// <c>options.EmbeddingPipeline = b =&gt; b.UseStratumBudget(budgets).UseStratumCostTracking(tracker);</c>. The same
    /// <c>UseStratum…</c> names as for chat, on <see cref="Microsoft.Extensions.AI.EmbeddingGeneratorBuilder{TInput, TEmbedding}"/>.
    /// </remarks>
    public Action<Microsoft.Extensions.AI.EmbeddingGeneratorBuilder<string, Microsoft.Extensions.AI.Embedding<float>>>? EmbeddingPipeline { get; set; }

    /// <summary>Gets the settings of a provider, creating empty ones when absent.</summary>
    /// <param name="providerId">The catalog provider id, e.g. <c>openai</c>.</param>
    /// <returns>The provider's settings, which the caller may change.</returns>
    /// <exception cref="ArgumentException"><paramref name="providerId"/> is null or empty.</exception>
    public ProviderOptions Provider(string providerId)
    {
        ArgumentException.ThrowIfNullOrEmpty(providerId);
        if (!Providers.TryGetValue(providerId, out var options))
        {
            options = new ProviderOptions();
            Providers[providerId] = options;
        }

        return options;
    }

    /// <inheritdoc />
    public override string ToString()
    {
        var builder = new StringBuilder("StratumClientOptions { ");
        builder.Append(CultureInfo.InvariantCulture, $"Timeout = {Timeout}, DefaultModel = {DefaultModel ?? "(none)"}, Pipeline = {(Pipeline is null ? "none" : "configured")}, Providers = [");
        var first = true;
        foreach (var pair in Providers.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            builder.Append(first ? " " : ", ").Append(pair.Key).Append(" = ").Append(pair.Value);
            first = false;
        }

        builder.Append(" ] }");
        return builder.ToString();
    }
}

/// <summary>Settings of one provider: its API key, base URL override, extra headers and whether plain HTTP may carry them.</summary>
/// <remarks><see cref="ToString"/> shows whether a key is set, never the key; header names, never header values.</remarks>
public sealed class ProviderOptions
{
    private Microsoft.Extensions.AI.IChatClient? _chatClient;
    private Func<CancellationToken, ValueTask<string>>? _accessToken;

    /// <summary>
    /// The API key. When null, the key is read from the environment variable the catalog names for the provider
    /// (<see cref="ProviderInfo.ApiKeyEnvironmentVariable"/>).
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>Overrides the catalog's base URL (<see cref="ProviderInfo.BaseUrl"/>), e.g. for a proxy or a local server.</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>Extra HTTP headers sent with every request to the provider (case-insensitive names).</summary>
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Allows sending credentials (the API key, extra <see cref="Headers"/>, user info in the URL) over plain <c>http://</c>
    /// to a host that is not loopback. Without it (or the catalog's <c>allow_insecure_http: true</c>,
    /// <see cref="ProviderInfo.AllowInsecureHttp"/>), such a call fails with <see cref="InvalidOperationException"/> before
    /// anything is sent. Loopback hosts (<c>localhost</c>, 127.0.0.0/8, <c>[::1]</c>) and requests that carry no credential
    /// (a keyless local server such as Ollama on another machine) are always allowed. Configuration key:
    /// <c>StratumAI:Providers:{id}:AllowInsecureHttp</c>.
    /// </summary>
    /// <value>Default false. Set it only when the network path to the server is trusted (a private network, a sidecar).</value>
    public bool AllowInsecureHttp { get; set; }

    /// <summary>
    /// The requests per minute this provider allows the key (all models together), for <c>UseStratumRateLimits</c>: calls wait
    /// for a permit before they are sent instead of drawing a 429. Replaces the catalog's <c>rate_limits</c> of the provider.
    /// Configuration key: <c>StratumAI:Providers:{id}:RequestsPerMinute</c>.
    /// </summary>
    /// <value>Default null: the catalog's limit, if it states one.</value>
    public int? RequestsPerMinute { get; set; }

    /// <summary>
    /// The tokens per minute this provider allows the key (all models together), for <c>UseStratumRateLimits</c>. Configuration
    /// key: <c>StratumAI:Providers:{id}:TokensPerMinute</c>.
    /// </summary>
    /// <value>Default null: the catalog's limit, if it states one.</value>
    public long? TokensPerMinute { get; set; }

    /// <summary>
    /// Serves this provider's catalog models with <paramref name="client"/> instead of a StratumAI dialect client: required
    /// for a provider whose catalog dialect is <c>external</c> (AWS Bedrock, Google Vertex, an in-house gateway, each through
    /// its own Microsoft.Extensions.AI adapter), and allowed for any other provider, to send its calls through a client of
    /// your own. The catalog model's id goes in <see cref="Microsoft.Extensions.AI.ChatOptions.ModelId"/> of every call;
    /// prices, budgets, cost tracking, the ledger, the cache, telemetry, fallbacks and request checks apply as to any catalog
    /// model. <see cref="ApiKey"/>, <see cref="BaseUrl"/> and <see cref="Headers"/> are not used (the client carries its own),
    /// and its exceptions pass through unmapped: resilience retries only the transport failures
    /// (<see cref="HttpRequestException"/>, <see cref="IOException"/>) among them. StratumAI never disposes the client.
    /// </summary>
    /// <remarks>A method, not a property: configuration binding (<c>StratumAI:Providers:{id}</c>) cannot make a client.</remarks>
    /// <param name="client">The client; null returns the provider to its catalog dialect.</param>
    /// <returns>These options.</returns>
    public ProviderOptions UseChatClient(Microsoft.Extensions.AI.IChatClient? client)
    {
        _chatClient = client;
        return this;
    }

    /// <summary>
    /// Authenticates this provider's requests with a bearer token instead of an API key: every request is sent with
    /// <c>Authorization: Bearer {token}</c>, the token asked of <paramref name="accessToken"/> just before that request is
    /// sent (so a delegate that caches and refreshes its token, as Azure.Identity's credentials do, is asked every time).
    /// Made for Azure OpenAI with Microsoft Entra ID (docs/providers/azure-openai.md shows the three lines that adapt a
    /// <c>TokenCredential</c>); any dialect sends the token the same way. With a token provider no <see cref="ApiKey"/> or
    /// key environment variable is needed or sent. The token is never logged, never put in an exception, and
    /// <see cref="ToString"/> shows only that a provider is set. A delegate that throws or returns no token fails the call
    /// with <see cref="StratumAuthenticationException"/> (its exception as the cause) before anything is sent.
    /// </summary>
    /// <remarks>A method, not a property: configuration binding (<c>StratumAI:Providers:{id}</c>) cannot make a delegate.</remarks>
    /// <param name="accessToken">Returns a current token; null goes back to the API key.</param>
    /// <returns>These options.</returns>
    public ProviderOptions UseAccessToken(Func<CancellationToken, ValueTask<string>>? accessToken)
    {
        _accessToken = accessToken;
        return this;
    }

    /// <summary>The delegate set by <see cref="UseAccessToken"/>, or null.</summary>
    internal Func<CancellationToken, ValueTask<string>>? AccessTokenProvider() => _accessToken;

    /// <summary>The client bound by <see cref="UseChatClient"/>, or null.</summary>
    /// <remarks>A method over a field: the configuration binder's source generator inspects properties, even internal ones.</remarks>
    internal Microsoft.Extensions.AI.IChatClient? BoundChatClient() => _chatClient;

    /// <inheritdoc />
    public override string ToString()
    {
        var headers = string.Join(", ", Headers.Keys.OrderBy(k => k, StringComparer.Ordinal));
        return $"{{ ApiKey = {(string.IsNullOrEmpty(ApiKey) ? "(not set)" : "***")}{(_accessToken is null ? string.Empty : ", AccessToken = (provider)")}, BaseUrl = {(BaseUrl is null ? "(catalog)" : Dialects.DialectHttp.Display(BaseUrl))}, Headers = [{headers}]{(AllowInsecureHttp ? ", AllowInsecureHttp = true" : string.Empty)}{(_chatClient is null ? string.Empty : $", ChatClient = {_chatClient.GetType().Name}")} }}";
    }
}
