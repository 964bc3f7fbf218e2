using Microsoft.Extensions.AI;
using Microsoft.ML.Tokenizers;

namespace StratumAI;

/// <summary>
/// Measures how hard a request is without calling any model: counts prompt tokens with a real tokenizer, scans the text
/// once for code, mathematics, reasoning cues, questions, constraints and multiple-choice options, reads tools, images and
/// structured output from the request, and combines the normalised features into a difficulty in [0, 1].
/// </summary>
/// <remarks>
/// <para>Deterministic, no network, and linear in the length of the prompt: every text part is read once by the scanner and
/// once by the tokenizer. With the default o200k_base tokenizer the count is exact for ordinary text; a run of more than 1 KB
/// without a break (one character repeated, an unbroken script run) counts as its UTF-8 bytes, an upper bound that keeps the
/// count linear instead of quadratic in the run's length. A tokenizer passed to the constructor is used as is. The feature
/// weights come from the table fitted on public routing data (<c>benchmarks/StratumAI.RouterEval</c>); weights for tools,
/// images and structured output, which that data never contains, are set by hand.</para>
/// <para>Thread-safe: one instance may serve every request.</para>
/// </remarks>
public sealed class ComplexityAnalyzer
{
    /// <summary>Feature names, in the order of <see cref="ComplexityAnalysis.Contributions"/>.</summary>
    public static IReadOnlyList<string> FeatureNames { get; } =
    [
        "prompt_tokens", "code", "math", "reasoning", "questions", "constraints",
        "choices", "output_length", "tools", "images", "structured_output", "turns", "learned_text",
    ];

    internal const int FeatureCount = 13;

