using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace StratumAI.Dialects;

/// <summary>Anthropic's Messages API (<c>POST {base}/v1/messages</c>) as an <see cref="IChatClient"/>.</summary>
/// <remarks>
/// <para>Created by <see cref="DialectRegistry"/> for <see cref="StratumClient"/>; users reach it through
/// <see cref="StratumClient.GetChatClient(string)"/>, which adds the catalog, request checks and cost (internal since
/// the API review, docs/api-review.md).</para>
/// <para>Sends <c>x-api-key</c> and <c>anthropic-version: 2023-06-01</c>. System messages and
/// <see cref="ChatOptions.Instructions"/> become the top-level <c>system</c> string. <c>max_tokens</c> is required by
/// the API: it is <see cref="ChatOptions.MaxOutputTokens"/>, else <see cref="DefaultMaxOutputTokens"/>.</para>
/// <para>Maps temperature, top-p, top-k, stop sequences, function tools (<c>input_schema</c>), tool mode
/// (<c>tool_choice</c> auto/any/tool/none; <see cref="ChatOptions.AllowMultipleToolCalls"/> false sets
/// <c>disable_parallel_tool_use</c>), JSON-schema response formats (<c>output_config.format</c>), reasoning effort
/// (<c>output_config.effort</c>; <see cref="ReasoningEffort.None"/> disables thinking) and, through
/// <see cref="ChatOptions.AdditionalProperties"/>, <c>thinking_budget_tokens</c> (extended thinking with that budget)
/// and <c>cache_control</c> (automatic prompt caching; also accepted on any <see cref="AIContent"/>'s
/// additional properties for a cache breakpoint on that block). Thinking comes back as
/// <see cref="TextReasoningContent"/> whose <see cref="TextReasoningContent.ProtectedData"/> holds the signature
/// (or the encrypted data of a redacted block), so it is sent back unchanged on the next turn.</para>
/// <para>Usage: <see cref="UsageDetails.InputTokenCount"/> is the whole prompt (<c>input_tokens</c> +
/// <c>cache_creation_input_tokens</c> + <c>cache_read_input_tokens</c>); cache reads are
/// <see cref="UsageDetails.CachedInputTokenCount"/> and cache writes are
/// <see cref="StratumUsageKeys.CacheWriteInputTokens"/> in <see cref="UsageDetails.AdditionalCounts"/>.</para>
/// <para>Errors throw a <see cref="StratumException"/> subclass; the API key never appears in messages.
/// Thread-safe; one instance serves one model.</para>
/// </remarks>
internal sealed class AnthropicMessagesClient : DialectChatClient
{
    /// <summary>The <c>max_tokens</c> sent when <see cref="ChatOptions.MaxOutputTokens"/> is not set (the API requires one).</summary>
    public const int DefaultMaxOutputTokens = 4096;

    /// <summary>The <c>anthropic-version</c> header sent with every request.</summary>
    public const string ApiVersion = "2023-06-01";

    /// <summary>Creates a client for one model.</summary>
    /// <param name="httpClient">The HTTP client to send requests with; not disposed by this instance.</param>
    /// <param name="baseUri">The API's base URL, e.g. <c>https://api.anthropic.com</c>; <c>v1/messages</c> is appended (only <c>messages</c> when it already ends in <c>/v1</c>).</param>
    /// <param name="apiKey">The API key, sent as <c>x-api-key</c>, or null for servers that need none.</param>
    /// <param name="modelId">The model id the API expects; <see cref="ChatOptions.ModelId"/> overrides it per call.</param>
    /// <param name="headers">Extra headers sent with every request (they replace the defaults of the same name).</param>
    /// <param name="providerId">Provider id reported in errors and telemetry.</param>
    /// <param name="timeProvider">Clock for retry-after dates; the system clock by default.</param>
    /// <exception cref="ArgumentNullException">A required argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="modelId"/> or <paramref name="providerId"/> is empty, or <paramref name="baseUri"/> is not absolute.</exception>
    public AnthropicMessagesClient(HttpClient httpClient, Uri baseUri, string? apiKey, string modelId, IEnumerable<KeyValuePair<string, string>>? headers = null, string providerId = "anthropic", TimeProvider? timeProvider = null)
        : base(httpClient, baseUri, apiKey, modelId, headers, providerId, timeProvider, "https://api.anthropic.com")
    {
        var text = baseUri.AbsoluteUri.TrimEnd('/');
        Endpoint = new Uri(text.EndsWith("/v1", StringComparison.OrdinalIgnoreCase) ? text + "/messages" : text + "/v1/messages", UriKind.Absolute);
    }

