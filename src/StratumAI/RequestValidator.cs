using System.Globalization;
using System.Text;
using Microsoft.Extensions.AI;
using StratumAI.Dialects;

namespace StratumAI;

/// <summary>
/// Refuses, before anything is sent, a request that is certainly invalid for its model's provider: an option outside the
/// range the provider documents, no message to send, or a prompt certainly larger than the model's context window.
/// </summary>
/// <remarks>
/// <para>Only what the provider is certain to refuse is refused; anything in doubt is sent and left to the provider. The
/// ranges are those of the dialect's API, applied to the providers known to document them (the default catalog's); an
/// OpenAI-compatible server StratumAI does not know may accept wider ranges (vLLM takes any temperature from 0), so only the
/// Chat Completions contract itself is checked for it. Ollama forwards options to llama.cpp, which accepts any number
/// (a negative temperature means greedy, <c>num_predict</c> -1 means no limit) and truncates an over-long prompt itself, so
/// only non-finite numbers are refused for it.</para>
/// <para>Cost on the hot path: a few comparisons and one pass over the messages that adds up string lengths. Text is
/// scanned only when the prompt has more characters than the model's window has tokens.</para>
/// </remarks>
internal static class RequestValidator
{
    /// <summary>
    /// The most UTF-8 bytes one token is assumed to cover for a model whose tokenizer StratumAI does not have: well above the
    /// longest tokens of the public vocabularies (byte-pair merges of repeated characters; SentencePiece's default piece limit
    /// is 16 characters), so a prompt of more than this many bytes per token of the window is certainly too large.
    /// </summary>
    public const int MaxBytesPerToken = 256;

    /// <summary>
    /// How many o200k pre-tokens two text parts of one message may lose when a provider joins them (a word and its
    /// contraction split across parts, <c>"it'"</c> + <c>"s"</c>, become one piece instead of three).
    /// </summary>
    private const int PiecesLostPerJoin = 3;

    // Providers whose documentation gives the OpenAI ranges (temperature 0-2, top_p 0-1, penalties -2..2). An
    // OpenAI-compatible server not listed here gets its dialect's RulesForOtherServers.
    private static readonly HashSet<string> OpenAIRangeProviders = new(StringComparer.OrdinalIgnoreCase)
    {
        "openai", "deepseek", "groq", "mistral", "openrouter", "xai",
    };

    /// <summary>Throws when the request is certainly invalid for <paramref name="model"/>; returns otherwise.</summary>
    /// <exception cref="StratumInvalidRequestException">An option is out of the provider's range, or there is no message to send.</exception>
    /// <exception cref="StratumContextWindowExceededException">The prompt is certainly larger than the model's context window.</exception>
    public static void Validate(ModelInfo model, IEnumerable<ChatMessage> messages, ChatOptions? options) =>
        Validate(model, RulesFor(model), messages, options);

    /// <summary>Throws when the request is certainly invalid for <paramref name="model"/>, whose rules are <paramref name="rules"/>.</summary>
    /// <exception cref="StratumInvalidRequestException">An option is out of the provider's range, or there is no message to send.</exception>
    /// <exception cref="StratumContextWindowExceededException">The prompt is certainly larger than the model's context window.</exception>
    public static void Validate(ModelInfo model, Rules rules, IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        if (options is not null)
        {
            ValidateOptions(model, rules, options);
        }

        var shape = Measure(messages, options);
        if (rules.Messages != MessageRule.None && !HasMessage(rules.Messages, shape, options))
        {
            var what = rules.Messages == MessageRule.NonSystem
                ? "no user or assistant message (system messages and Instructions go into a separate field there, and the API requires at least one other message)"
                : "no message and no Instructions (the API requires at least one message)";
            throw Invalid(model, "messages", $"The request to model '{model}' has {what}. No request was sent.");
        }

        var window = model.ContextWindow;
        if (rules.CheckContextWindow && window > 0 && shape.Characters > window)
        {
            CheckContextWindow(model, messages, options, shape, window);
        }
    }