    internal static readonly Lazy<Tokenizer> O200k = new(() => TiktokenTokenizer.CreateForModel("gpt-4o"), LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<ComplexityAnalyzer> DefaultInstance = new(() => new ComplexityAnalyzer(), LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly Tokenizer? _tokenizer;
    private readonly DifficultyWeights _weights;
    private readonly TextWeights? _text;

    /// <summary>Creates an analyzer that counts tokens with <paramref name="tokenizer"/>.</summary>
    /// <param name="tokenizer">The tokenizer, or null for o200k_base (the GPT-4o family's), loaded once per process.</param>
    public ComplexityAnalyzer(Tokenizer? tokenizer = null)
        : this(tokenizer, RouterCoefficients.Difficulty, RouterCoefficients.Text)
    {
    }

    internal ComplexityAnalyzer(Tokenizer? tokenizer, DifficultyWeights weights, TextWeights? text)
    {
        _tokenizer = tokenizer;
        _weights = weights;
        _text = text;
    }

    /// <summary>The shared analyzer with the o200k_base tokenizer and the shipped weights.</summary>
    public static ComplexityAnalyzer Default => DefaultInstance.Value;

    /// <summary>Analyses a request.</summary>
    /// <param name="messages">The conversation.</param>
    /// <param name="options">The request's options (tools, response format, maximum output tokens), or null.</param>
    /// <param name="cancellationToken">Stops the token count of the default o200k_base tokenizer, checked every few thousand characters.</param>
    /// <returns>The features, the difficulty and each feature's contribution.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is null.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while counting.</exception>
    public ComplexityAnalysis Analyze(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var scan = new PromptScanner(_text);
        long tokens = 0;
        var messageCount = 0;
        var images = 0;
        var required = ModelCapabilities.None;
        foreach (var message in messages)
        {
            messageCount++;
            if (message is null)
            {
                continue;
            }

            foreach (var content in message.Contents)
            {
                switch (content)
                {
                    case TextContent text when !string.IsNullOrEmpty(text.Text):
                        tokens += CountTokens(text.Text, cancellationToken);
                        scan.Scan(text.Text);
                        break;
                    case FunctionResultContent { Result: { } result }:
                        // Tool results can be long and count against the context window; they are prompt text too.
                        var resultText = result as string ?? result.ToString();
                        if (!string.IsNullOrEmpty(resultText))
                        {
                            tokens += CountTokens(resultText, cancellationToken);
                            scan.Scan(resultText);
                        }

                        break;
                    case DataContent data:
                        required |= CapabilityFor(data.MediaType, ref images);
                        break;
                    case UriContent uri:
                        required |= CapabilityFor(uri.MediaType, ref images);
                        break;
                    default:
                        break;
                }
            }

            // Every message also costs a few framing tokens on every provider.
            tokens += 4;
        }

        var toolCount = options?.Tools?.Count ?? 0;
        if (toolCount > 0)
        {
            required |= ModelCapabilities.Tools;
        }

        var json = options?.ResponseFormat as ChatResponseFormatJson;
        var schema = json?.Schema is not null;
        if (schema)
        {
            required |= ModelCapabilities.JsonSchema;
        }

        var requestedOutput = options?.MaxOutputTokens is int max && max > 0 ? max : scan.RequestedOutputTokens;
        var features = new RequestFeatures
        {
            PromptTokens = (int)Math.Min(tokens, int.MaxValue),
            MessageCount = messageCount,
            CodeBlocks = scan.Fences / 2,
            CodeCues = scan.CodeCues,
            MathCues = scan.MathCues,
            ReasoningCues = scan.ReasoningCues,
            Questions = scan.Questions,
            Constraints = scan.Constraints,
            ChoiceOptions = scan.Choices,
            RequestedOutputTokens = requestedOutput,
            Tools = toolCount,
            Images = images,
            StructuredOutput = json is not null,
            JsonSchema = schema,
            TextScore = scan.TextTerms > 0 ? scan.TextSum / Math.Sqrt(scan.TextTerms) : 0,
        };

        return new ComplexityAnalysis(features, Normalise(features), _weights)
        {
            RequiredCapabilities = required,
            NeedsJson = json is not null && !schema,
        };
    }

    // The default o200k tokenizer is counted through O200kTokenCounter: the same count without the regex pre-tokenizer, in
    // linear time (a run of more than 1 KB without a break counts as its UTF-8 bytes, an upper bound), and cancellable.
    private long CountTokens(string text, CancellationToken cancellationToken) =>
        _tokenizer is null ? O200kTokenCounter.Count(O200k.Value, text, cancellationToken) : _tokenizer.CountTokens(text);

    /// <summary>Turns raw counts into the normalised values the weights apply to (log-scaled, about 0..1).</summary>
    internal static double[] Normalise(RequestFeatures f)
    {
        var values = new double[FeatureCount];
        values[0] = Math.Log(1 + f.PromptTokens) / 10;
        values[1] = Math.Log(1 + (3 * f.CodeBlocks) + f.CodeCues) / 3;
        values[2] = Math.Log(1 + f.MathCues) / 3;
        values[3] = Math.Log(1 + f.ReasoningCues) / 3;
        values[4] = Math.Log(1 + f.Questions) / 2;
        values[5] = Math.Log(1 + f.Constraints) / 3;
        values[6] = Math.Log(1 + f.ChoiceOptions) / 2;
        values[7] = Math.Log(1 + f.RequestedOutputTokens) / 10;
        values[8] = f.Tools > 0 ? 1 : 0;
        values[9] = Math.Log(1 + f.Images) / 2;
        values[10] = f.JsonSchema ? 1 : f.StructuredOutput ? 0.5 : 0;
        values[11] = Math.Log(Math.Max(1, f.MessageCount)) / 3;
        values[12] = f.TextScore;
        return values;
    }

    private static ModelCapabilities CapabilityFor(string? mediaType, ref int images)
    {
        if (mediaType is null)
        {
            return ModelCapabilities.None;
        }

        if (mediaType.StartsWith("image/", StringComparison.OrdinalIgnoreCase))
        {
            images++;
            return ModelCapabilities.Vision;
        }

        if (mediaType.StartsWith("audio/", StringComparison.OrdinalIgnoreCase))
        {
            return ModelCapabilities.Audio;
        }

        return string.Equals(mediaType, "application/pdf", StringComparison.OrdinalIgnoreCase) ? ModelCapabilities.Pdf : ModelCapabilities.None;
    }
}