    /// <summary>The full URL requests are posted to.</summary>
    public Uri Endpoint { get; }

    private protected override string StreamEndMarker => "no message_stop event";

    private protected override string DescribeUnavailable(HttpRequestException exception, string model) => DialectHttp.UnavailableMessage(ProviderId, Endpoint, exception);

    private protected override StratumException MapError(HttpResponseMessage response, string body, string model) =>
        AnthropicErrors.FromResponse(response, body, ProviderId, model, Redactor, TimeProvider);

    private protected override HttpRequestMessage CreateHttpRequest(IEnumerable<ChatMessage> messages, ChatOptions? options, string model, bool stream) =>
        CreateJsonPost(
            Endpoint,
            JsonSerializer.SerializeToUtf8Bytes(CreateRequest(messages, options, model, stream), AnthropicMessagesJsonContext.Default.AnthropicRequest),
            stream,
            apiKeyHeader: "x-api-key",
            new KeyValuePair<string, string>("anthropic-version", ApiVersion));

    private protected override async ValueTask<ChatResponse> ReadResponseAsync(HttpResponseMessage response, string model, string? requestId, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return ToChatResponse(ParseMessage(body, model), model, response);
    }

    private protected override IAsyncEnumerable<ChatResponseUpdate> ReadStreamAsync(HttpResponseMessage response, Stream stream, DialectStream call, CancellationToken cancellationToken)
    {
        var state = new StreamState();
        return ReadJsonEventsAsync(stream, AnthropicMessagesJsonContext.Default.AnthropicStreamEvent, call, (streamEvent, _) => HandleEvent(streamEvent, state, call, response), cancellationToken);
    }

    private ChatResponseUpdate? HandleEvent(AnthropicStreamEvent streamEvent, StreamState state, DialectStream call, HttpResponseMessage response)
    {
        var requestedModel = call.Model;
        switch (streamEvent.Type)
        {
            case "message_start":
                var started = streamEvent.Message;
                state.ResponseId = started?.Id;
                state.ModelId = started?.Model;
                call.UsageSoFar = state.MergeUsage(started?.Usage);
                return NewUpdate(state, streamEvent, requestedModel);

            case "content_block_start" when streamEvent.ContentBlock is { } block:
            {
                var index = streamEvent.Index ?? state.Blocks.Count;
                var builder = new BlockBuilder { Type = block.Type, Id = block.Id, Name = block.Name, InitialInput = block.Input };
                state.Blocks[index] = builder;
                var update = NewUpdate(state, streamEvent, requestedModel);
                switch (block.Type)
                {
                    case "text" when !string.IsNullOrEmpty(block.Text):
                        update.Contents.Add(new TextContent(block.Text));
                        break;
                    case "thinking":
                        builder.Signature.Append(block.Signature);
                        if (!string.IsNullOrEmpty(block.Thinking))
                        {
                            update.Contents.Add(new TextReasoningContent(block.Thinking));
                        }

                        break;
                    case "redacted_thinking":
                        update.Contents.Add(RedactedThinking(block.Data));
                        break;
                }

                return update.Contents.Count > 0 ? update : null;
            }

            case "content_block_delta" when streamEvent.Delta is { } delta:
            {
                var index = streamEvent.Index ?? 0;
                state.Blocks.TryGetValue(index, out var builder);
                var update = NewUpdate(state, streamEvent, requestedModel);
                switch (delta.Type)
                {
                    case "text_delta" when !string.IsNullOrEmpty(delta.Text):
                        update.Contents.Add(new TextContent(delta.Text));
                        break;
                    case "thinking_delta" when !string.IsNullOrEmpty(delta.Thinking):
                        update.Contents.Add(new TextReasoningContent(delta.Thinking));
                        break;
                    case "signature_delta":
                        builder?.Signature.Append(delta.Signature);
                        break;
                    case "input_json_delta":
                        builder?.Arguments.Append(delta.PartialJson);
                        break;
                }

                return update.Contents.Count > 0 ? update : null;
            }

            case "content_block_stop":
            {
                var index = streamEvent.Index ?? 0;
                if (!state.Blocks.Remove(index, out var builder))
                {
                    return null;
                }

                var update = NewUpdate(state, streamEvent, requestedModel);
                if (builder.Type == "tool_use")
                {
                    var arguments = builder.Arguments.Length > 0
                        ? builder.Arguments.ToString()
                        : builder.InitialInput is { ValueKind: JsonValueKind.Object } input ? input.GetRawText() : "{}";
                    update.Contents.Add(DialectJson.FunctionCall(builder.Id, builder.Name, arguments));
                }
                else if (builder.Type == "thinking" && builder.Signature.Length > 0)
                {
                    // The signature closes the thinking block; it rides on an empty reasoning item so it can be sent back.
                    update.Contents.Add(new TextReasoningContent(string.Empty) { ProtectedData = builder.Signature.ToString() });
                }

                return update.Contents.Count > 0 ? update : null;
            }

            case "message_delta":
                call.UsageSoFar = state.MergeUsage(streamEvent.Usage);
                if (streamEvent.Delta is { } messageDelta)
                {
                    state.StopReason = messageDelta.StopReason ?? state.StopReason;
                    state.StopSequence = messageDelta.StopSequence ?? state.StopSequence;
                    state.StopDetails = messageDelta.StopDetails ?? state.StopDetails;
                }

                return null;

            case "message_stop":
            {
                call.Completed = true;
                var update = NewUpdate(state, streamEvent, requestedModel);
                if (state.StopReason is { } stopReason)
                {
                    update.FinishReason = MapFinishReason(stopReason);
                    if (stopReason == "refusal")
                    {
                        update.Contents.Add(Refusal(state.StopDetails));
                    }
                }

                if (state.Usage is { } usage)
                {
                    update.Contents.Add(new UsageContent(MapUsage(usage)));
                }

                var properties = new AdditionalPropertiesDictionary();
                if (state.StopSequence is not null)
                {
                    properties["stop_sequence"] = state.StopSequence;
                }

                AddRateLimitHeaders(properties, response);
                if (properties.Count > 0)
                {
                    update.AdditionalProperties = properties;
                }

                call.AddRequestId(update);
                return update;
            }

            case "error":
                throw AnthropicErrors.FromStreamError(streamEvent.Error, ProviderId, call, response.StatusCode, Redactor);

            default:
                // ping and event types added after this version.
                return null;
        }
    }

