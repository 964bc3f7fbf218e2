using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.ML.Tokenizers;

namespace StratumAI;

/// <summary>
/// The worst-case cost a <see cref="BudgetChatClient"/> reserves for a call: every input token at the highest input price
/// the model can charge, plus the maximum output at the highest output price. Immutable.
/// </summary>
/// <param name="Model">The model the call is for.</param>
/// <param name="InputTokens">The counted or estimated prompt tokens (see <see cref="TokenizerCounted"/>).</param>
/// <param name="OutputTokens"><see cref="ChatOptions.MaxOutputTokens"/>, else the model's maximum output, else its context window.</param>
/// <param name="InputPricePerMillion">
/// The highest of the input, cache-write, audio-input, prompt-size tier and service tier (flex, priority) input prices, USD per 1M tokens.
/// </param>
/// <param name="OutputPricePerMillion">
/// The highest of the output, reasoning, audio-output, prompt-size tier and service tier output prices, USD per 1M tokens.
/// </param>
/// <param name="TokenizerCounted">
/// True when text was counted with the o200k_base tokenizer (OpenAI models): exactly for ordinary text, while a run of more than
/// 1 KB without a break (one character repeated, an unbroken script run) counts as its UTF-8 bytes, an upper bound that keeps
/// counting linear. False for the byte estimate.
/// </param>
public sealed record BudgetEstimate(
    ModelInfo Model,
    long InputTokens,
    long OutputTokens,
    decimal InputPricePerMillion,
    decimal OutputPricePerMillion,
    bool TokenizerCounted)
{
    /// <summary>The reserved amount in USD.</summary>
    public decimal Cost => InputCost + OutputCost;

    private decimal InputCost => InputTokens * InputPricePerMillion / 1_000_000m;

    private decimal OutputCost => OutputTokens * OutputPricePerMillion / 1_000_000m;

    /// <summary>The worst case of a request to <paramref name="model"/>, as <see cref="BudgetChatClient.Estimate"/> describes it.</summary>
    internal static BudgetEstimate For(ModelInfo model, IEnumerable<ChatMessage> messages, ChatOptions? options, int tokensPerAttachment, CancellationToken cancellationToken = default)
    {
        var o200k = PromptTokenEstimator.UsesO200k(model);
        var input = PromptTokenEstimator.Count(messages, options, o200k, tokensPerAttachment, cancellationToken);
        long output = options?.MaxOutputTokens is int max && max > 0 ? max : model.MaxOutputTokens ?? model.ContextWindow;
        var pricing = model.Pricing;
        var inputPrice = Max(Max(pricing.InputPerMillion, pricing.CacheWritePerMillion), pricing.CacheWrite1hPerMillion);
        var outputPrice = Max(pricing.OutputPerMillion, pricing.ReasoningPerMillion);
        foreach (var tier in pricing.Tiers)
        {
            inputPrice = Max(Max(Max(inputPrice, tier.InputPerMillion), tier.CacheWritePerMillion), tier.CacheWrite1hPerMillion);
            outputPrice = Max(outputPrice, tier.OutputPerMillion);
        }

        // The provider decides the service tier and the modality of what it bills, so a worst case covers them too:
        // a priority-tier answer costs up to twice the standard price, audio several times text.
        inputPrice = Max(inputPrice, pricing.AudioInputPerMillion);
        outputPrice = Max(outputPrice, pricing.AudioOutputPerMillion);
        foreach (var service in (ReadOnlySpan<ServiceTierPricing?>)[pricing.Flex, pricing.Priority])
        {
            if (service is not null)
            {
                inputPrice = Max(Max(Max(inputPrice, service.InputPerMillion), service.CacheWritePerMillion), service.AudioInputPerMillion);
                outputPrice = Max(outputPrice, service.OutputPerMillion);
            }
        }

        return new BudgetEstimate(model, input, output, inputPrice, outputPrice, o200k);
    }

    /// <summary>The estimate as a cost split in input and output, for a record of an attempt whose usage is unknown.</summary>
    internal CallCost ToCallCost() => new(InputCost, 0m, 0m, OutputCost, 0m);

    private static decimal Max(decimal price, decimal? other) => other is { } value && value > price ? value : price;
}

