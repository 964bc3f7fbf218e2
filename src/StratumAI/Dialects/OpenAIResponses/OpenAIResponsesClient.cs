using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace StratumAI.Dialects;

/// <summary>OpenAI's Responses API (<c>POST {base}/responses</c>, also served by xAI) as an <see cref="IChatClient"/>.</summary>
/// <remarks>
/// <para>Messages become <c>input</c> items: user, assistant and developer messages (text as a string; with images or
/// files as <c>input_text</c> / <c>input_image</c> / <c>input_file</c> parts), <see cref="FunctionCallContent"/> as
/// <c>function_call</c> items, <see cref="FunctionResultContent"/> as <c>function_call_output</c> items. System messages
/// and <see cref="ChatOptions.Instructions"/> go into <c>instructions</c>.</para>
/// <para>Reasoning comes back as <see cref="TextReasoningContent"/> (the reasoning summary, or the full reasoning text
/// where the server sends it) whose <see cref="AIContent.AdditionalProperties"/> hold the reasoning item's id under
/// <see cref="ItemIdKey"/> and whose <see cref="TextReasoningContent.ProtectedData"/> holds its
/// <c>encrypted_content</c>. Sent back in a later turn, such content becomes the same <c>reasoning</c> item, so a
/// reasoning model keeps its reasoning across tool calls. Set <c>ChatOptions.AdditionalProperties["store"] = false</c>
/// to keep nothing on the provider's side; the encrypted reasoning is then requested and carried instead.</para>
/// <para>Also mapped: <see cref="ChatOptions.MaxOutputTokens"/> (<c>max_output_tokens</c>), temperature, top-p,
/// <see cref="ChatOptions.Reasoning"/> (<c>reasoning.effort</c>, <c>reasoning.summary</c>), function tools with
/// <c>strict</c> (<c>AdditionalProperties["strictJsonSchema"]</c>), tool mode, parallel tool calls, structured output
/// (<c>text.format</c>) and <see cref="ChatOptions.ConversationId"/> (<c>previous_response_id</c>). The Responses API
/// has no stop sequences, seed or penalties; those options are not sent.</para>
/// <para>Thread-safe; one instance serves one model. The API key is sent only in the <c>Authorization</c> header.</para>
/// </remarks>
internal sealed class OpenAIResponsesClient : DialectChatClient
{
    /// <summary>
    /// The <see cref="AIContent.AdditionalProperties"/> key under which the provider's output item id (<c>rs_…</c>,
    /// <c>fc_…</c>) is kept on reasoning and function-call content, so it can be sent back.
    /// </summary>
    public const string ItemIdKey = "openai.item_id";

    /// <summary>Creates a client for one model.</summary>
    /// <param name="httpClient">The HTTP client to send requests with; not disposed by this instance.</param>
    /// <param name="baseUri">The API's base URL, e.g. <c>https://api.openai.com/v1</c>; <c>responses</c> is appended.</param>
    /// <param name="apiKey">The API key, or null for servers that need none.</param>
    /// <param name="modelId">The model id the API expects; <see cref="ChatOptions.ModelId"/> overrides it per call.</param>
    /// <param name="headers">Extra headers sent with every request.</param>
    /// <param name="providerId">Provider id reported in errors and telemetry.</param>
    /// <param name="timeProvider">Clock for retry-after dates; the system clock by default.</param>
    /// <param name="azure">
    /// For the <c>azure-openai-responses</c> dialect: Azure's URL (<c>/openai/v1/responses</c>, or the classic
    /// <c>/openai/responses?api-version=…</c>), the key in the <c>api-key</c> header, Azure's error shapes and
    /// <c>content_filters</c>; null for every other server.
    /// </param>
    /// <exception cref="ArgumentNullException">A required argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="modelId"/> or <paramref name="providerId"/> is empty, or <paramref name="baseUri"/> is not absolute.</exception>
    public OpenAIResponsesClient(HttpClient httpClient, Uri baseUri, string? apiKey, string modelId, IEnumerable<KeyValuePair<string, string>>? headers = null, string providerId = "openai", TimeProvider? timeProvider = null, AzureOpenAIEndpoint? azure = null)
        : base(httpClient, baseUri, apiKey, modelId, headers, providerId, timeProvider, "https://api.openai.com/v1")
    {
        _azure = azure;
        Endpoint = azure?.For(AzureOpenAIEndpoint.Responses, modelId) ?? DialectHttp.Endpoint(baseUri, "responses");
    }