    private static ChatResponseUpdate NewUpdate(StreamState state, AnthropicStreamEvent streamEvent, string requestedModel) => new()
    {
        ResponseId = state.ResponseId,
        MessageId = state.ResponseId,
        ModelId = state.ModelId ?? requestedModel,
        Role = ChatRole.Assistant,
        RawRepresentation = streamEvent,
    };

    private static AnthropicRequest CreateRequest(IEnumerable<ChatMessage> messages, ChatOptions? options, string model, bool stream)
    {
        var (system, wire) = DialectMessages.SplitSystem<AnthropicMessage>(messages, options, AddMessage);

        var request = new AnthropicRequest
        {
            Model = model,
            Messages = wire,
            MaxTokens = options?.MaxOutputTokens ?? DefaultMaxOutputTokens,
            System = system,
            Stream = stream,
        };

        if (options is null)
        {
            return request;
        }

        options.CopySampling(request);

        var extra = options.AdditionalProperties;
        if (extra is not null && extra.TryGetValue("cache_control", out var cacheControl))
        {
            request.CacheControl = ToCacheControl(cacheControl);
        }

        if (extra is not null && extra.TryGetValue("thinking_budget_tokens", out int budget) && budget > 0)
        {
            request.Thinking = new AnthropicThinking { Type = "enabled", BudgetTokens = budget };
        }

        // None turns thinking off; the other efforts go to output_config.effort.
        var effort = options.Reasoning?.Effort is ReasoningEffort.None ? null : EffortName(options.Reasoning?.Effort);
        if (options.Reasoning?.Effort is ReasoningEffort.None)
        {
            request.Thinking ??= new AnthropicThinking { Type = "disabled" };
        }

        AnthropicOutputFormat? format = options.ResponseFormat is ChatResponseFormatJson { Schema: { } schema }
            ? new AnthropicOutputFormat { Type = "json_schema", Schema = schema }
            : null;
        if (effort is not null || format is not null)
        {
            request.OutputConfig = new AnthropicOutputConfig { Effort = effort, Format = format };
        }

        request.Tools = FunctionTools(options, "Anthropic Messages", static (function, strict) => new AnthropicTool
        {
            Name = function.Name,
            Description = function.Description,
            InputSchema = function.JsonSchema,
            Strict = strict,
        });
        if (request.Tools is not null)
        {
            request.ToolChoice = options.ToolMode switch
            {
                NoneChatToolMode => new AnthropicToolChoice { Type = "none" },
                AutoChatToolMode => new AnthropicToolChoice { Type = "auto" },
                RequiredChatToolMode { RequiredFunctionName: { } name } => new AnthropicToolChoice { Type = "tool", Name = name },
                RequiredChatToolMode => new AnthropicToolChoice { Type = "any" },
                _ => null,
            };
            if (options.AllowMultipleToolCalls == false && request.ToolChoice?.Type != "none")
            {
                request.ToolChoice ??= new AnthropicToolChoice { Type = "auto" };
                request.ToolChoice.DisableParallelToolUse = true;
            }
        }

        return request;
    }

