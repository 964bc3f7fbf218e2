using System.Collections.Concurrent;
using Microsoft.Extensions.AI;
using StratumAI.Dialects;

namespace StratumAI;

/// <summary>
/// The entry point of StratumAI: calls any catalog model through the wire dialect its catalog entry names,
/// with credentials and endpoints from <see cref="StratumClientOptions"/>, and attaches the exact cost
/// (<see cref="ChatResponseStratumExtensions.GetCost"/>) and catalog model
/// (<see cref="ChatResponseStratumExtensions.GetModelInfo"/>) to every response.
/// </summary>
/// <remarks>
/// <para>Thread-safe: create one and share it (dependency injection registers it as a singleton). One
/// <see cref="IChatClient"/> is created per model and cached.</para>
/// <para>API keys come from <see cref="ProviderOptions.ApiKey"/>, else from the environment variable the catalog
/// names (<see cref="ProviderInfo.ApiKeyEnvironmentVariable"/>). A provider that needs a key and has none fails with
/// <see cref="StratumAuthenticationException"/> before any request is sent.</para>
/// <para>Credentials never cross the network unencrypted by accident: a provider whose base URL is plain <c>http://</c> to a
/// host that is not loopback, and whose requests would carry an API key, extra headers or URL user info, fails with
/// <see cref="InvalidOperationException"/> before any request is sent, unless <see cref="ProviderOptions.AllowInsecureHttp"/>
/// or the catalog's <see cref="ProviderInfo.AllowInsecureHttp"/> allows it.</para>
/// </remarks>
public sealed partial class StratumClient : IDisposable
{
    private readonly IServiceProvider? _services;
    private readonly StratumClientOptions _options;
    private readonly HttpClient _httpClient;
    private readonly bool _ownsHttpClient;
    private readonly ConcurrentDictionary<ModelInfo, IChatClient> _clients = new(ReferenceEqualityComparer.Instance);
    private readonly ConcurrentDictionary<ModelInfo, IEmbeddingGenerator<string, Embedding<float>>> _embeddingGenerators = new(ReferenceEqualityComparer.Instance);
    private readonly ConcurrentDictionary<string, SecretRedactor> _redactors = new(StringComparer.Ordinal);
    private readonly IChatClient? _pipeline;
    private StratumDispatcher? _dispatcher;
    private volatile bool _disposed;

    /// <summary>How long the client a <see cref="StratumClient"/> creates for itself keeps a pooled connection: 5 minutes.</summary>
    internal static readonly TimeSpan OwnedConnectionLifetime = TimeSpan.FromMinutes(5);

    /// <summary>Creates a client.</summary>
    /// <param name="options">Settings; null uses the defaults (keys from environment variables, the default catalog).</param>
    /// <param name="httpClient">
    /// The HTTP client to send requests with, or null to create (and own) one, whose pooled connections are renewed every
    /// 5 minutes so that a long-lived client follows a provider's DNS changes. A client passed in is not disposed.
    /// </param>
    public StratumClient(StratumClientOptions? options = null, HttpClient? httpClient = null)
        : this(options, httpClient, services: null)
    {
    }

