// This file is compiled into two assemblies: the runtime (StratumAI) and the catalog library (StratumAI.Catalog, netstandard2.0,
// shipped inside the source generator), which links it. Keep it to constants and a string array, so it builds in both.
namespace StratumAI.Dialects;

/// <summary>
/// The wire dialects StratumAI speaks, by the name a catalog entry's <c>dialect:</c> uses. This is the one list: the catalog
/// validator accepts exactly these names (<c>CatalogVocabulary.Dialects</c>), and the runtime's <c>DialectRegistry</c> maps
/// each to its client (a test checks that the two agree).
/// </summary>
internal static class DialectNames
{
    /// <summary>OpenAI's Chat Completions protocol, spoken by most OpenAI-compatible servers.</summary>
    public const string OpenAIChatCompletions = "openai";

    /// <summary>OpenAI's Responses API.</summary>
    public const string OpenAIResponses = "openai-responses";

    /// <summary>
    /// OpenAI's Chat Completions protocol as Azure OpenAI serves it: the deployment in the URL (classic API, with
    /// <c>api-version</c>) or in <c>model</c> (the <c>/openai/v1</c> API), the key in the <c>api-key</c> header, and Azure's
    /// content-filter results and error shapes. The wire body is the <c>openai</c> dialect's.
    /// </summary>
    public const string AzureOpenAI = "azure-openai";

    /// <summary>OpenAI's Responses API as Azure OpenAI serves it (<c>/openai/v1/responses</c>, or <c>/openai/responses?api-version=…</c>).</summary>
    public const string AzureOpenAIResponses = "azure-openai-responses";

    /// <summary>Anthropic's Messages API.</summary>
    public const string AnthropicMessages = "anthropic";

    /// <summary>Google Gemini's native generateContent API.</summary>
    public const string GeminiGenerateContent = "gemini";

    /// <summary>Ollama's native chat API.</summary>
    public const string Ollama = "ollama";

    /// <summary>
    /// No wire protocol of StratumAI's: the provider's models are served by an <c>IChatClient</c> the application binds in code
    /// (<c>options.Provider(id).UseChatClient(client)</c>), e.g. a Microsoft.Extensions.AI adapter for AWS Bedrock or
    /// Vertex. Its catalog entry needs no <c>base_url</c>.
    /// </summary>
    public const string External = "external";

    /// <summary>Every dialect, in the order messages list them.</summary>
    public static readonly string[] All = [OpenAIChatCompletions, OpenAIResponses, AnthropicMessages, GeminiGenerateContent, Ollama, AzureOpenAI, AzureOpenAIResponses, External];
}
