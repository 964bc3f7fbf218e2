using Microsoft.Extensions.AI;

namespace StratumAI.Dialects;

/// <summary>Makes the client of one dialect for one model: what <see cref="StratumClient"/> calls for a catalog model.</summary>
/// <param name="httpClient">The client's shared HTTP client.</param>
/// <param name="baseUri">The provider's base URL.</param>
/// <param name="apiKey">The provider's API key, or null.</param>
/// <param name="modelId">The model id the provider expects.</param>
/// <param name="headers">The provider's configured extra headers, or null.</param>
/// <param name="providerId">The provider id reported in errors and telemetry.</param>
internal delegate IChatClient DialectFactory(
    HttpClient httpClient,
    Uri baseUri,
    string? apiKey,
    string modelId,
    IEnumerable<KeyValuePair<string, string>>? headers,
    string providerId);

/// <summary>Makes the embedding generator of one dialect for one embedding model.</summary>
/// <param name="httpClient">The client's shared HTTP client.</param>
/// <param name="baseUri">The provider's base URL.</param>
/// <param name="apiKey">The provider's API key, or null.</param>
/// <param name="modelId">The model id the provider expects.</param>
/// <param name="headers">The provider's configured extra headers, or null.</param>
/// <param name="providerId">The provider id reported in errors and telemetry.</param>
/// <param name="dimensions">The catalog's vector length of the model, for the generator's metadata, or null.</param>
internal delegate IEmbeddingGenerator<string, Embedding<float>> EmbeddingFactory(
    HttpClient httpClient,
    Uri baseUri,
    string? apiKey,
    string modelId,
    IEnumerable<KeyValuePair<string, string>>? headers,
    string providerId,
    int? dimensions);

/// <summary>
/// One dialect's registration: how its client is made, and what its API certainly refuses (the ranges
/// <see cref="RequestValidator"/> checks before a request is sent). Both are required, so a new dialect cannot run with
/// another's rules by default.
/// </summary>
/// <param name="Create">Makes the dialect's client for one model.</param>
/// <param name="Rules">What the API refuses, for a provider whose documentation gives the API's ranges
/// (<see cref="RequestValidator.DocumentsRanges"/>).</param>
/// <param name="RulesForOtherServers">What is checked for any other server of the dialect (an OpenAI-compatible server may
/// accept wider ranges); null when it is <paramref name="Rules"/>.</param>
/// <param name="CreateEmbeddings">Makes the dialect's embedding generator for one embedding model; null when the API has no
/// embeddings endpoint.</param>
internal sealed record DialectRegistration(DialectFactory Create, RequestValidator.Rules Rules, RequestValidator.Rules? RulesForOtherServers = null, EmbeddingFactory? CreateEmbeddings = null);

/// <summary>
/// The runtime's dialect registry: each name of <see cref="DialectNames"/> to its registration (client factory and request
/// rules). Adding a dialect is one name there and one entry here.
/// </summary>
internal static class DialectRegistry
{
    private static readonly RequestValidator.Rules ChatCompletions = new("the OpenAI Chat Completions API", MinOutputTokens: true, MaxTemperature: 2f, Penalties: true, NonNegativeTopK: false, RequestValidator.MessageRule.AnyOrInstructions, CheckContextWindow: true);
    private static readonly RequestValidator.Rules Responses = new("the OpenAI Responses API", MinOutputTokens: true, MaxTemperature: 2f, Penalties: false, NonNegativeTopK: false, RequestValidator.MessageRule.AnyOrInstructionsOrConversation, CheckContextWindow: true);

    // Both OpenAI APIs share one embeddings endpoint, /embeddings.
    private static readonly EmbeddingFactory OpenAIEmbeddings =
        static (http, baseUri, key, model, headers, provider, dimensions) => new OpenAIEmbeddingGenerator(http, baseUri, key, model, headers, provider, dimensions);

    // Azure OpenAI serves the same /embeddings under its deployments URL, with its key header and errors.
    private static readonly EmbeddingFactory AzureOpenAIEmbeddings =
        static (http, baseUri, key, model, headers, provider, dimensions) => new OpenAIEmbeddingGenerator(http, baseUri, key, model, headers, provider, dimensions, azure: new AzureOpenAIEndpoint(baseUri));

