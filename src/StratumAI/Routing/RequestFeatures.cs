namespace StratumAI;

/// <summary>
/// What <see cref="ComplexityAnalyzer"/> measured in one request: raw counts taken from the conversation
/// and the <see cref="Microsoft.Extensions.AI.ChatOptions"/>, before they are weighted into a difficulty.
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed record RequestFeatures
{
    /// <summary>Prompt tokens: every text part of every message, counted with the o200k_base tokenizer (GPT-4o family).</summary>
    public int PromptTokens { get; init; }

    /// <summary>Number of messages in the conversation, system messages included.</summary>
    public int MessageCount { get; init; }

    /// <summary>Fenced code blocks (<c>```</c> pairs) in the prompt.</summary>
    public int CodeBlocks { get; init; }

    /// <summary>Programming cues: words such as <c>function</c>, <c>python</c>, <c>implement</c>, and code-like lines.</summary>
    public int CodeCues { get; init; }

    /// <summary>Mathematics cues: arithmetic between numbers, equations, LaTeX and words such as <c>solve</c> or <c>integral</c>.</summary>
    public int MathCues { get; init; }

    /// <summary>Reasoning and multi-step cues: <c>why</c>, <c>explain</c>, <c>prove</c>, <c>step</c>, <c>first</c> … <c>then</c>, <c>compare</c>.</summary>
    public int ReasoningCues { get; init; }

    /// <summary>Question marks in the prompt.</summary>
    public int Questions { get; init; }

    /// <summary>Constraint cues: <c>must</c>, <c>exactly</c>, <c>at most</c>, <c>do not</c>, list items and similar.</summary>
    public int Constraints { get; init; }

    /// <summary>Lines that read as multiple-choice options (<c>A.</c>, <c>(B)</c>, <c>C)</c>).</summary>
    public int ChoiceOptions { get; init; }

    /// <summary>
    /// Output length the request asks for, in tokens: <see cref="Microsoft.Extensions.AI.ChatOptions.MaxOutputTokens"/>, else
    /// a length written in the prompt ("in 500 words"), else 0 when none is stated.
    /// </summary>
    public int RequestedOutputTokens { get; init; }

    /// <summary>Tools offered to the model (<see cref="Microsoft.Extensions.AI.ChatOptions.Tools"/>).</summary>
    public int Tools { get; init; }

    /// <summary>Images in the conversation.</summary>
    public int Images { get; init; }

    /// <summary>True when the response must be JSON (<see cref="Microsoft.Extensions.AI.ChatResponseFormatJson"/>).</summary>
    public bool StructuredOutput { get; init; }

    /// <summary>True when the JSON response must follow a schema.</summary>
    public bool JsonSchema { get; init; }

    /// <summary>
    /// The learned text signal: the weights of the prompt's hashed words, numbers and word pairs, summed and divided by the
    /// square root of their number. Fitted offline to predict that a cheaper model gets the prompt wrong (positive: harder);
    /// 0 for a prompt without words. It is the <c>learned_text</c> feature of <see cref="ComplexityAnalysis.Contributions"/>.
    /// </summary>
    public double TextScore { get; init; }
}
