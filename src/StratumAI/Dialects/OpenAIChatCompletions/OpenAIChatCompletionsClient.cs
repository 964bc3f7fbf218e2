using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace StratumAI.Dialects;

/// <summary>
/// An <see cref="IChatClient"/> for the OpenAI Chat Completions wire protocol (<c>POST {base}/chat/completions</c>),
/// spoken by OpenAI, DeepSeek, Groq, xAI, OpenRouter, Mistral and any other compatible server.
/// </summary>
/// <remarks>
/// <para>Created by <see cref="DialectRegistry"/> for <see cref="StratumClient"/>; users reach it through
/// <see cref="StratumClient.GetChatClient(string)"/>, which adds the catalog, request checks and cost (internal since
/// the API review, docs/api-review.md).</para>
/// <para>Maps <see cref="ChatOptions"/> temperature, top-p, max output tokens, frequency/presence penalties, stop
/// sequences, seed, response format (JSON object or JSON schema), reasoning effort, function tools and tool mode.
/// Usage is mapped into <see cref="UsageDetails"/>, including cached input tokens (OpenAI's
/// <c>prompt_tokens_details.cached_tokens</c>, else DeepSeek's <c>prompt_cache_hit_tokens</c>), reasoning tokens and,
/// in <see cref="UsageDetails.AdditionalCounts"/>, cache-write tokens under
/// <see cref="StratumUsageKeys.CacheWriteInputTokens"/> and provider-specific counts under their wire names.</para>
/// <para>HTTP failures throw a <see cref="StratumException"/> subclass. The API key is sent only in the
/// <c>Authorization</c> header and never appears in exceptions or <see cref="object.ToString"/>.</para>
/// <para>Thread-safe: one instance may serve many concurrent calls.</para>
/// </remarks>
internal sealed class OpenAIChatCompletionsClient : DialectChatClient
{
    // How much of a body or event is decoded for an exception message (the message itself shows 200 characters).
    private const int SnippetBytes = 8192;

    // Iterated (never changed) when a stream delta has no tool calls, so no empty list is made per event.
    private static readonly List<ChatCompletionToolCall> NoToolCalls = [];

    private readonly bool _reasoningOutsideCompletion;
    private readonly AzureOpenAIEndpoint? _azure;