    private static readonly Dictionary<string, DialectRegistration> Registrations = new(StringComparer.Ordinal)
    {
        [DialectNames.OpenAIChatCompletions] = new(
            static (http, baseUri, key, model, headers, provider) => new OpenAIChatCompletionsClient(http, baseUri, key, model, headers, provider),
            ChatCompletions,
            RulesForOtherServers: ChatCompletions with { MaxTemperature = null, Penalties = false },
            CreateEmbeddings: OpenAIEmbeddings),
        [DialectNames.OpenAIResponses] = new(
            static (http, baseUri, key, model, headers, provider) => new OpenAIResponsesClient(http, baseUri, key, model, headers, provider),
            Responses,
            RulesForOtherServers: Responses with { MaxTemperature = null },
            CreateEmbeddings: OpenAIEmbeddings),

        // Azure OpenAI speaks the two OpenAI protocols with its own URL shape, key header, errors and content-filter results:
        // the same clients, given the Azure endpoint. Azure documents OpenAI's ranges, so the full rules apply to any provider.
        [DialectNames.AzureOpenAI] = new(
            static (http, baseUri, key, model, headers, provider) => new OpenAIChatCompletionsClient(http, baseUri, key, model, headers, provider, azure: new AzureOpenAIEndpoint(baseUri)),
            ChatCompletions with { Api = "the Azure OpenAI Chat Completions API" },
            CreateEmbeddings: AzureOpenAIEmbeddings),
        [DialectNames.AzureOpenAIResponses] = new(
            static (http, baseUri, key, model, headers, provider) => new OpenAIResponsesClient(http, baseUri, key, model, headers, provider, azure: new AzureOpenAIEndpoint(baseUri)),
            Responses with { Api = "the Azure OpenAI Responses API" },
            CreateEmbeddings: AzureOpenAIEmbeddings),
        [DialectNames.AnthropicMessages] = new(
            static (http, baseUri, key, model, headers, provider) => new AnthropicMessagesClient(http, baseUri, key, model, headers, provider),
            new("the Anthropic Messages API", MinOutputTokens: true, MaxTemperature: 1f, Penalties: false, NonNegativeTopK: true, RequestValidator.MessageRule.NonSystem, CheckContextWindow: true)),
        [DialectNames.GeminiGenerateContent] = new(
            static (http, baseUri, key, model, headers, provider) => new GeminiGenerateContentClient(http, baseUri, key, model, headers, provider),
            new("the Gemini API", MinOutputTokens: true, MaxTemperature: 2f, Penalties: true, NonNegativeTopK: false, RequestValidator.MessageRule.NonSystem, CheckContextWindow: true),
            CreateEmbeddings: static (http, baseUri, key, model, headers, provider, dimensions) => new GeminiEmbeddingGenerator(http, baseUri, key, model, headers, provider, dimensions)),

        // llama.cpp accepts any number (a negative temperature means greedy, num_predict -1 no limit) and truncates an
        // over-long prompt itself: only non-finite numbers are refused.
        [DialectNames.Ollama] = new(
            static (http, baseUri, key, model, headers, provider) => new OllamaChatClient(http, baseUri, key, model, headers, provider),
            new("Ollama", MinOutputTokens: false, MaxTemperature: null, Penalties: false, NonNegativeTopK: false, RequestValidator.MessageRule.None, CheckContextWindow: false),
            CreateEmbeddings: static (http, baseUri, key, model, headers, provider, dimensions) => new OllamaEmbeddingGenerator(http, baseUri, key, model, headers, provider, dimensions)),

        // Served by the application's own IChatClient (ProviderOptions.UseChatClient), which StratumClient uses before asking
        // for a factory; reaching the factory means none was bound. What the API behind it refuses is unknown: only what is
        // certainly wrong anywhere (non-finite numbers, a prompt over the catalog's context window) is refused.
        [DialectNames.External] = new(
            static (_, _, _, model, _, provider) => throw Unbound(provider, model),
            new("the provider's own client", MinOutputTokens: false, MaxTemperature: null, Penalties: false, NonNegativeTopK: false, RequestValidator.MessageRule.None, CheckContextWindow: true)),
    };

    /// <summary>The exception for a model of an <c>external</c> provider that no <see cref="ProviderOptions.UseChatClient"/> bound.</summary>
    public static InvalidOperationException Unbound(string providerId, string modelId) => new(
        $"Provider '{providerId}' has the dialect '{DialectNames.External}': StratumAI does not call it itself. Bind the IChatClient that serves "
        + $"its models: options.Provider(\"{providerId}\").UseChatClient(client), or register it as a keyed service with AddStratumAI: "
        + $"services.AddKeyedChatClient(\"{providerId}\", …). Model '{modelId}' was not called.");

    /// <summary>The dialects that have a client.</summary>
    public static IReadOnlyCollection<string> Names => Registrations.Keys;

    /// <summary>The registration of <paramref name="dialect"/>.</summary>
    /// <exception cref="KeyNotFoundException">No client speaks that dialect.</exception>
    public static DialectRegistration Registration(string dialect) => Registrations[dialect];

    /// <summary>The factory of the dialect <paramref name="model"/> names.</summary>
    /// <exception cref="NotSupportedException">No client speaks that dialect.</exception>
    public static DialectFactory Get(ModelInfo model) => Find(model).Create;

    /// <summary>The embedding factory of the dialect <paramref name="model"/> names.</summary>
    /// <exception cref="NotSupportedException">No client speaks that dialect, or its API has no embeddings endpoint.</exception>
    public static EmbeddingFactory GetEmbeddings(ModelInfo model) =>
        Find(model).CreateEmbeddings
        ?? throw new NotSupportedException(
            $"Model '{model}' names the dialect '{model.Dialect}', which has no embeddings API in StratumAI. Embeddings are served by the dialects "
            + string.Join(", ", Registrations.Where(r => r.Value.CreateEmbeddings is not null).Select(r => r.Key).Order(StringComparer.Ordinal)) + ".");

    /// <summary>What <paramref name="model"/>'s dialect and provider certainly refuse.</summary>
    /// <exception cref="NotSupportedException">No client speaks that dialect.</exception>
    public static RequestValidator.Rules RulesFor(ModelInfo model)
    {
        var registration = Find(model);
        return registration.RulesForOtherServers is { } other && !RequestValidator.DocumentsRanges(model.Provider.Id)
            ? other
            : registration.Rules;
    }

    private static DialectRegistration Find(ModelInfo model) =>
        Registrations.TryGetValue(model.Dialect, out var registration)
            ? registration
            : throw new NotSupportedException(
                $"Model '{model}' names the dialect '{model.Dialect}', which StratumAI does not speak. Use one of: {string.Join(", ", DialectNames.All)}.");
}
