namespace StratumAI;

/// <summary>What a model can do, as declared by the catalog.</summary>
[Flags]
public enum ModelCapabilities
{
    /// <summary>Plain chat only.</summary>
    None = 0,

    /// <summary>Server-sent streaming of responses (<c>streaming</c>).</summary>
    Streaming = 1 << 0,

    /// <summary>Tool / function calling (<c>tools</c>).</summary>
    Tools = 1 << 1,

    /// <summary>Images in the prompt (<c>vision</c>).</summary>
    Vision = 1 << 2,

    /// <summary>Structured output constrained by a JSON schema (<c>json_schema</c>).</summary>
    JsonSchema = 1 << 3,

    /// <summary>Output constrained to some JSON object (<c>json_mode</c>).</summary>
    JsonMode = 1 << 4,

    /// <summary>Produces reasoning tokens (<c>reasoning</c>).</summary>
    Reasoning = 1 << 5,

    /// <summary>Provider-side prompt caching (<c>prompt_caching</c>).</summary>
    PromptCaching = 1 << 6,

    /// <summary>PDF documents in the prompt (<c>pdf</c>).</summary>
    Pdf = 1 << 7,

    /// <summary>Audio in the prompt (<c>audio</c>).</summary>
    Audio = 1 << 8,

    /// <summary>
    /// An embedding model (<c>embeddings</c>): it turns text into vectors through <c>StratumClient.GetEmbeddingGenerator</c>
    /// and does not chat.
    /// </summary>
    Embeddings = 1 << 9,
}