/// <summary>Counts a request's prompt tokens for a budget reservation, on the high side.</summary>
/// <remarks>
/// OpenAI models whose tokenizer is o200k_base (GPT-4o, GPT-4.1, GPT-4.5, GPT-5, o1, o3, o4, gpt-oss) are counted with it,
/// in linear time: exactly for ordinary text, and a run of more than 1 KB without a break (one character repeated, an unbroken
/// script run) as its UTF-8 byte count, an upper bound (<see cref="O200kTokenCounter"/>). Every other model gets one
/// token per two UTF-8 bytes, more than real tokenizers produce for ordinary text. On top: <see cref="MessageOverhead"/>
/// tokens per message and <see cref="RequestOverhead"/> per request for the framing providers
/// add; tools count their name, description and JSON schema plus <see cref="ToolOverhead"/>; images and other attachments
/// count a fixed number of tokens each (non-image data at least one token per two bytes).
/// </remarks>
internal static class PromptTokenEstimator
{
    public const int MessageOverhead = 8;
    public const int RequestOverhead = 16;
    public const int ToolOverhead = 16;

    private static readonly string[] O200kPrefixes = ["gpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "chatgpt-4o", "o1", "o3", "o4", "gpt-oss", "codex-"];

    /// <summary>True when the model's tokenizer is o200k_base; a provider prefix such as <c>openai/</c> is ignored.</summary>
    public static bool UsesO200k(ModelInfo model)
    {
        var id = model.Id;
        var slash = id.LastIndexOf('/');
        if (slash >= 0)
        {
            id = id[(slash + 1)..];
        }

        foreach (var prefix in O200kPrefixes)
        {
            if (id.StartsWith(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    public static long Count(IEnumerable<ChatMessage> messages, ChatOptions? options, bool o200k, int attachmentTokens, CancellationToken cancellationToken = default)
    {
        var tokenizer = o200k ? ComplexityAnalyzer.O200k.Value : null;
        long Text(string? text) => CountText(tokenizer, text, cancellationToken);
        long tokens = RequestOverhead + Text(options?.Instructions);
        foreach (var message in messages)
        {
            if (message is null)
            {
                continue;
            }

            tokens += MessageOverhead + Text(message.AuthorName);
            foreach (var content in message.Contents)
            {
                tokens += content switch
                {
                    TextContent text => Text(text.Text),
                    TextReasoningContent reasoning => Text(reasoning.Text),
                    FunctionCallContent call => Text(call.Name) + Text(Json(call.Arguments)),
                    FunctionResultContent result => Text(ResultText(result.Result)),
                    DataContent data when data.HasTopLevelMediaType("image") => attachmentTokens,
                    DataContent data => Math.Max(attachmentTokens, (data.Data.Length + 1L) / 2),
                    UriContent or HostedFileContent => attachmentTokens,
                    _ => 0,
                };
            }
        }

        if (options?.Tools is { } tools)
        {
            foreach (var tool in tools)
            {
                tokens += ToolOverhead + Text(tool.Name) + Text(tool.Description);
                if (tool is AIFunctionDeclaration function)
                {
                    tokens += Text(function.JsonSchema.GetRawText());
                }
            }
        }

        if (options?.ResponseFormat is ChatResponseFormatJson { Schema: { } schema } json)
        {
            tokens += Text(json.SchemaName) + Text(json.SchemaDescription) + Text(schema.GetRawText());
        }

        return tokens;
    }

    private static long CountText(Tokenizer? tokenizer, string? text, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(text))
        {
            return 0;
        }

        // The router's o200k counter: linear, exact for ordinary text, an upper bound for a run without breaks over 1 KB.
        return tokenizer is not null ? O200kTokenCounter.Count(tokenizer, text, cancellationToken) : (Encoding.UTF8.GetByteCount(text) + 1L) / 2;
    }

    private static string? ResultText(object? result) => result switch
    {
        null => null,
        string text => text,
        JsonElement element => element.GetRawText(),
        _ => result.ToString(),
    };

    private static string? Json(IDictionary<string, object?>? arguments)
    {
        if (arguments is null || arguments.Count == 0)
        {
            return null;
        }

        var builder = new StringBuilder();
        foreach (var (name, value) in arguments)
        {
            builder.Append(name).Append(':').Append(ResultText(value)).Append(',');
        }

        return builder.ToString();
    }
}