    private static void AddMessage(List<AnthropicMessage> wire, ChatMessage message)
    {
        var blocks = new List<AnthropicContentBlock>();
        foreach (var content in message.Contents)
        {
            var block = ToBlock(content);
            if (block is not null)
            {
                if (content.AdditionalProperties is { } properties && properties.TryGetValue("cache_control", out var cacheControl))
                {
                    block.CacheControl = ToCacheControl(cacheControl);
                }

                blocks.Add(block);
            }
        }

        if (blocks.Count == 0)
        {
            return;
        }

        var role = message.Role == ChatRole.Assistant ? "assistant" : "user";
        if (message.Role == ChatRole.Tool && wire.Count > 0 && wire[^1] is { Role: "user" } previous
            && previous.Content.TrueForAll(static b => b.Type == "tool_result"))
        {
            // All results for one assistant turn must arrive in one user message.
            previous.Content.AddRange(blocks);
            return;
        }

        wire.Add(new AnthropicMessage { Role = role, Content = blocks });
    }

    private static AnthropicContentBlock? ToBlock(AIContent content)
    {
        switch (content)
        {
            case TextContent text:
                return string.IsNullOrEmpty(text.Text) ? null : new AnthropicContentBlock { Type = "text", Text = text.Text };
            case TextReasoningContent reasoning when !string.IsNullOrEmpty(reasoning.ProtectedData):
                return string.IsNullOrEmpty(reasoning.Text) && reasoning.AdditionalProperties?.ContainsKey("redacted_thinking") == true
                    ? new AnthropicContentBlock { Type = "redacted_thinking", Data = reasoning.ProtectedData }
                    : new AnthropicContentBlock { Type = "thinking", Thinking = reasoning.Text ?? string.Empty, Signature = reasoning.ProtectedData };
            case TextReasoningContent or UsageContent or ErrorContent:
                // Unsigned reasoning cannot be sent back; bookkeeping is never sent.
                return null;
            case DataContent data when data.HasTopLevelMediaType("image"):
                return new AnthropicContentBlock
                {
                    Type = "image",
                    Source = new AnthropicSource { Type = "base64", MediaType = data.MediaType, Data = Convert.ToBase64String(data.Data.Span) },
                };
            case DataContent data when string.Equals(data.MediaType, "application/pdf", StringComparison.OrdinalIgnoreCase):
                return new AnthropicContentBlock
                {
                    Type = "document",
                    Source = new AnthropicSource { Type = "base64", MediaType = "application/pdf", Data = Convert.ToBase64String(data.Data.Span) },
                };
            case UriContent uri when uri.HasTopLevelMediaType("image"):
                return new AnthropicContentBlock { Type = "image", Source = new AnthropicSource { Type = "url", Url = uri.Uri.AbsoluteUri } };
            case UriContent uri when string.Equals(uri.MediaType, "application/pdf", StringComparison.OrdinalIgnoreCase):
                return new AnthropicContentBlock { Type = "document", Source = new AnthropicSource { Type = "url", Url = uri.Uri.AbsoluteUri } };
            case FunctionCallContent call:
                return new AnthropicContentBlock
                {
                    Type = "tool_use",
                    Id = call.CallId,
                    Name = call.Name,
                    Input = JsonSerializer.SerializeToElement(
                        call.Arguments ?? new Dictionary<string, object?>(),
                        CompactAIJsonOptions.GetTypeInfo(typeof(IDictionary<string, object?>))),
                };
            case FunctionResultContent result:
                var isError = result.Exception is not null;
                var resultText = result.Result is null && result.Exception is { } exception ? exception.Message : FormatToolResult(result.Result);
                return new AnthropicContentBlock
                {
                    Type = "tool_result",
                    ToolUseId = result.CallId,
                    Content = JsonSerializer.SerializeToElement(resultText, AnthropicMessagesJsonContext.Default.String),
                    IsError = isError,
                };
            case DataContent data:
                throw new NotSupportedException(
                    $"The Anthropic Messages dialect cannot send '{data.MediaType}' content; only text, images and PDF documents are supported.");
            default:
                return null;
        }
    }

