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

/// <summary>
/// The runtime's dialect registry: each name of <see cref="DialectNames"/> to the factory of its client. Adding a dialect is
/// one name there and one line here.
/// </summary>
internal static class DialectRegistry
{
    private static readonly Dictionary<string, DialectFactory> Factories = new(StringComparer.Ordinal)
    {
        [DialectNames.OpenAIChatCompletions] = static (http, baseUri, key, model, headers, provider) => new OpenAIChatCompletionsClient(http, baseUri, key, model, headers, provider),
        [DialectNames.OpenAIResponses] = static (http, baseUri, key, model, headers, provider) => new OpenAIResponsesClient(http, baseUri, key, model, headers, provider),
        [DialectNames.AnthropicMessages] = static (http, baseUri, key, model, headers, provider) => new AnthropicMessagesClient(http, baseUri, key, model, headers, provider),
        [DialectNames.GeminiGenerateContent] = static (http, baseUri, key, model, headers, provider) => new GeminiGenerateContentClient(http, baseUri, key, model, headers, provider),
        [DialectNames.Ollama] = static (http, baseUri, key, model, headers, provider) => new OllamaChatClient(http, baseUri, key, model, headers, provider),
    };

    /// <summary>The dialects that have a client.</summary>
    public static IReadOnlyCollection<string> Names => Factories.Keys;

    /// <summary>The factory of the dialect <paramref name="model"/> names.</summary>
    /// <exception cref="NotSupportedException">No client speaks that dialect.</exception>
    public static DialectFactory Get(ModelInfo model) =>
        Factories.TryGetValue(model.Dialect, out var factory)
            ? factory
            : throw new NotSupportedException(
                $"Model '{model}' names the dialect '{model.Dialect}', which StratumAI does not speak. Use one of: {string.Join(", ", DialectNames.All)}.");
}