    private static void ValidateOptions(ModelInfo model, Rules rules, ChatOptions options)
    {
        Finite(model, options.Temperature, nameof(ChatOptions.Temperature));
        Finite(model, options.TopP, nameof(ChatOptions.TopP));
        Finite(model, options.FrequencyPenalty, nameof(ChatOptions.FrequencyPenalty));
        Finite(model, options.PresencePenalty, nameof(ChatOptions.PresencePenalty));

        if (rules.MinOutputTokens && options.MaxOutputTokens is < 1)
        {
            throw Invalid(
                model,
                nameof(ChatOptions.MaxOutputTokens),
                string.Create(CultureInfo.InvariantCulture, $"MaxOutputTokens = {options.MaxOutputTokens} is invalid for model '{model}': it must be at least 1. No request was sent."));
        }

        if (rules.MaxTemperature is { } maxTemperature)
        {
            InRange(model, rules, options.Temperature, nameof(ChatOptions.Temperature), 0, maxTemperature);
            InRange(model, rules, options.TopP, nameof(ChatOptions.TopP), 0, 1);
        }

        if (rules.Penalties)
        {
            InRange(model, rules, options.FrequencyPenalty, nameof(ChatOptions.FrequencyPenalty), -2, 2);
            InRange(model, rules, options.PresencePenalty, nameof(ChatOptions.PresencePenalty), -2, 2);
        }

        if (rules.NonNegativeTopK && options.TopK is < 0)
        {
            throw Invalid(
                model,
                nameof(ChatOptions.TopK),
                string.Create(CultureInfo.InvariantCulture, $"TopK = {options.TopK} is invalid for model '{model}': {rules.Api} requires a value of 0 or more. No request was sent."));
        }
    }

    private static void Finite(ModelInfo model, float? value, string name)
    {
        if (value is { } number && !float.IsFinite(number))
        {
            throw Invalid(model, name, string.Create(CultureInfo.InvariantCulture, $"{name} = {number} is not a finite number, which no provider accepts (model '{model}'). No request was sent."));
        }
    }

    private static void InRange(ModelInfo model, Rules rules, float? value, string name, float min, float max)
    {
        if (value is { } number && (number < min || number > max))
        {
            throw Invalid(
                model,
                name,
                string.Create(CultureInfo.InvariantCulture, $"{name} = {number} is outside [{min}, {max}], the range {rules.Api} accepts (model '{model}'). No request was sent."));
        }
    }

    private static bool HasMessage(MessageRule rule, Shape shape, ChatOptions? options) => rule switch
    {
        MessageRule.NonSystem => shape.NonSystemMessages > 0,
        MessageRule.AnyOrInstructions => shape.Messages > 0 || !string.IsNullOrEmpty(options?.Instructions),
        MessageRule.AnyOrInstructionsOrConversation => shape.Messages > 0 || !string.IsNullOrEmpty(options?.Instructions) || !string.IsNullOrEmpty(options?.ConversationId),
        _ => true,
    };

    /// <summary>One pass over the conversation that reads lengths only, never text; allocates nothing for lists.</summary>
    private static Shape Measure(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var shape = new Shape { Characters = options?.Instructions?.Length ?? 0 };
        if (messages is IList<ChatMessage> list)
        {
            for (var i = 0; i < list.Count; i++)
            {
                Add(ref shape, list[i]);
            }
        }
        else
        {
            foreach (var message in messages)
            {
                Add(ref shape, message);
            }
        }

        return shape;
    }

    private static void Add(ref Shape shape, ChatMessage? message)
    {
        if (message is null)
        {
            return;
        }

        shape.Messages++;
        if (message.Role != ChatRole.System)
        {
            shape.NonSystemMessages++;
        }

        var texts = 0;
        var contents = message.Contents;
        for (var i = 0; i < contents.Count; i++)
        {
            if (contents[i] is TextContent text)
            {
                shape.Characters += text.Text.Length;
                texts++;
            }
        }

        if (texts > 1)
        {
            shape.Joins += texts - 1;
        }
    }