    /// <summary>Creates a client whose <see cref="StratumClientOptions.Pipeline"/> is built with a service provider.</summary>
    /// <param name="options">Settings; null uses the defaults (keys from environment variables, the default catalog).</param>
    /// <param name="httpClient">
    /// The HTTP client to send requests with, or null to create (and own) one, whose pooled connections are renewed every
    /// 5 minutes so that a long-lived client follows a provider's DNS changes. A client passed in is not disposed.
    /// </param>
    /// <param name="services">
    /// The services middleware of the pipeline may resolve (a cache, a logger factory, …) through
    /// <see cref="ChatClientBuilder.Build(IServiceProvider?)"/>, and where the <see cref="IChatClient"/> of a provider with the
    /// dialect <c>external</c> is found when its options bind none (a keyed service whose key is the provider id,
    /// <c>services.AddKeyedChatClient("bedrock", …)</c>); null for none. <c>AddStratumAI</c> passes the container's.
    /// </param>
    public StratumClient(StratumClientOptions? options, HttpClient? httpClient, IServiceProvider? services)
    {
        _options = options ?? new StratumClientOptions();
        if (httpClient is null)
        {
            // StratumClientOptions.Timeout governs calls; HttpClient's own 100 s default would cut reasoning models short.
            // Pooled connections are renewed every few minutes, so a long-lived client follows DNS changes of a provider.
            OwnedHandler = new SocketsHttpHandler { PooledConnectionLifetime = OwnedConnectionLifetime };
            _httpClient = new HttpClient(OwnedHandler, disposeHandler: true)
            {
                Timeout = System.Threading.Timeout.InfiniteTimeSpan,
            };
            _ownsHttpClient = true;
        }
        else
        {
            _httpClient = httpClient;
        }

        _services = services;
        if (_options.Pipeline is { } configure)
        {
            var builder = new ChatClientBuilder(new StratumDispatcher(this));
            configure(builder);
            _pipeline = builder.Build(services);
        }
    }

    /// <summary>The catalog models are resolved in (<see cref="StratumClientOptions.Models"/>).</summary>
    public ModelRegistry Models => _options.Models;

    /// <summary>The handler of the HTTP client this client created for itself, or null when one was passed in.</summary>
    internal SocketsHttpHandler? OwnedHandler { get; }

    /// <summary>The settings this client was created with.</summary>
    public StratumClientOptions Options => _options;

    /// <summary>
    /// Gets the chat client for a model: its dialect's client, with cost accounting and the timeout applied, behind the
    /// middleware of <see cref="StratumClientOptions.Pipeline"/> when one is configured.
    /// </summary>
    /// <param name="model">The catalog model.</param>
    /// <returns>A thread-safe chat client. Do not dispose it; disposing the <see cref="StratumClient"/> does.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="model"/> is an embedding model (<see cref="ModelCapabilities.Embeddings"/>):
    /// use <see cref="GetEmbeddingGenerator(ModelInfo)"/>.</exception>
    /// <exception cref="NotSupportedException">The model's dialect is not implemented yet.</exception>
    /// <exception cref="StratumAuthenticationException">The provider needs an API key and none is configured.</exception>
    /// <exception cref="InvalidOperationException">Neither the options nor the catalog give the provider a base URL, or the
    /// call would send credentials over plain HTTP to a host that is not loopback without <see cref="ProviderOptions.AllowInsecureHttp"/>.</exception>
    /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
    public IChatClient GetChatClient(ModelInfo model)
    {
        ArgumentNullException.ThrowIfNull(model);
        ObjectDisposedException.ThrowIf(_disposed, this);
        RefuseEmbeddingModel(model);
        return _pipeline is null ? GetDirectChatClient(model) : new StratumModelEntry(_pipeline, model);
    }