    /// <summary>
    /// A <c>cache_control</c> value: a JSON element as is; <c>true</c> or <c>"ephemeral"</c> for the default
    /// breakpoint; <c>"5m"</c> or <c>"1h"</c> for an ephemeral breakpoint with that TTL.
    /// </summary>
    private static JsonElement? ToCacheControl(object? value)
    {
        switch (value)
        {
            case null or false:
                return null;
            case JsonElement element:
                return element.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined ? null : element.Clone();
            case System.Text.Json.Nodes.JsonNode node:
                return JsonSerializer.SerializeToElement(node, AnthropicMessagesJsonContext.Default.JsonNode);
        }

        var ttl = value switch
        {
            true or "ephemeral" => null,
            "5m" or "1h" => (string)value,
            _ => throw new ArgumentException(
                $"cache_control must be true, \"ephemeral\", \"5m\", \"1h\" or a JSON object; got '{value}'.", nameof(value)),
        };

        return DialectJson.Write(ttl, static (writer, ttl) =>
        {
            writer.WriteStartObject();
            writer.WriteString("type", "ephemeral");
            if (ttl is not null)
            {
                writer.WriteString("ttl", ttl);
            }

            writer.WriteEndObject();
        });
    }

    private AnthropicResponse ParseMessage(string body, string modelId)
    {
        var message = ParseJson(body, AnthropicMessagesJsonContext.Default.AnthropicResponse, modelId, "the body is not valid message JSON");
        if (message.Type == "error" || message.Error is not null)
        {
            throw InvalidResponse(modelId, $"it reported an error in a successful response: {Redactor.Redact(message.Error?.Message) ?? Snippet(body)}", null);
        }

        if (message.Content is null)
        {
            throw InvalidResponse(modelId, $"the response has no content array. Body starts with: {Snippet(body)}", null);
        }

        return message;
    }

    private ChatResponse ToChatResponse(AnthropicResponse wire, string requestedModel, HttpResponseMessage httpResponse)
    {
        var message = new ChatMessage { Role = ChatRole.Assistant, MessageId = wire.Id };
        foreach (var block in wire.Content!)
        {
            switch (block.Type)
            {
                case "text" when block.Text is not null:
                    message.Contents.Add(new TextContent(block.Text) { RawRepresentation = block });
                    break;
                case "thinking":
                    message.Contents.Add(new TextReasoningContent(block.Thinking ?? string.Empty) { ProtectedData = block.Signature, RawRepresentation = block });
                    break;
                case "redacted_thinking":
                    message.Contents.Add(RedactedThinking(block.Data));
                    break;
                case "tool_use":
                    message.Contents.Add(DialectJson.FunctionCall(
                        block.Id,
                        block.Name,
                        block.Input is { ValueKind: JsonValueKind.Object } input ? input.GetRawText() : "{}"));
                    break;
            }
        }

        if (wire.StopReason == "refusal")
        {
            message.Contents.Add(Refusal(wire.StopDetails));
        }

        var response = new ChatResponse(message)
        {
            ResponseId = wire.Id,
            ModelId = wire.Model ?? requestedModel,
            FinishReason = wire.StopReason is { } reason ? MapFinishReason(reason) : null,
            Usage = wire.Usage is { } usage ? MapUsage(usage) : null,
            RawRepresentation = wire,
        };

        var properties = new AdditionalPropertiesDictionary();
        if (wire.StopSequence is not null)
        {
            properties["stop_sequence"] = wire.StopSequence;
        }

        if (wire.Usage?.ServiceTier is { } tier)
        {
            properties["service_tier"] = tier;
        }

        AddRateLimitHeaders(properties, httpResponse);
        if (properties.Count > 0)
        {
            response.AdditionalProperties = properties;
        }

        return response;
    }