    private readonly AzureOpenAIEndpoint? _azure;

    /// <summary>The full URL requests are posted to.</summary>
    public Uri Endpoint { get; }

    private protected override string StreamEndMarker => "no response.completed event";

    private protected override string DescribeUnavailable(HttpRequestException exception, string model) => DialectHttp.UnavailableMessage(ProviderId, Endpoint, exception);

    // The Responses API names the model (Azure: the deployment) in the body on every URL shape, so the endpoint is fixed.
    private protected override HttpRequestMessage CreateHttpRequest(IEnumerable<ChatMessage> messages, ChatOptions? options, string model, bool stream) =>
        CreateJsonPost(
            Endpoint,
            JsonSerializer.SerializeToUtf8Bytes(CreateRequest(messages, options, model, stream), OpenAIResponsesJsonContext.Default.ResponsesRequest),
            stream,
            _azure is null ? null : AzureOpenAIEndpoint.ApiKeyHeader);

    private protected override StratumException MapError(HttpResponseMessage response, string body, string model) =>
        _azure is null
            ? base.MapError(response, body, model)
            : ProviderErrorMapper.FromResponse(response, body, ProviderId, model, Redactor, TimeProvider, AzureOpenAIContentFilter.ParseErrorBody(body));

    /// <summary>For Azure: throws when its content filter blocked the response (<c>content_filters</c> with <c>blocked: true</c>, or incomplete for <c>content_filter</c>).</summary>
    private void ThrowIfAzureBlocked(ResponsesResponse? response, string model, string? requestId, UsageDetails? usage)
    {
        if (_azure is null || response is null)
        {
            return;
        }

        var blocked = AzureOpenAIContentFilter.Blocked(response.ContentFilters, out var categories);
        if (blocked || string.Equals(response.IncompleteDetails?.Reason, "content_filter", StringComparison.Ordinal))
        {
            throw AzureOpenAIContentFilter.Flagged(ProviderId, model, "blocked the response", categories, requestId, usage, Redactor);
        }
    }

    private protected override async ValueTask<ChatResponse> ReadResponseAsync(HttpResponseMessage response, string model, string? requestId, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (ProviderErrorMapper.DescribeHtmlBody(body, response.Content.Headers.ContentType?.MediaType, Redactor) is { } html)
        {
            throw InvalidResponse(model, html, null);
        }

        ResponsesResponse? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize(body, OpenAIResponsesJsonContext.Default.ResponsesResponse);
        }
        catch (JsonException ex)
        {
            throw InvalidJson(model, "the body is not valid Responses API JSON", "Body", ex, body);
        }

        if (parsed is null || (parsed.Output is null && parsed.Error is null))
        {
            throw InvalidResponse(model, $"the body has no output. Body starts with: {Snippet(body)}", null);
        }

        var usage = parsed.Usage is { } u ? MapUsage(u, parsed.ServiceTier) : null;
        if (string.Equals(parsed.Status, "failed", StringComparison.Ordinal) || (parsed.Output is null && parsed.Error is not null))
        {
            throw Failed(model, parsed.Error, requestId, usage);
        }