    /// <summary>
    /// An <see cref="IChatClient"/> that sends each request to the catalog model named by <see cref="ChatOptions.ModelId"/>,
    /// without <see cref="StratumClientOptions.Pipeline"/>: where a pipeline of your own starts
    /// (<c>stratum.AsChatClient().AsBuilder().UseStratumCache().Build()</c>), and the natural inner client of a pipeline that
    /// ends in a router or fallbacks.
    /// </summary>
    /// <returns>A thread-safe chat client; disposing it does not dispose this client.</returns>
    /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
    public IChatClient AsChatClient()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _dispatcher ??= new StratumDispatcher(this);
    }

    /// <summary>The dialect client of a model with cost and timeout applied, without <see cref="StratumClientOptions.Pipeline"/>.</summary>
    internal IChatClient GetDirectChatClient(ModelInfo model)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_clients.TryGetValue(model, out var existing))
        {
            return existing;
        }

        // Built outside GetOrAdd's lock-free race on purpose: a failed build (missing key) caches nothing,
        // so setting the key later works. A losing duplicate holds no resources of its own.
        var created = CreateChatClient(model);
        return _clients.GetOrAdd(model, created);
    }

    /// <summary>Gets the chat client for a model id or alias from <see cref="Models"/>.</summary>
    /// <param name="modelIdOrAlias">The model id or alias, e.g. <c>gpt-4o</c>.</param>
    /// <returns>A thread-safe chat client, cached per model.</returns>
    /// <exception cref="ArgumentException"><paramref name="modelIdOrAlias"/> is null or empty.</exception>
    /// <exception cref="StratumModelNotFoundException">No catalog model has that id or alias.</exception>
    /// <exception cref="NotSupportedException">The model's dialect is not implemented yet.</exception>
    /// <exception cref="StratumAuthenticationException">The provider needs an API key and none is configured.</exception>
    public IChatClient GetChatClient(string modelIdOrAlias) => GetChatClient(ResolveModel(modelIdOrAlias));

    /// <summary>
    /// Gets the embedding generator of a catalog embedding model (<see cref="ModelCapabilities.Embeddings"/>): its dialect's
    /// embeddings API, with the timeout applied and the exact cost (<see cref="GeneratedEmbeddingsStratumExtensions.GetCost"/>)
    /// and catalog model attached to every result, behind the middleware of <see cref="StratumClientOptions.EmbeddingPipeline"/>
    /// when one is configured.
    /// </summary>
    /// <param name="model">The catalog embedding model.</param>
    /// <returns>
    /// A thread-safe generator, one per model, cached. Many inputs are sent in as few requests as the provider's limits allow
    /// (OpenAI 2,048 inputs and 300,000 tokens per request, Gemini 100 inputs). Do not dispose it; disposing the
    /// <see cref="StratumClient"/> does.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="model"/> is not an embedding model: use <see cref="GetChatClient(ModelInfo)"/>.</exception>
    /// <exception cref="NotSupportedException">The model's dialect has no embeddings API in StratumAI (Anthropic, <c>external</c>).</exception>
    /// <exception cref="StratumAuthenticationException">The provider needs an API key and none is configured.</exception>
    /// <exception cref="InvalidOperationException">Neither the options nor the catalog give the provider a base URL, or the
    /// call would send credentials over plain HTTP to a host that is not loopback without <see cref="ProviderOptions.AllowInsecureHttp"/>.</exception>
    /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
    public IEmbeddingGenerator<string, Embedding<float>> GetEmbeddingGenerator(ModelInfo model)
    {
        ArgumentNullException.ThrowIfNull(model);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!model.Supports(ModelCapabilities.Embeddings))
        {
            throw new ArgumentException(
                $"Model '{model}' is not an embedding model (its catalog capabilities do not include 'embeddings'): it chats, through GetChatClient. "
                + "Choose an embedding model, e.g. Model.TextEmbedding3Small, or add 'embeddings' to a model of your own catalog.",
                nameof(model));
        }

        if (_embeddingGenerators.TryGetValue(model, out var existing))
        {
            return existing;
        }

        // As for chat clients: a failed build (missing key) caches nothing; a losing duplicate holds nothing of its own.
        var created = CreateEmbeddingGenerator(model);
        return _embeddingGenerators.GetOrAdd(model, created);
    }

    /// <summary>Gets the embedding generator of an embedding model named by id or alias in <see cref="Models"/>.</summary>
    /// <param name="modelIdOrAlias">The model id or alias, e.g. <c>text-embedding-3-small</c>.</param>
    /// <returns>A thread-safe generator, cached per model.</returns>
    /// <exception cref="ArgumentException"><paramref name="modelIdOrAlias"/> is null or empty, or names a model that is not an embedding model.</exception>
    /// <exception cref="StratumModelNotFoundException">No catalog model has that id or alias.</exception>
    /// <exception cref="NotSupportedException">The model's dialect has no embeddings API in StratumAI.</exception>
    /// <exception cref="StratumAuthenticationException">The provider needs an API key and none is configured.</exception>
    public IEmbeddingGenerator<string, Embedding<float>> GetEmbeddingGenerator(string modelIdOrAlias) => GetEmbeddingGenerator(ResolveModel(modelIdOrAlias));

    /// <summary>Sends a conversation to a model and returns its answer, with cost attached.</summary>
    /// <param name="model">The catalog model.</param>
    /// <param name="messages">The conversation.</param>
    /// <param name="options">Per-call options, or null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response; <see cref="ChatResponseStratumExtensions.GetCost"/> gives its cost.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> or <paramref name="messages"/> is null.</exception>
    /// <exception cref="StratumException">The call failed; the subclass says how (rate limit, authentication, timeout, …).</exception>
    /// <exception cref="NotSupportedException">The model's dialect is not implemented yet.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<ChatResponse> GetResponseAsync(ModelInfo model, IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return GetChatClient(model).GetResponseAsync(messages, options, cancellationToken);
    }

    /// <summary>Sends a conversation to a model named by id or alias and returns its answer, with cost attached.</summary>
    /// <param name="modelIdOrAlias">The model id or alias, e.g. <c>gpt-4o</c>.</param>
    /// <param name="messages">The conversation.</param>
    /// <param name="options">Per-call options, or null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response.</returns>
    /// <exception cref="StratumModelNotFoundException">No catalog model has that id or alias.</exception>
    /// <exception cref="StratumException">The call failed.</exception>
    /// <exception cref="NotSupportedException">The model's dialect is not implemented yet.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<ChatResponse> GetResponseAsync(string modelIdOrAlias, IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        GetResponseAsync(ResolveModel(modelIdOrAlias), messages, options, cancellationToken);

    /// <summary>Sends one user prompt to a model and returns its answer, with cost attached.</summary>
    /// <param name="model">The catalog model.</param>
    /// <param name="prompt">The user message.</param>
    /// <param name="options">Per-call options, or null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> or <paramref name="prompt"/> is null.</exception>
    /// <exception cref="StratumException">The call failed.</exception>
    /// <exception cref="NotSupportedException">The model's dialect is not implemented yet.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<ChatResponse> GetResponseAsync(ModelInfo model, string prompt, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        return GetResponseAsync(model, [new ChatMessage(ChatRole.User, prompt)], options, cancellationToken);
    }

    /// <summary>Sends one user prompt to a model named by id or alias and returns its answer, with cost attached.</summary>
    /// <param name="modelIdOrAlias">The model id or alias.</param>
    /// <param name="prompt">The user message.</param>
    /// <param name="options">Per-call options, or null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response.</returns>
    /// <exception cref="StratumModelNotFoundException">No catalog model has that id or alias.</exception>
    /// <exception cref="StratumException">The call failed.</exception>
    /// <exception cref="NotSupportedException">The model's dialect is not implemented yet.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<ChatResponse> GetResponseAsync(string modelIdOrAlias, string prompt, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        GetResponseAsync(ResolveModel(modelIdOrAlias), prompt, options, cancellationToken);

    /// <summary>Streams a model's answer. The update that carries usage also carries the cost under <see cref="StratumUsageKeys.Cost"/>.</summary>
    /// <param name="model">The catalog model.</param>
    /// <param name="messages">The conversation.</param>
    /// <param name="options">Per-call options, or null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The updates, in order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> or <paramref name="messages"/> is null.</exception>
    /// <exception cref="StratumException">The call failed.</exception>
    /// <exception cref="NotSupportedException">The model's dialect is not implemented yet.</exception>
    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(ModelInfo model, IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return GetChatClient(model).GetStreamingResponseAsync(messages, options, cancellationToken);
    }

    /// <summary>Streams the answer of a model named by id or alias. The update that carries usage also carries the cost.</summary>
    /// <param name="modelIdOrAlias">The model id or alias.</param>
    /// <param name="messages">The conversation.</param>
    /// <param name="options">Per-call options, or null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The updates, in order.</returns>
    /// <exception cref="StratumModelNotFoundException">No catalog model has that id or alias.</exception>
    /// <exception cref="StratumException">The call failed.</exception>
    /// <exception cref="NotSupportedException">The model's dialect is not implemented yet.</exception>
    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(string modelIdOrAlias, IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        GetStreamingResponseAsync(ResolveModel(modelIdOrAlias), messages, options, cancellationToken);

    /// <summary>Releases the HTTP client if this instance created it, and every cached chat client.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }

        _clients.Clear();
        foreach (var generator in _embeddingGenerators.Values)
        {
            generator.Dispose();
        }

        _embeddingGenerators.Clear();
        _pipeline?.Dispose();
        if (_ownsHttpClient)
        {
            _httpClient.Dispose();
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"StratumClient {{ {_options} }}";

    /// <summary>Finds the API key for a provider: the options' key, else the catalog's environment variable.</summary>
    /// <returns>The key, or null when the provider needs none.</returns>
    /// <exception cref="StratumAuthenticationException">The provider needs a key and none is configured.</exception>
    internal string? ResolveApiKey(ProviderInfo provider)
    {
        if (_options.Providers.TryGetValue(provider.Id, out var providerOptions) && !string.IsNullOrEmpty(providerOptions.ApiKey))
        {
            return providerOptions.ApiKey;
        }

        var variable = provider.ApiKeyEnvironmentVariable;
        if (string.IsNullOrEmpty(variable))
        {
            return null;
        }

        var fromEnvironment = Environment.GetEnvironmentVariable(variable);
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return fromEnvironment;
        }

        throw new StratumAuthenticationException(
            $"No API key for provider '{provider.Id}'. Set the {variable} environment variable, or StratumClientOptions.Providers[\"{provider.Id}\"].ApiKey (configuration key StratumAI:Providers:{provider.Id}:ApiKey). No request was sent.")
        {
            ProviderId = provider.Id,
            ApiKeyEnvironmentVariable = variable,
        };
    }

    /// <summary>
    /// The sanitizer for the key calls to <paramref name="provider"/> send, built once per key; for a provider with no key,
    /// one that redacts only text shaped like a well-known key. Telemetry cleans a response's provider text with it.
    /// </summary>
    internal SecretRedactor GetRedactor(ProviderInfo provider)
    {
        string? key;
        try
        {
            key = ResolveApiKey(provider);
        }
        catch (StratumAuthenticationException)
        {
            key = null;
        }

        return string.IsNullOrEmpty(key) ? SecretRedactor.KeyShapedOnly : _redactors.GetOrAdd(key, static k => new SecretRedactor(k));
    }

    /// <summary>Finds the base URL for a provider: the options' override, else the catalog's.</summary>
    /// <exception cref="InvalidOperationException">Neither gives one, or the catalog's is not an absolute URL.</exception>
    internal Uri ResolveBaseUrl(ProviderInfo provider)
    {
        if (_options.Providers.TryGetValue(provider.Id, out var providerOptions) && providerOptions.BaseUrl is { } configured)
        {
            if (!configured.IsAbsoluteUri)
            {
                throw new InvalidOperationException(
                    $"StratumClientOptions.Providers[\"{provider.Id}\"].BaseUrl must be an absolute URL such as https://api.example.com/v1; got '{configured}'.");
            }

            return configured;
        }

        if (!string.IsNullOrEmpty(provider.BaseUrl) && Uri.TryCreate(provider.BaseUrl, UriKind.Absolute, out var fromCatalog))
        {
            return fromCatalog;
        }

        throw new InvalidOperationException(
            $"Provider '{provider.Id}' has no base URL: the catalog gives {(string.IsNullOrEmpty(provider.BaseUrl) ? "none" : $"'{provider.BaseUrl}', which is not an absolute URL")}. Set StratumClientOptions.Providers[\"{provider.Id}\"].BaseUrl (configuration key StratumAI:Providers:{provider.Id}:BaseUrl).");
    }

    /// <summary>
    /// Refuses to send credentials — the API key, extra headers (which may hold one, e.g. <c>api-key</c>), user info in the
    /// URL — over plain HTTP to a host that is not loopback, unless the options or the catalog allow it. A request with no
    /// credential (a keyless server such as Ollama) has nothing to leak and may go over plain HTTP anywhere.
    /// </summary>
    /// <exception cref="InvalidOperationException">The call would send credentials unencrypted over the network.</exception>
    private static void EnsureCredentialsStayEncrypted(
        ProviderInfo provider,
        Uri baseUrl,
        string? apiKey,
        KeyValuePair<string, string>[]? headers,
        ProviderOptions? providerOptions)
    {
        if (!string.Equals(baseUrl.Scheme, Uri.UriSchemeHttp, StringComparison.OrdinalIgnoreCase)
            || IsLoopback(baseUrl)
            || provider.AllowInsecureHttp
            || providerOptions is { AllowInsecureHttp: true })
        {
            return;
        }

        var credential = !string.IsNullOrEmpty(apiKey) ? "its API key"
            : providerOptions?.AccessTokenProvider() is not null ? "its access token (ProviderOptions.UseAccessToken)"
            : headers is { Length: > 0 } ? "its extra headers (StratumClientOptions.Providers[\"" + provider.Id + "\"].Headers)"
            : !string.IsNullOrEmpty(baseUrl.UserInfo) ? "the user info of its base URL"
            : null;
        if (credential is null)
        {
            return;
        }

        throw new InvalidOperationException(
            $"Provider '{provider.Id}' would send {credential} over plain HTTP to {DialectHttp.Display(baseUrl)}, a host that is not loopback; nothing was sent. "
            + $"Use an https:// base URL, or, if the network path is trusted, set StratumClientOptions.Providers[\"{provider.Id}\"].AllowInsecureHttp = true "
            + $"(configuration key StratumAI:Providers:{provider.Id}:AllowInsecureHttp) or 'allow_insecure_http: true' on the provider in the catalog.");
    }

    /// <summary><c>localhost</c>, 127.0.0.0/8 and <c>[::1]</c> (also IPv4-mapped): traffic that never leaves the machine.</summary>
    private static bool IsLoopback(Uri uri)
    {
        var host = uri.DnsSafeHost;
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (!System.Net.IPAddress.TryParse(host, out var address))
        {
            return false;
        }

        return System.Net.IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);
    }

    internal ModelInfo ResolveModel(string modelIdOrAlias)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelIdOrAlias);
        if (_options.Models.TryGet(modelIdOrAlias, out var model))
        {
            return model;
        }

        throw new StratumModelNotFoundException(
            $"The model '{modelIdOrAlias}' is not in the catalog (StratumClient.Models). Check the id, or add the model to a catalog file.")
        {
            ModelId = modelIdOrAlias,
        };
    }

    /// <summary>
    /// The application's client for <paramref name="model"/>'s provider: bound in its options
    /// (<see cref="ProviderOptions.UseChatClient"/>), else, for an <c>external</c> provider, the keyed <see cref="IChatClient"/>
    /// service whose key is the provider id.
    /// </summary>
    private IChatClient? BoundChatClient(ModelInfo model)
    {
        var providerId = model.Provider.Id;
        if (_options.Providers.TryGetValue(providerId, out var providerOptions) && providerOptions.BoundChatClient() is { } bound)
        {
            return bound;
        }

        return model.Dialect == DialectNames.External && _services is Microsoft.Extensions.DependencyInjection.IKeyedServiceProvider keyed
            ? keyed.GetKeyedService(typeof(IChatClient), providerId) as IChatClient
            : null;
    }

    /// <summary>An embedding model asked for a chat client: refused before anything is built or sent.</summary>
    private static void RefuseEmbeddingModel(ModelInfo model)
    {
        if (model.Supports(ModelCapabilities.Embeddings))
        {
            throw new ArgumentException(
                $"Model '{model}' is an embedding model (catalog capability 'embeddings'): it does not chat. Use StratumClient.GetEmbeddingGenerator for it, "
                + "or choose a chat model. No request was sent.",
                nameof(model));
        }
    }

    private IEmbeddingGenerator<string, Embedding<float>> CreateEmbeddingGenerator(ModelInfo model)
    {
        var inner = CreateDialectEmbeddingGenerator(model);
        IEmbeddingGenerator<string, Embedding<float>> generator = new StratumModelEmbeddingGenerator(inner, model, _options.Timeout);
        if (_options.EmbeddingPipeline is { } configure)
        {
            var builder = new EmbeddingGeneratorBuilder<string, Embedding<float>>(generator);
            configure(builder);
            generator = builder.Build(_services);
        }

        return generator;
    }

    /// <summary>The dialect's embedding generator of <paramref name="model"/>, with its key, base URL, headers and access token: no timeout, cost or pipeline.</summary>
    private IEmbeddingGenerator<string, Embedding<float>> CreateDialectEmbeddingGenerator(ModelInfo model)
    {
        var createGenerator = DialectRegistry.GetEmbeddings(model);
        var (apiKey, baseUrl, headers, accessToken) = ResolveEndpoint(model.Provider);
        var inner = createGenerator(_httpClient, baseUrl, apiKey, model.Id, headers, model.Provider.Id, model.Dimensions);
        if (accessToken is not null && inner is DialectHost host)
        {
            host.AccessToken = accessToken;
        }

        return inner;
    }

    /// <summary>
    /// The key, base URL, extra headers and access token calls to <paramref name="provider"/> use, refused when they would leak
    /// a credential. A provider that authenticates with a token (<see cref="ProviderOptions.UseAccessToken"/>) needs no key:
    /// none is looked up or sent.
    /// </summary>
    private (string? ApiKey, Uri BaseUrl, KeyValuePair<string, string>[]? Headers, Func<CancellationToken, ValueTask<string>>? AccessToken) ResolveEndpoint(ProviderInfo provider)
    {
        _options.Providers.TryGetValue(provider.Id, out var providerOptions);
        var accessToken = providerOptions?.AccessTokenProvider();
        var apiKey = accessToken is null ? ResolveApiKey(provider) : null;
        var baseUrl = ResolveBaseUrl(provider);
        KeyValuePair<string, string>[]? headers = providerOptions?.Headers.ToArray();
        EnsureCredentialsStayEncrypted(provider, baseUrl, apiKey, headers, providerOptions);
        return (apiKey, baseUrl, headers, accessToken);
    }

    private StratumModelChatClient CreateChatClient(ModelInfo model)
    {
        RefuseEmbeddingModel(model);
        var provider = model.Provider;
        if (BoundChatClient(model) is { } external)
        {
            // The application's own client serves this provider: no key, URL or headers of ours go with it.
            return new StratumModelChatClient(new ExternalChatClient(external, model), model, _options.Timeout, _options.ValidateRequests);
        }

        var createDialectClient = DialectRegistry.Get(model);
        if (model.Dialect == DialectNames.External)
        {
            // Before the key and the URL are resolved: an external provider has neither, and the missing client is what to say.
            throw DialectRegistry.Unbound(provider.Id, model.Id);
        }

        var (apiKey, baseUrl, headers, accessToken) = ResolveEndpoint(provider);
        var inner = createDialectClient(_httpClient, baseUrl, apiKey, model.Id, headers, provider.Id);
        if (accessToken is not null && inner is DialectHost dialectClient)
        {
            dialectClient.AccessToken = accessToken;
        }

        return new StratumModelChatClient(inner, model, _options.Timeout, _options.ValidateRequests);
    }
}