    /// <summary>Creates a client for one model of one OpenAI-compatible endpoint.</summary>
    /// <param name="httpClient">The HTTP client to send requests with. It is not disposed by this client.</param>
    /// <param name="baseUri">The API base, e.g. <c>https://api.openai.com/v1</c>; <c>chat/completions</c> is appended.</param>
    /// <param name="apiKey">The API key sent as <c>Authorization: Bearer</c>, or null for servers that need none.</param>
    /// <param name="modelId">The model id the endpoint expects; <see cref="ChatOptions.ModelId"/> overrides it per call.</param>
    /// <param name="headers">Extra headers sent with every request, or null.</param>
    /// <param name="providerId">The provider id reported in exceptions and metadata, e.g. <c>deepseek</c>.</param>
    /// <param name="timeProvider">The clock used to interpret <c>Retry-After</c> dates; defaults to the system clock.</param>
    /// <param name="azure">
    /// For the <c>azure-openai</c> dialect: Azure's URL shape (the deployment in the path for the classic API), the key in
    /// the <c>api-key</c> header, Azure's error shapes and content-filter results; null for every other server.
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="httpClient"/> or <paramref name="baseUri"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="modelId"/> or <paramref name="providerId"/> is empty, or <paramref name="baseUri"/> is not absolute.</exception>
    public OpenAIChatCompletionsClient(HttpClient httpClient, Uri baseUri, string? apiKey, string modelId, IEnumerable<KeyValuePair<string, string>>? headers = null, string providerId = "openai", TimeProvider? timeProvider = null, AzureOpenAIEndpoint? azure = null)
        : base(httpClient, baseUri, apiKey, modelId, headers, providerId, timeProvider, "https://api.openai.com/v1")
    {
        _azure = azure;
        Endpoint = azure?.For(AzureOpenAIEndpoint.ChatCompletions, modelId) ?? DialectHttp.Endpoint(baseUri, "chat/completions");
        _reasoningOutsideCompletion = string.Equals(providerId, "xai", StringComparison.Ordinal)
            || string.Equals(baseUri.Host, "api.x.ai", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The full URL requests are posted to.</summary>
    public Uri Endpoint { get; }

    private protected override Uri DisplayUri => Endpoint;

    private protected override string StreamEndMarker => "no finish_reason and no [DONE]";

    /// <summary>
    /// True when the output-token limit is sent as <c>max_completion_tokens</c>, false when sent as <c>max_tokens</c>.
    /// </summary>
    /// <remarks>
    /// The rule: OpenAI's reasoning models, whose ids start with <c>o</c> and a digit (<c>o1</c>, <c>o3-mini</c>,
    /// <c>o4-mini</c>) or with <c>gpt-5</c>, reject <c>max_tokens</c> and get <c>max_completion_tokens</c>; every
    /// other model gets <c>max_tokens</c>, which every compatible server understands. Ids with a vendor prefix
    /// (OpenRouter's <c>openai/o3</c>) get <c>max_tokens</c>, which those routers translate themselves.
    /// </remarks>
    /// <param name="modelId">The model id as sent on the wire.</param>
    /// <returns>Whether <c>max_completion_tokens</c> is used.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="modelId"/> is null.</exception>
    public static bool UsesMaxCompletionTokens(string modelId)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        return (modelId.Length >= 2 && modelId[0] == 'o' && char.IsAsciiDigit(modelId[1]))
            || modelId.StartsWith("gpt-5", StringComparison.Ordinal);
    }

    private protected override string DescribeUnavailable(HttpRequestException exception, string model) => DialectHttp.UnavailableMessage(ProviderId, Endpoint, exception);

    private protected override StratumException MapError(HttpResponseMessage response, string body, string model) =>
        ProviderErrorMapper.FromResponse(
            response, body, ProviderId, model, Redactor, TimeProvider, _azure is null ? OpenAIChatCompletionsErrors.ParseBody(body) : AzureOpenAIContentFilter.ParseErrorBody(body));

    private protected override HttpRequestMessage CreateHttpRequest(IEnumerable<ChatMessage> messages, ChatOptions? options, string model, bool stream)
    {
        // Azure's classic API names the deployment in the URL: a call for another model than the client's goes to its own.
        var endpoint = _azure is null || string.Equals(model, ModelId, StringComparison.Ordinal) ? Endpoint : _azure.For(AzureOpenAIEndpoint.ChatCompletions, model);
        return CreateJsonPost(
            endpoint,
            JsonSerializer.SerializeToUtf8Bytes(CreateRequest(messages, options, model, stream), OpenAIChatCompletionsJsonContext.Default.ChatCompletionRequest),
            stream,
            _azure is null ? null : AzureOpenAIEndpoint.ApiKeyHeader);
    }

    private protected override async ValueTask<ChatResponse> ReadResponseAsync(HttpResponseMessage response, string model, string? requestId, CancellationToken cancellationToken)
    {
        var completion = await ReadCompletionAsync(response, model, cancellationToken).ConfigureAwait(false);
        if (_azure is not null && completion.Choices![0] is { FinishReason: "content_filter" } filtered)
        {
            // Azure withholds a flagged completion (or cuts it) and says which category fired; the tokens are still billed.
            throw AzureOpenAIContentFilter.Flagged(
                ProviderId, model, "withheld the answer", AzureOpenAIContentFilter.Filtered(filtered.ContentFilterResults), requestId,
                completion.Usage is { } usage ? MapUsage(usage, completion.ServiceTier) : null, Redactor);
        }

        return ToChatResponse(completion, model);
    }

    /// <summary>
    /// Deserializes the buffered body straight from its UTF-8 bytes. The body is decoded to a string only when it
    /// cannot be used (an HTML page, invalid JSON, no choices), to describe it in the exception.
    /// </summary>
    private async ValueTask<ChatCompletionResponse> ReadCompletionAsync(HttpResponseMessage response, string modelId, CancellationToken cancellationToken)
    {
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (string.Equals(mediaType, "text/html", StringComparison.OrdinalIgnoreCase))
        {
            var page = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw InvalidResponse(modelId, ProviderErrorMapper.DescribeHtmlBody(page, mediaType, Redactor) ?? $"the body is an HTML page. Body starts with: {Snippet(page)}", null);
        }

        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using var streamScope = stream.ConfigureAwait(false);
        ChatCompletionResponse? completion;
        try
        {
            completion = await JsonSerializer.DeserializeAsync(stream, OpenAIChatCompletionsJsonContext.Default.ChatCompletionResponse, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            var body = await ReadBodyForErrorAsync(response, stream, cancellationToken).ConfigureAwait(false);
            if (ProviderErrorMapper.DescribeHtmlBody(body, mediaType, Redactor) is { } html)
            {
                throw InvalidResponse(modelId, html, null);
            }

            throw InvalidJson(modelId, "the body is not valid chat completion JSON", "Body", ex, body);
        }

        if (completion?.Error is { ValueKind: not JsonValueKind.Null } error && completion.Choices is not { Count: > 0 })
        {
            var parsed = OpenAIChatCompletionsErrors.ParseError(error);
            throw InvalidResponse(modelId, $"it reported an error in a successful response: {Redactor.Redact(parsed.Message) ?? Snippet(error.GetRawText())}", null);
        }

        if (completion?.Choices is not { Count: > 0 })
        {
            var body = await ReadBodyForErrorAsync(response, stream, cancellationToken).ConfigureAwait(false);
            throw InvalidResponse(modelId, $"the response has no choices. Body starts with: {Snippet(body)}", null);
        }

        return completion;
    }

    /// <summary>The body as text for an error message: the buffered stream rewound, else the content read again.</summary>
    private static async Task<string> ReadBodyForErrorAsync(HttpResponseMessage response, Stream stream, CancellationToken cancellationToken)
    {
        if (!stream.CanSeek)
        {
            return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }

        stream.Position = 0;
        var length = (int)Math.Min(stream.Length, SnippetBytes);
        var buffer = new byte[length];
        await stream.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
        return Encoding.UTF8.GetString(buffer);
    }

    private protected override async IAsyncEnumerable<ChatResponseUpdate> ReadStreamAsync(HttpResponseMessage response, Stream stream, DialectStream call, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var toolCalls = new SortedDictionary<int, ToolCallBuilder>();
        string? responseId = null;
        string? modelId = null;
        DateTimeOffset? createdAt = null;
        var first = true;
        List<(string Category, string? Severity)>? flagged = null;
        await foreach (var sse in SseParser.Create(stream, ParseStreamEvent).EnumerateAsync(cancellationToken).ConfigureAwait(false))
        {
            var item = sse.Data;
            if (item.IsDone)
            {
                call.Completed = true;
                break;
            }

            if (item.IsEmpty)
            {
                continue;
            }

            var chunk = CheckChunk(item, call);
            var choice = chunk.Choices is { Count: > 0 } ? chunk.Choices[0] : null;
            if (_azure is not null && AzureFilterChunk(chunk, choice, ref flagged))
            {
                // Azure's prompt-filter-only first chunk and its asynchronous-filter annotations carry no answer (and an
                // empty id and model): nothing to yield.
                continue;
            }

            // Azure sends "" for the id and model and 0 for created on its filter chunks: those say nothing.
            var chunkId = string.IsNullOrEmpty(chunk.Id) ? null : chunk.Id;
            var chunkModel = string.IsNullOrEmpty(chunk.Model) ? null : chunk.Model;
            responseId ??= chunkId;
            modelId ??= chunkModel;
            createdAt ??= chunk.Created is { } created and not 0 ? DateTimeOffset.FromUnixTimeSeconds(created) : null;

            var update = new ChatResponseUpdate
            {
                ResponseId = chunkId ?? responseId,
                MessageId = chunkId ?? responseId,
                ModelId = chunkModel ?? modelId,
                CreatedAt = createdAt,
                Role = ChatRole.Assistant,
                RawRepresentation = chunk,
            };

            if (first)
            {
                // Carried by the first update, as the non-streaming path carries it on the response.
                call.AddRequestId(update);
                first = false;
            }

            if (choice?.Delta is { } delta)
            {
                var reasoning = delta.ReasoningContent ?? delta.Reasoning ?? delta.Content.GetReasoning();
                if (!string.IsNullOrEmpty(reasoning))
                {
                    update.Contents.Add(new TextReasoningContent(reasoning));
                }

                var text = delta.Content.GetText();
                if (!string.IsNullOrEmpty(text))
                {
                    update.Contents.Add(new TextContent(text));
                }

                if (!string.IsNullOrEmpty(delta.Refusal))
                {
                    update.Contents.Add(new ErrorContent(delta.Refusal) { ErrorCode = "refusal" });
                }

                foreach (var toolCall in delta.ToolCalls ?? NoToolCalls)
                {
                    var index = toolCall.Index ?? toolCalls.Count;
                    if (!toolCalls.TryGetValue(index, out var builder))
                    {
                        builder = new ToolCallBuilder();
                        toolCalls[index] = builder;
                    }

                    builder.Id ??= toolCall.Id;
                    builder.Name ??= toolCall.Function?.Name;
                    builder.Arguments.Append(toolCall.Function?.Arguments);
                }
            }

            if (choice?.FinishReason is { } finishReason)
            {
                // A finish_reason completes the answer even if [DONE] never comes.
                call.Completed = true;
                update.FinishReason = MapFinishReason(finishReason);
                AddToolCalls(update.Contents, toolCalls);
            }

            if (chunk.Usage is { } usage)
            {
                call.UsageSoFar = MapUsage(usage, chunk.ServiceTier);
                update.Contents.Add(new UsageContent(call.UsageSoFar));
                if (usage.Cost is { } reportedCost)
                {
                    (update.AdditionalProperties ??= [])[StratumUsageKeys.ProviderReportedCost] = reportedCost;
                }
            }

            yield return update;
        }

        if (flagged is not null)
        {
            // Raised once the stream has ended, so the exception carries the usage of the final chunk.
            throw AzureOpenAIContentFilter.Flagged(ProviderId, call.Model, "flagged the streamed answer", flagged, call.RequestId, call.UsageSoFar, Redactor);
        }

        if (call.Completed && toolCalls.Count > 0)
        {
            // [DONE] without a finish_reason still owes the caller the calls it announced.
            var tail = new ChatResponseUpdate { ResponseId = responseId, MessageId = responseId, ModelId = modelId, CreatedAt = createdAt, Role = ChatRole.Assistant };
            AddToolCalls(tail.Contents, toolCalls);
            yield return tail;
        }
    }

    /// <summary>
    /// For Azure: true when <paramref name="chunk"/> is only a content-filter annotation (no delta, finish reason or usage),
    /// which is skipped. A choice the filter flagged (<c>filtered: true</c>, or <c>finish_reason: content_filter</c>) sets
    /// <paramref name="flagged"/>: the stream is read to its end (for the usage) and then throws
    /// <see cref="StratumContentFilteredException"/>, whether the flag came with the answer or after it (asynchronous
    /// filtering annotates text already streamed).
    /// </summary>
    private static bool AzureFilterChunk(ChatCompletionChunk chunk, ChatCompletionChunkChoice? choice, ref List<(string Category, string? Severity)>? flagged)
    {
        if (choice is not null)
        {
            var categories = AzureOpenAIContentFilter.Filtered(choice.ContentFilterResults);
            if (categories.Count > 0 || string.Equals(choice.FinishReason, "content_filter", StringComparison.Ordinal))
            {
                flagged ??= [];
                foreach (var category in categories)
                {
                    if (!flagged.Contains(category))
                    {
                        flagged.Add(category);
                    }
                }
            }
        }

        return choice?.Delta is null && choice?.FinishReason is null && chunk.Usage is null && string.IsNullOrEmpty(chunk.Id);
    }

    private static ChatCompletionRequest CreateRequest(IEnumerable<ChatMessage> messages, ChatOptions? options, string model, bool stream)
    {
        var wireMessages = new List<ChatCompletionMessage>();
        if (!string.IsNullOrEmpty(options?.Instructions))
        {
            wireMessages.Add(new ChatCompletionMessage { Role = "system", Content = new ChatCompletionContent { Text = options.Instructions } });
        }

        // Index loops where the collection allows: foreach over an interface boxes its enumerator on every call.
        if (messages is IList<ChatMessage> list)
        {
            for (var i = 0; i < list.Count; i++)
            {
                AddMessage(wireMessages, list[i]);
            }
        }
        else
        {
            foreach (var message in messages)
            {
                AddMessage(wireMessages, message);
            }
        }

        var request = new ChatCompletionRequest { Model = model, Messages = wireMessages, Stream = stream };
        if (stream)
        {
            request.StreamOptions = new ChatCompletionStreamOptions { IncludeUsage = true };
        }

        if (options is null)
        {
            return request;
        }

        options.CopySampling(request);
        if (options.MaxOutputTokens is { } maxTokens)
        {
            if (UsesMaxCompletionTokens(model))
            {
                request.MaxCompletionTokens = maxTokens;
            }
            else
            {
                request.MaxTokens = maxTokens;
            }
        }

        request.ReasoningEffort = EffortName(options.Reasoning?.Effort);

        var strict = StrictSchema(options);
        request.ResponseFormat = options.ResponseFormat switch
        {
            ChatResponseFormatJson { Schema: { } } json => new ChatCompletionResponseFormat { Type = "json_schema", JsonSchema = WireJsonSchema.From(json, strict) },
            ChatResponseFormatJson => new ChatCompletionResponseFormat { Type = "json_object" },
            _ => null,
        };

        request.Tools = FunctionTools(options, "OpenAI Chat Completions", static (function, strict) => new WireTool { Function = WireFunction.From(function, function.JsonSchema, strict) });
        if (request.Tools is not null)
        {
            request.ToolChoice = OpenAIToolChoice(options.ToolMode, JsonFunctionChoice);
            request.ParallelToolCalls = options.AllowMultipleToolCalls;
        }

        return request;
    }

    private static void AddMessage(List<ChatCompletionMessage> wire, ChatMessage message)
    {
        var role = message.Role.Value;
        if (message.Role == ChatRole.Tool)
        {
            foreach (var content in message.Contents)
            {
                if (content is FunctionResultContent result)
                {
                    wire.Add(new ChatCompletionMessage
                    {
                        Role = "tool",
                        ToolCallId = result.CallId,
                        Content = new ChatCompletionContent { Text = FormatToolResult(result.Result) },
                    });
                }
            }

            return;
        }

        var parts = new List<ChatCompletionContentPart>();
        var hasNonText = false;
        List<ChatCompletionToolCall>? toolCalls = null;
        var contents = message.Contents;
        for (var i = 0; i < contents.Count; i++)
        {
            switch (contents[i])
            {
                case TextContent text:
                    parts.Add(new ChatCompletionContentPart { Type = "text", Text = text.Text });
                    break;
                case DataContent data when data.HasTopLevelMediaType("image"):
                    parts.Add(new ChatCompletionContentPart { Type = "image_url", ImageUrl = data.Uri });
                    hasNonText = true;
                    break;
                case UriContent uri when uri.HasTopLevelMediaType("image"):
                    parts.Add(new ChatCompletionContentPart { Type = "image_url", ImageUrl = uri.Uri.AbsoluteUri });
                    hasNonText = true;
                    break;
                case FunctionCallContent call:
                    toolCalls ??= [];
                    toolCalls.Add(new ChatCompletionToolCall
                    {
                        Id = call.CallId,
                        Type = "function",
                        Function = new ChatCompletionFunctionCall
                        {
                            Name = call.Name,
                            Arguments = SerializeArguments(call.Arguments),
                        },
                    });
                    break;
                case TextReasoningContent or UsageContent or ErrorContent:
                    // Reasoning and bookkeeping from earlier responses are not sent back to the model.
                    break;
                case DataContent data:
                    throw new NotSupportedException(
                        $"The OpenAI Chat Completions dialect cannot send '{data.MediaType}' content; only text and images are supported.");
                default:
                    break;
            }
        }

        ChatCompletionContent? wireContent = null;
        if (hasNonText || parts.Count > 1)
        {
            // Several text parts stay separate parts: joining them would glue sentences together.
            wireContent = new ChatCompletionContent { Parts = parts };
        }
        else if (parts.Count > 0)
        {
            // One text part: sent as a plain string, the form every compatible server takes.
            wireContent = new ChatCompletionContent { Text = parts[0].Text };
        }
        else if (toolCalls is null)
        {
            wireContent = new ChatCompletionContent { Text = string.Empty };
        }

        wire.Add(new ChatCompletionMessage { Role = role, Content = wireContent, ToolCalls = toolCalls, Name = message.AuthorName });
    }

    private static JsonElement JsonFunctionChoice(string name) => DialectJson.Write(name, static (writer, function) =>
    {
        writer.WriteStartObject();
        writer.WriteString("type", "function");
        writer.WriteStartObject("function");
        writer.WriteString("name", function);
        writer.WriteEndObject();
        writer.WriteEndObject();
    });

    /// <summary>
    /// The SSE item parser: deserializes each event's UTF-8 bytes directly. It never throws; a JSON error is carried
    /// out with a snippet of the event so that the stream loop can raise it as an invalid response.
    /// </summary>
    private static StreamEvent ParseStreamEvent(string eventType, ReadOnlySpan<byte> data)
    {
        var trimmed = data[Ascii.Trim(data)];
        if (trimmed.IsEmpty)
        {
            return StreamEvent.Empty;
        }

        if (trimmed.SequenceEqual("[DONE]"u8))
        {
            return StreamEvent.Done;
        }

        try
        {
            return new StreamEvent(JsonSerializer.Deserialize(trimmed, OpenAIChatCompletionsStreamJsonContext.Default.ChatCompletionChunk), null, null);
        }
        catch (JsonException ex)
        {
            return new StreamEvent(null, ex, Encoding.UTF8.GetString(trimmed[..Math.Min(trimmed.Length, SnippetBytes)]));
        }
    }

    private ChatCompletionChunk CheckChunk(StreamEvent item, DialectStream call)
    {
        if (item.Error is { } ex)
        {
            throw InvalidJson(call.Model, "a stream event is not valid chat completion chunk JSON", "Event", ex, item.ErrorText ?? string.Empty);
        }

        if (item.Chunk is not { } chunk)
        {
            throw InvalidResponse(call.Model, "a stream event was JSON null.", null);
        }

        if (chunk.Error is { ValueKind: JsonValueKind.Object } error)
        {
            // OpenRouter and others end a failing stream with an error chunk; classify it like an HTTP error body.
            var parsed = OpenAIChatCompletionsErrors.ParseError(error);
            throw ProviderErrorMapper.FromStreamError(
                ProviderId, call.Model, parsed.Type, parsed.Code, parsed.Message, parsed.Param, call.RequestId, chunk.Usage is { } usage ? MapUsage(usage) : call.UsageSoFar, Redactor, OpenAIChatCompletionsErrors.UpstreamStatus(parsed.Code));
        }

        return chunk;
    }

    private ChatResponse ToChatResponse(ChatCompletionResponse completion, string requestedModel)
    {
        var choice = completion.Choices![0];
        var createdAt = completion.Created is { } created ? DateTimeOffset.FromUnixTimeSeconds(created) : (DateTimeOffset?)null;
        var message = new ChatMessage { Role = ChatRole.Assistant, MessageId = completion.Id, CreatedAt = createdAt };
        var wire = choice.Message;
        if (wire is not null)
        {
            var reasoning = wire.ReasoningContent ?? wire.Reasoning ?? wire.Content?.GetReasoning();
            if (!string.IsNullOrEmpty(reasoning))
            {
                message.Contents.Add(new TextReasoningContent(reasoning));
            }

            var text = wire.Content?.GetText();
            if (!string.IsNullOrEmpty(text))
            {
                message.Contents.Add(new TextContent(text));
            }

            if (!string.IsNullOrEmpty(wire.Refusal))
            {
                message.Contents.Add(new ErrorContent(wire.Refusal) { ErrorCode = "refusal" });
            }

            foreach (var call in wire.ToolCalls ?? [])
            {
                message.Contents.Add(DialectJson.FunctionCall(call.Id, call.Function?.Name, call.Function?.Arguments));
            }
        }

        var response = new ChatResponse(message)
        {
            ResponseId = completion.Id,
            ModelId = completion.Model ?? requestedModel,
            CreatedAt = createdAt,
            FinishReason = choice.FinishReason is { } reason ? MapFinishReason(reason) : null,
            Usage = completion.Usage is { } usage ? MapUsage(usage, completion.ServiceTier) : null,
            RawRepresentation = completion,
        };

        var properties = new AdditionalPropertiesDictionary();
        if (completion.SystemFingerprint is not null)
        {
            properties["system_fingerprint"] = completion.SystemFingerprint;
        }

        if (completion.ServiceTier is not null)
        {
            properties["service_tier"] = completion.ServiceTier;
        }

        if (completion.Provider is not null)
        {
            properties["provider"] = completion.Provider;
        }

        if (completion.Usage?.Cost is { } reportedCost)
        {
            properties[StratumUsageKeys.ProviderReportedCost] = reportedCost;
        }

        if (properties.Count > 0)
        {
            response.AdditionalProperties = properties;
        }

        return response;
    }

    private static void AddToolCalls(IList<AIContent> contents, SortedDictionary<int, ToolCallBuilder> toolCalls)
    {
        foreach (var builder in toolCalls.Values)
        {
            contents.Add(DialectJson.FunctionCall(builder.Id, builder.Name, builder.Arguments.ToString()));
        }

        toolCalls.Clear();
    }

    internal static ChatFinishReason MapFinishReason(string reason) => reason switch
    {
        "stop" or "end_turn" => ChatFinishReason.Stop,
        "length" or "max_tokens" => ChatFinishReason.Length,
        "tool_calls" or "function_call" => ChatFinishReason.ToolCalls,
        "content_filter" => ChatFinishReason.ContentFilter,
        _ => new ChatFinishReason(reason),
    };

    internal UsageDetails MapUsage(ChatCompletionUsage usage, string? serviceTier = null) =>
        MapUsage(usage, serviceTier, _reasoningOutsideCompletion);

    /// <param name="usage">The wire usage.</param>
    /// <param name="serviceTier">The <c>service_tier</c> the response reports, or null.</param>
    /// <param name="reasoningOutsideCompletion">True for xAI, whose <c>completion_tokens</c> never include the reasoning tokens.</param>
    internal static UsageDetails MapUsage(ChatCompletionUsage usage, string? serviceTier, bool reasoningOutsideCompletion)
    {
        var output = usage.CompletionTokens;
        var reasoning = usage.CompletionTokensDetails?.ReasoningTokens;
        if (reasoning is > 0 && output is { } completion
            && (reasoningOutsideCompletion
                || (usage.PromptTokens is { } prompt && usage.TotalTokens is { } total && total == prompt + completion + reasoning.Value && total != prompt + completion)))
        {
            // xAI counts reasoning tokens outside completion_tokens. That is the provider's convention, so it holds whatever
            // total_tokens says (a proxy may drop or rewrite it); for another server, a total of prompt + completion + reasoning
            // can only mean the same. OutputTokenCount always includes reasoning, so cost bills them alike for every provider.
            output = completion + reasoning.Value;
        }

        var details = new UsageDetails
        {
            InputTokenCount = usage.PromptTokens,
            OutputTokenCount = output,
            TotalTokenCount = usage.TotalTokens ?? (usage.PromptTokens + usage.CompletionTokens),
            CachedInputTokenCount = usage.PromptTokensDetails?.CachedTokens ?? usage.PromptCacheHitTokens,
            ReasoningTokenCount = usage.CompletionTokensDetails?.ReasoningTokens,
        };

        var counts = new AdditionalPropertiesDictionary<long>();
        if (usage.PromptTokensDetails?.CacheWriteTokens is { } cacheWrite)
        {
            counts[StratumUsageKeys.CacheWriteInputTokens] = cacheWrite;
        }

        if (usage.PromptTokensDetails?.AudioTokens is > 0 and var audioIn)
        {
            counts[StratumUsageKeys.AudioInputTokens] = audioIn;
        }

        if (usage.CompletionTokensDetails?.AudioTokens is > 0 and var audioOut)
        {
            counts[StratumUsageKeys.AudioOutputTokens] = audioOut;
        }

        StratumUsageKeys.AddServiceTier(counts, serviceTier);

        if (usage.PromptCacheHitTokens is { } hit)
        {
            counts["prompt_cache_hit_tokens"] = hit;
        }

        if (usage.PromptCacheMissTokens is { } miss)
        {
            counts["prompt_cache_miss_tokens"] = miss;
        }

        if (usage.CostInUsdTicks is { } ticks)
        {
            counts["cost_in_usd_ticks"] = ticks;
        }

        if (usage.CompletionTokensDetails?.AcceptedPredictionTokens is { } accepted)
        {
            counts["accepted_prediction_tokens"] = accepted;
        }

        if (usage.CompletionTokensDetails?.RejectedPredictionTokens is { } rejected)
        {
            counts["rejected_prediction_tokens"] = rejected;
        }

        if (counts.Count > 0)
        {
            details.AdditionalCounts = counts;
        }

        return details;
    }

    /// <summary>One parsed SSE event: a chunk, the <c>[DONE]</c> sentinel, an empty event, or a JSON error with the event's text.</summary>
    private readonly record struct StreamEvent(ChatCompletionChunk? Chunk, JsonException? Error, string? ErrorText, bool IsDone = false, bool IsEmpty = false)
    {
        public static StreamEvent Done => new(null, null, null, IsDone: true);

        public static StreamEvent Empty => new(null, null, null, IsEmpty: true);
    }

    private sealed class ToolCallBuilder
    {
        public string? Id { get; set; }

        public string? Name { get; set; }

        public StringBuilder Arguments { get; } = new();
    }
}