    private static void CheckContextWindow(ModelInfo model, IEnumerable<ChatMessage> messages, ChatOptions? options, Shape shape, int window)
    {
        var o200k = PromptTokenEstimator.UsesO200k(model);

        // Without the model's tokenizer the bound is bytes / MaxBytesPerToken, at most 3 bytes per UTF-16 character.
        if (!o200k && shape.Characters * 3 <= (long)window * MaxBytesPerToken)
        {
            return;
        }

        long lowerBound;
        string how;
        if (o200k)
        {
            lowerBound = O200kLowerBound(messages, options, stopAbove: window + (PiecesLostPerJoin * (long)shape.Joins)) - (PiecesLostPerJoin * (long)shape.Joins);
            how = "o200k_base pre-tokens, each at least one token";
        }
        else
        {
            lowerBound = (Utf8Bytes(messages, options) + MaxBytesPerToken - 1) / MaxBytesPerToken;
            how = string.Create(CultureInfo.InvariantCulture, $"UTF-8 bytes / {MaxBytesPerToken}, no token covering more");
        }

        if (lowerBound > window)
        {
            throw new StratumContextWindowExceededException(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"The prompt for model '{model}' has at least {lowerBound} tokens ({how}), more than its context window of {window}. No request was sent."))
            {
                ProviderId = model.Provider.Id,
                ModelId = model.Id,
                Parameter = "messages",
            };
        }
    }

    /// <summary>The number of o200k pre-tokens in the prompt's text; counting stops once it exceeds <paramref name="stopAbove"/>.</summary>
    private static long O200kLowerBound(IEnumerable<ChatMessage> messages, ChatOptions? options, long stopAbove)
    {
        var pieces = Pieces(options?.Instructions, 0, stopAbove);
        foreach (var message in messages)
        {
            if (message is null)
            {
                continue;
            }

            foreach (var content in message.Contents)
            {
                if (pieces > stopAbove)
                {
                    return pieces;
                }

                if (content is TextContent text)
                {
                    pieces = Pieces(text.Text, pieces, stopAbove);
                }
            }
        }

        return pieces;
    }

    private static long Pieces(string? text, long pieces, long stopAbove)
    {
        if (string.IsNullOrEmpty(text))
        {
            return pieces;
        }

        if (text.Contains("<|", StringComparison.Ordinal))
        {
            // A special token such as <|endoftext|> is one token over several pre-tokens: fall back to the byte bound.
            return pieces + ((Encoding.UTF8.GetByteCount(text) + MaxBytesPerToken - 1L) / MaxBytesPerToken);
        }

        var span = text.AsSpan();
        for (var i = 0; i < span.Length && pieces <= stopAbove; pieces++)
        {
            i = O200kTokenCounter.NextPiece(span, i);
        }

        return pieces;
    }

    private static long Utf8Bytes(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        long bytes = string.IsNullOrEmpty(options?.Instructions) ? 0 : Encoding.UTF8.GetByteCount(options.Instructions);
        foreach (var message in messages)
        {
            if (message is null)
            {
                continue;
            }

            foreach (var content in message.Contents)
            {
                if (content is TextContent text)
                {
                    bytes += Encoding.UTF8.GetByteCount(text.Text);
                }
            }
        }

        return bytes;
    }

    private static StratumInvalidRequestException Invalid(ModelInfo model, string parameter, string message) =>
        new(message)
        {
            ProviderId = model.Provider.Id,
            ModelId = model.Id,
            Parameter = parameter,
        };

    /// <summary>What the model's dialect and provider certainly refuse, as the dialect's registration declares it; computed once per model.</summary>
    /// <exception cref="NotSupportedException">No client speaks the model's dialect.</exception>
    public static Rules RulesFor(ModelInfo model) => DialectRegistry.RulesFor(model);

    /// <summary>Whether the provider's documentation gives the ranges of its dialect's API (the default catalog's providers).</summary>
    public static bool DocumentsRanges(string providerId) => OpenAIRangeProviders.Contains(providerId);

    internal enum MessageRule
    {
        None,
        NonSystem,
        AnyOrInstructions,
        AnyOrInstructionsOrConversation,
    }

    /// <summary>What a dialect (for a provider known to document its ranges) certainly refuses.</summary>
    /// <param name="Api">The API named in messages.</param>
    /// <param name="MinOutputTokens">Whether MaxOutputTokens must be at least 1.</param>
    /// <param name="MaxTemperature">The highest temperature, with TopP in [0, 1]; null when the ranges are not checked.</param>
    /// <param name="Penalties">Whether the frequency and presence penalties must be in [-2, 2].</param>
    /// <param name="NonNegativeTopK">Whether TopK must be 0 or more.</param>
    /// <param name="Messages">Which messages the request must hold.</param>
    /// <param name="CheckContextWindow">Whether an over-long prompt is refused (Ollama truncates it instead).</param>
    internal sealed record Rules(string Api, bool MinOutputTokens, float? MaxTemperature, bool Penalties, bool NonNegativeTopK, MessageRule Messages, bool CheckContextWindow);

    private struct Shape
    {
        public int Messages;
        public int NonSystemMessages;
        public int Joins;
        public long Characters;
    }
}