    private void AddRateLimitHeaders(AdditionalPropertiesDictionary properties, HttpResponseMessage response)
    {
        foreach (var (name, value) in AnthropicErrors.RateLimitHeaders(response, Redactor))
        {
            properties[name] = value;
        }
    }

    private static TextReasoningContent RedactedThinking(string? data) => new(string.Empty)
    {
        ProtectedData = data,
        AdditionalProperties = new AdditionalPropertiesDictionary { ["redacted_thinking"] = true },
    };

    private static ErrorContent Refusal(AnthropicStopDetails? details) =>
        new(details?.Explanation ?? "The model refused to answer.") { ErrorCode = "refusal", Details = details?.Category };

    internal static ChatFinishReason MapFinishReason(string reason) => reason switch
    {
        "end_turn" or "stop_sequence" => ChatFinishReason.Stop,
        "max_tokens" or "model_context_window_exceeded" => ChatFinishReason.Length,
        "tool_use" => ChatFinishReason.ToolCalls,
        "refusal" => ChatFinishReason.ContentFilter,
        _ => new ChatFinishReason(reason),
    };

    internal static UsageDetails MapUsage(AnthropicUsage usage)
    {
        var uncached = usage.InputTokens;
        var cacheWrite = usage.CacheCreationInputTokens;
        var cacheRead = usage.CacheReadInputTokens;
        long? input = uncached is null && cacheWrite is null && cacheRead is null
            ? null
            : (uncached ?? 0) + (cacheWrite ?? 0) + (cacheRead ?? 0);
        var details = new UsageDetails
        {
            InputTokenCount = input,
            OutputTokenCount = usage.OutputTokens,
            TotalTokenCount = input is null && usage.OutputTokens is null ? null : (input ?? 0) + (usage.OutputTokens ?? 0),
            CachedInputTokenCount = cacheRead,
        };

        var counts = new AdditionalPropertiesDictionary<long>();
        if (cacheWrite is { } written)
        {
            counts[StratumUsageKeys.CacheWriteInputTokens] = written;
        }

        if (usage.CacheCreation?.Ephemeral5mInputTokens is { } fiveMinutes)
        {
            counts["ephemeral_5m_input_tokens"] = fiveMinutes;
        }

        if (usage.CacheCreation?.Ephemeral1hInputTokens is { } oneHour)
        {
            counts[StratumUsageKeys.CacheWrite1hInputTokens] = oneHour;
        }

        // "batch" on a Message Batch result: billed at the model's batch prices ("standard" adds nothing).
        StratumUsageKeys.AddServiceTier(counts, usage.ServiceTier);

        if (counts.Count > 0)
        {
            details.AdditionalCounts = counts;
        }

        return details;
    }

    private sealed class StreamState
    {
        public string? ResponseId { get; set; }

        public string? ModelId { get; set; }

        public string? StopReason { get; set; }

        public string? StopSequence { get; set; }

        public AnthropicStopDetails? StopDetails { get; set; }

        public AnthropicUsage? Usage { get; private set; }

        public Dictionary<int, BlockBuilder> Blocks { get; } = [];

        /// <summary>Later counts replace earlier ones: <c>message_delta</c> usage is cumulative. Returns the usage so far.</summary>
        public UsageDetails? MergeUsage(AnthropicUsage? usage)
        {
            if (usage is null)
            {
                return Usage is { } known ? MapUsage(known) : null;
            }

            Usage ??= new AnthropicUsage();
            Usage.InputTokens = usage.InputTokens ?? Usage.InputTokens;
            Usage.OutputTokens = usage.OutputTokens ?? Usage.OutputTokens;
            Usage.CacheCreationInputTokens = usage.CacheCreationInputTokens ?? Usage.CacheCreationInputTokens;
            Usage.CacheReadInputTokens = usage.CacheReadInputTokens ?? Usage.CacheReadInputTokens;
            Usage.CacheCreation = usage.CacheCreation ?? Usage.CacheCreation;
            Usage.ServiceTier = usage.ServiceTier ?? Usage.ServiceTier;
            return MapUsage(Usage);
        }
    }

    private sealed class BlockBuilder
    {
        public string? Type { get; init; }

        public string? Id { get; init; }

        public string? Name { get; init; }

        public JsonElement? InitialInput { get; init; }

        public StringBuilder Arguments { get; } = new();

        public StringBuilder Signature { get; } = new();
    }
}