        ThrowIfAzureBlocked(parsed, model, requestId, usage);
        return ToChatResponse(parsed, model, usage);
    }

    private protected override IAsyncEnumerable<ChatResponseUpdate> ReadStreamAsync(HttpResponseMessage response, Stream stream, DialectStream call, CancellationToken cancellationToken)
    {
        var state = new StreamState();
        return ReadJsonEventsAsync(stream, OpenAIResponsesJsonContext.Default.ResponsesStreamEvent, call, (evt, eventType) => HandleEvent(evt, evt.Type ?? eventType, state, call), cancellationToken);
    }

    private ChatResponseUpdate? HandleEvent(ResponsesStreamEvent evt, string type, StreamState state, DialectStream progress)
    {
        var requestedModel = progress.Model;
        switch (type)
        {
            case "response.created" or "response.in_progress" or "response.queued":
                state.Remember(evt.Response);
                return null;

            case "response.output_text.delta" when !string.IsNullOrEmpty(evt.Delta):
                return state.NewUpdate(requestedModel, new TextContent(evt.Delta));

            case "response.reasoning_summary_text.delta" or "response.reasoning_text.delta" when !string.IsNullOrEmpty(evt.Delta):
            {
                state.ReasoningStreamed.Add(evt.ItemId ?? string.Empty);
                // Every delta carries the item id: ToChatResponse merges adjacent reasoning and keeps the first one's properties.
                var delta = new TextReasoningContent(evt.Delta);
                if (evt.ItemId is not null)
                {
                    delta.AdditionalProperties = new() { [ItemIdKey] = evt.ItemId };
                }

                return state.NewUpdate(requestedModel, delta);
            }

            case "response.refusal.done" when !string.IsNullOrEmpty(evt.Refusal):
                return state.NewUpdate(requestedModel, new ErrorContent(evt.Refusal) { ErrorCode = "refusal" });

            case "response.output_item.added" when evt.Item is { Type: "function_call" } call:
                state.Calls[call.Id ?? call.CallId ?? evt.OutputIndex?.ToString(CultureInfo.InvariantCulture) ?? string.Empty] = new CallBuilder(call);
                return null;

            case "response.function_call_arguments.delta" when evt.ItemId is { } id && state.Calls.TryGetValue(id, out var builder):
                builder.Arguments.Append(evt.Delta);
                return null;

            case "response.function_call_arguments.done" when evt.ItemId is { } id && evt.Arguments is { } arguments && state.Calls.TryGetValue(id, out var builder):
                builder.Arguments.Clear().Append(arguments);
                return null;

            case "response.output_item.done" when evt.Item is { Type: "function_call" } call:
            {
                var key = call.Id ?? call.CallId ?? string.Empty;
                var arguments = call.Arguments;
                if (state.Calls.Remove(key, out var pending) && string.IsNullOrEmpty(arguments))
                {
                    arguments = pending.Arguments.ToString();
                }

                state.SawFunctionCall = true;
                return state.NewUpdate(requestedModel, CreateFunctionCall(call, arguments));
            }

            case "response.output_item.done" when evt.Item is { Type: "reasoning" } reasoning:
                // Text that already streamed as deltas is not repeated; this carries the item id and encrypted reasoning for later turns.
                return state.NewUpdate(requestedModel, CreateReasoningMarker(
                    reasoning,
                    state.ReasoningStreamed.Contains(reasoning.Id ?? string.Empty) ? string.Empty : ReasoningText(reasoning)));

            case "response.completed" or "response.incomplete":
            {
                state.Remember(evt.Response);
                progress.Completed = true;
                var update = state.NewUpdate(requestedModel);
                foreach (var pending in state.Calls.Values)
                {
                    update.Contents.Add(CreateFunctionCall(pending.Item, pending.Arguments.ToString()));
                    state.SawFunctionCall = true;
                }

                state.Calls.Clear();
                update.FinishReason = MapFinishReason(evt.Response, state.SawFunctionCall);
                if (evt.Response?.Usage is { } usage)
                {
                    progress.UsageSoFar = MapUsage(usage, evt.Response?.ServiceTier);
                    update.Contents.Add(new UsageContent(progress.UsageSoFar));
                }

                // Azure fills content_filters only on the final response object.
                ThrowIfAzureBlocked(evt.Response, requestedModel, progress.RequestId, progress.UsageSoFar);

                update.RawRepresentation = evt.Response;
                progress.AddRequestId(update);

                return update;
            }

            case "response.failed":
            {
                if (evt.Response?.Usage is { } usage)
                {
                    progress.UsageSoFar = MapUsage(usage, evt.Response?.ServiceTier);
                }

                throw Failed(requestedModel, evt.Response?.Error, progress.RequestId, progress.UsageSoFar);
            }

            case "error":
            {
                var error = evt.Error ?? new ResponsesError { Code = evt.Code, Message = evt.Message, Param = evt.Param };
                throw Failed(requestedModel, error, progress.RequestId, progress.UsageSoFar);
            }

            default:
                return null;
        }
    }

    private StratumException Failed(string modelId, ResponsesError? error, string? requestId, UsageDetails? usage) =>
        ProviderErrorMapper.FromStreamError(
            ProviderId,
            modelId,
            error?.Type,
            error?.Code,
            error?.Message ?? "the response failed without an error message.",
            error?.Param,
            requestId,
            usage,
            Redactor);

    private static ResponsesRequest CreateRequest(IEnumerable<ChatMessage> messages, ChatOptions? options, string model, bool stream)
    {
        var (instructions, input) = DialectMessages.SplitSystem<ResponsesInputItem>(messages, options, AddMessage);

        var request = new ResponsesRequest
        {
            Model = model,
            Input = input,
            Instructions = instructions,
            Stream = stream,
        };

        if (options is null)
        {
            return request;
        }

        options.CopySampling(request);
        request.PreviousResponseId = options.ConversationId;

        var effort = EffortName(options.Reasoning?.Effort);
        var summary = options.Reasoning?.Output switch
        {
            ReasoningOutput.Summary => "auto",
            ReasoningOutput.Full => "detailed",
            _ => null,
        };
        if (effort is not null || summary is not null)
        {
            request.Reasoning = new ResponsesReasoningOptions { Effort = effort, Summary = summary };
        }

        var extra = options.AdditionalProperties;
        var strict = StrictSchema(options);
        if (extra is not null && extra.TryGetValue("store", out bool store))
        {
            request.Store = store;
            if (!store)
            {
                // Nothing is kept server-side, so the reasoning must travel with the conversation.
                request.Include = ["reasoning.encrypted_content"];
            }
        }

        request.Text = options.ResponseFormat switch
        {
            ChatResponseFormatJson { Schema: { } } json => new ResponsesTextOptions { Format = WireJsonSchema.From(json, strict, type: "json_schema") },
            ChatResponseFormatJson => new ResponsesTextOptions { Format = new WireJsonSchema { Type = "json_object" } },
            _ => null,
        };

        request.Tools = FunctionTools(options, "OpenAI Responses", static (function, strict) => WireFunction.From(function, function.JsonSchema, strict, type: "function"));
        if (request.Tools is not null)
        {
            request.ToolChoice = OpenAIToolChoice(options.ToolMode, JsonFunctionChoice);
            request.ParallelToolCalls = options.AllowMultipleToolCalls;
        }

        return request;
    }

    private static void AddMessage(List<ResponsesInputItem> input, ChatMessage message)
    {
        var role = message.Role == ChatRole.Assistant ? "assistant" : message.Role.Value;
        var assistant = message.Role == ChatRole.Assistant;
        var parts = new List<ResponsesInputPart>();
        var hasNonText = false;

        void FlushParts()
        {
            if (parts.Count == 0)
            {
                return;
            }

            // Several user text parts stay separate parts; an assistant's own text pieces (stream deltas) are one answer.
            var content = hasNonText || (!assistant && parts.Count > 1)
                ? new ResponsesInputContent { Parts = [.. parts] }
                : new ResponsesInputContent { Text = string.Concat(parts.Select(p => p.Text)) };
            input.Add(new ResponsesInputItem { Role = role, Content = content });
            parts.Clear();
            hasNonText = false;
        }

        foreach (var content in message.Contents)
        {
            switch (content)
            {
                case TextContent text:
                    parts.Add(new ResponsesInputPart { Type = assistant ? "output_text" : "input_text", Text = text.Text });
                    break;
                case DataContent data when !assistant && data.HasTopLevelMediaType("image"):
                    parts.Add(new ResponsesInputPart { Type = "input_image", ImageUrl = data.Uri, Detail = Detail(data) });
                    hasNonText = true;
                    break;
                case UriContent uri when !assistant && uri.HasTopLevelMediaType("image"):
                    parts.Add(new ResponsesInputPart { Type = "input_image", ImageUrl = uri.Uri.AbsoluteUri, Detail = Detail(uri) });
                    hasNonText = true;
                    break;
                case DataContent data when !assistant && string.Equals(data.MediaType, "application/pdf", StringComparison.OrdinalIgnoreCase):
                    parts.Add(new ResponsesInputPart { Type = "input_file", FileData = data.Uri, FileName = data.Name ?? "document.pdf" });
                    hasNonText = true;
                    break;
                case UriContent uri when !assistant && string.Equals(uri.MediaType, "application/pdf", StringComparison.OrdinalIgnoreCase):
                    parts.Add(new ResponsesInputPart { Type = "input_file", FileUrl = uri.Uri.AbsoluteUri });
                    hasNonText = true;
                    break;
                case FunctionCallContent call:
                    FlushParts();
                    input.Add(new ResponsesInputItem
                    {
                        Type = "function_call",
                        Id = GetItemId(call),
                        CallId = call.CallId,
                        Name = call.Name,
                        Arguments = SerializeArguments(call.Arguments),
                    });
                    break;
                case FunctionResultContent result:
                    FlushParts();
                    input.Add(new ResponsesInputItem { Type = "function_call_output", CallId = result.CallId, Output = FormatToolResult(result.Result) });
                    break;
                case TextReasoningContent reasoning when assistant && GetItemId(reasoning) is { } reasoningId:
                    FlushParts();
                    AddReasoning(input, reasoningId, reasoning);
                    break;
                case TextReasoningContent or UsageContent or ErrorContent:
                    // Reasoning without an item id came from another provider or API and cannot be replayed here.
                    break;
                case DataContent data:
                    throw new NotSupportedException(
                        $"The OpenAI Responses dialect cannot send '{data.MediaType}' content in a {role} message; only text, images and PDF files are supported.");
                default:
                    break;
            }
        }

        FlushParts();
    }

    private static void AddReasoning(List<ResponsesInputItem> input, string id, TextReasoningContent reasoning)
    {
        // Streamed reasoning arrives as many deltas; if they were not coalesced, fold them into the item they belong to.
        var item = input.Count > 0 && input[^1] is { Type: "reasoning" } last && string.Equals(last.Id, id, StringComparison.Ordinal)
            ? last
            : null;
        if (item is null)
        {
            item = new ResponsesInputItem { Type = "reasoning", Id = id, Summary = [] };
            input.Add(item);
        }

        if (!string.IsNullOrEmpty(reasoning.Text))
        {
            if (item.Summary!.Count == 0)
            {
                item.Summary.Add(new ResponsesSummaryPart { Text = reasoning.Text });
            }
            else
            {
                item.Summary[0].Text += reasoning.Text;
            }
        }

        if (!string.IsNullOrEmpty(reasoning.ProtectedData))
        {
            item.EncryptedContent = reasoning.ProtectedData;
        }
    }

    private static string? Detail(AIContent content) =>
        content.AdditionalProperties is { } properties && properties.TryGetValue("detail", out string? detail) ? detail : null;

    private static string? GetItemId(AIContent content) =>
        content.AdditionalProperties is { } properties && properties.TryGetValue(ItemIdKey, out string? id) && !string.IsNullOrEmpty(id) ? id : null;

    private static JsonElement JsonFunctionChoice(string name) => DialectJson.Write(name, static (writer, function) =>
    {
        writer.WriteStartObject();
        writer.WriteString("type", "function");
        writer.WriteString("name", function);
        writer.WriteEndObject();
    });

    private static ChatResponse ToChatResponse(ResponsesResponse parsed, string requestedModel, UsageDetails? usage)
    {
        var createdAt = parsed.CreatedAt is { } created ? DateTimeOffset.FromUnixTimeSeconds(created) : (DateTimeOffset?)null;
        var message = new ChatMessage { Role = ChatRole.Assistant, MessageId = parsed.Id, CreatedAt = createdAt };
        var sawCall = false;
        foreach (var item in parsed.Output ?? [])
        {
            switch (item.Type)
            {
                case "message":
                    foreach (var part in item.Content ?? [])
                    {
                        if (part.Type == "output_text" && !string.IsNullOrEmpty(part.Text))
                        {
                            message.Contents.Add(new TextContent(part.Text) { RawRepresentation = part });
                        }
                        else if (part.Type == "refusal" && !string.IsNullOrEmpty(part.Refusal))
                        {
                            message.Contents.Add(new ErrorContent(part.Refusal) { ErrorCode = "refusal" });
                        }
                    }

                    break;
                case "function_call":
                    message.Contents.Add(CreateFunctionCall(item, item.Arguments));
                    sawCall = true;
                    break;
                case "reasoning":
                    message.Contents.Add(CreateReasoningMarker(item, ReasoningText(item)));
                    break;
                default:
                    break;
            }
        }

        var response = new ChatResponse(message)
        {
            ResponseId = parsed.Id,
            ModelId = parsed.Model ?? requestedModel,
            CreatedAt = createdAt,
            FinishReason = MapFinishReason(parsed, sawCall),
            Usage = usage,
            RawRepresentation = parsed,
        };

        if (parsed.ServiceTier is not null)
        {
            response.AdditionalProperties = new() { ["service_tier"] = parsed.ServiceTier };
        }

        return response;
    }

    /// <summary>The reasoning summary parts joined, or the full reasoning text where the server sends that instead.</summary>
    private static string ReasoningText(ResponsesOutputItem item)
    {
        var summary = string.Concat((item.Summary ?? []).Select(s => s.Text));
        return summary.Length > 0 ? summary : string.Concat((item.Content ?? []).Where(c => c.Type == "reasoning_text").Select(c => c.Text));
    }

    private static TextReasoningContent CreateReasoningMarker(ResponsesOutputItem item, string text)
    {
        var content = new TextReasoningContent(text) { RawRepresentation = item, ProtectedData = item.EncryptedContent };
        if (item.Id is not null)
        {
            content.AdditionalProperties = new() { [ItemIdKey] = item.Id };
        }

        return content;
    }

    private static FunctionCallContent CreateFunctionCall(ResponsesOutputItem item, string? arguments)
    {
        var call = DialectJson.FunctionCall(item.CallId ?? item.Id, item.Name, arguments);
        call.RawRepresentation = item;
        if (item.Id is not null)
        {
            call.AdditionalProperties = new() { [ItemIdKey] = item.Id };
        }

        return call;
    }

    private static ChatFinishReason? MapFinishReason(ResponsesResponse? response, bool sawFunctionCall)
    {
        if (response is null)
        {
            return sawFunctionCall ? ChatFinishReason.ToolCalls : ChatFinishReason.Stop;
        }

        if (string.Equals(response.Status, "incomplete", StringComparison.Ordinal))
        {
            return response.IncompleteDetails?.Reason switch
            {
                "content_filter" => ChatFinishReason.ContentFilter,
                "max_output_tokens" or null => ChatFinishReason.Length,
                { } other => new ChatFinishReason(other),
            };
        }

        return sawFunctionCall ? ChatFinishReason.ToolCalls : ChatFinishReason.Stop;
    }

    internal static UsageDetails MapUsage(ResponsesUsage usage, string? serviceTier = null)
    {
        var output = usage.OutputTokens;
        var reasoning = usage.OutputTokensDetails?.ReasoningTokens;
        if (reasoning is > 0 && usage.InputTokens is { } input && output is { } o && usage.TotalTokens is { } total
            && total == input + o + reasoning.Value && total != input + o)
        {
            // A server that counts reasoning outside output_tokens: OutputTokenCount always includes reasoning.
            output = o + reasoning.Value;
        }

        var details = new UsageDetails
        {
            InputTokenCount = usage.InputTokens,
            OutputTokenCount = output,
            TotalTokenCount = usage.TotalTokens ?? (usage.InputTokens + usage.OutputTokens),
            CachedInputTokenCount = usage.InputTokensDetails?.CachedTokens,
            ReasoningTokenCount = reasoning,
        };
        var counts = new AdditionalPropertiesDictionary<long>();
        if (usage.CostInUsdTicks is { } ticks)
        {
            counts["cost_in_usd_ticks"] = ticks;
        }

        StratumUsageKeys.AddServiceTier(counts, serviceTier);
        if (counts.Count > 0)
        {
            details.AdditionalCounts = counts;
        }

        return details;
    }

    private sealed class CallBuilder(ResponsesOutputItem item)
    {
        public ResponsesOutputItem Item { get; } = item;

        public StringBuilder Arguments { get; } = new(item.Arguments);
    }

    private sealed class StreamState
    {
        public string? ResponseId { get; private set; }

        public string? ModelId { get; private set; }

        public DateTimeOffset? CreatedAt { get; private set; }

        public Dictionary<string, CallBuilder> Calls { get; } = new(StringComparer.Ordinal);

        public HashSet<string> ReasoningStreamed { get; } = new(StringComparer.Ordinal);

        public bool SawFunctionCall { get; set; }

        public void Remember(ResponsesResponse? response)
        {
            if (response is null)
            {
                return;
            }

            ResponseId ??= response.Id;
            ModelId ??= response.Model;
            CreatedAt ??= response.CreatedAt is { } created ? DateTimeOffset.FromUnixTimeSeconds(created) : null;
        }

        public ChatResponseUpdate NewUpdate(string requestedModel, AIContent? content = null)
        {
            var update = new ChatResponseUpdate
            {
                ResponseId = ResponseId,
                MessageId = ResponseId,
                ModelId = ModelId ?? requestedModel,
                CreatedAt = CreatedAt,
                Role = ChatRole.Assistant,
            };
            if (content is not null)
            {
                update.Contents.Add(content);
            }

            return update;
        }
    }
}
