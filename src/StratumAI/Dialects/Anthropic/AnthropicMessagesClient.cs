using System.Globalization;
using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace StratumAI.Dialects;

/// <summary>Anthropic's Messages API (<c>POST {base}/v1/messages</c>) as an <see cref="IChatClient"/>.</summary>
/// <remarks>
/// <para>Usable on its own:</para>
/// <code>
/// using var client = new AnthropicMessagesClient(httpClient, new Uri("https://api.anthropic.com"), apiKey, "claude-sonnet-4-5");
/// var response = await client.GetResponseAsync("Hello");
/// </code>
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
public sealed class AnthropicMessagesClient : IChatClient
{
    /// <summary>The <c>max_tokens</c> sent when <see cref="ChatOptions.MaxOutputTokens"/> is not set (the API requires one).</summary>
    public const int DefaultMaxOutputTokens = 4096;

    /// <summary>The <c>anthropic-version</c> header sent with every request.</summary>
    public const string ApiVersion = "2023-06-01";

    // M.E.AI's defaults write indented JSON; tool arguments go on the wire compact.
    private static readonly JsonSerializerOptions CompactAIJsonOptions = new(AIJsonUtilities.DefaultOptions) { WriteIndented = false };

    private readonly HttpClient _httpClient;
    private readonly Uri _baseUri;
    private readonly Uri _endpoint;
    private readonly string? _apiKey;
    private readonly SecretRedactor _redactor;
    private readonly string _modelId;
    private readonly KeyValuePair<string, string>[] _headers;
    private readonly string _providerId;
    private readonly TimeProvider _timeProvider;
    private readonly ChatClientMetadata _metadata;

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
    public AnthropicMessagesClient(
        HttpClient httpClient,
        Uri baseUri,
        string? apiKey,
        string modelId,
        IEnumerable<KeyValuePair<string, string>>? headers = null,
        string providerId = "anthropic",
        TimeProvider? timeProvider = null)
    {
        DialectHttp.ValidateClientArguments(httpClient, baseUri, modelId, providerId, "https://api.anthropic.com");

        _httpClient = httpClient;
        _baseUri = baseUri;
        _endpoint = GetEndpoint(baseUri);
        _apiKey = string.IsNullOrEmpty(apiKey) ? null : apiKey;
        _redactor = new SecretRedactor(_apiKey);
        _modelId = modelId;
        _headers = headers?.ToArray() ?? [];
        _providerId = providerId;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _metadata = new ChatClientMetadata(providerId, baseUri, modelId);
    }

    /// <summary>The model id sent when <see cref="ChatOptions.ModelId"/> is not set.</summary>
    public string ModelId => _modelId;

    /// <summary>The full URL requests are posted to.</summary>
    public Uri Endpoint => _endpoint;

    /// <inheritdoc />
    /// <exception cref="StratumException">The provider answered with an error, or with a body that is not a message.</exception>
    /// <exception cref="NotSupportedException">A message holds content or a tool this dialect cannot send.</exception>
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var request = CreateRequest(messages, options, stream: false);
        using var httpRequest = CreateHttpRequest(request);
        using var response = await SendAsync(httpRequest, request.Model, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var message = ParseMessage(body, request.Model);
        return ToChatResponse(message, request.Model, response);
    }

    /// <inheritdoc />
    /// <exception cref="StratumException">The provider answered with an error, sent an error event, or the stream ended before <c>message_stop</c>.</exception>
    /// <exception cref="NotSupportedException">A message holds content or a tool this dialect cannot send.</exception>
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var request = CreateRequest(messages, options, stream: true);
        using var httpRequest = CreateHttpRequest(request);
        using var response = await SendAsync(httpRequest, request.Model, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using var streamScope = stream.ConfigureAwait(false);

        var state = new StreamState();
        var events = SseParser.Create(stream).EnumerateAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using var eventsScope = events.ConfigureAwait(false);
        while (true)
        {
            SseItem<string> item;
            try
            {
                if (!await events.MoveNextAsync().ConfigureAwait(false))
                {
                    break;
                }

                item = events.Current;
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException)
            {
                throw StreamCutOff(request.Model, response, state, ex);
            }

            if (string.IsNullOrWhiteSpace(item.Data))
            {
                continue;
            }

            var streamEvent = ParseEvent(item.Data, request.Model, state);
            var update = HandleEvent(streamEvent, state, request.Model, response);
            if (update is not null)
            {
                yield return update;
            }

            if (state.Stopped)
            {
                yield break;
            }
        }

        throw StreamCutOff(request.Model, response, state, null);
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(ChatClientMetadata))
        {
            return _metadata;
        }

        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <summary>Does nothing: the <see cref="HttpClient"/> belongs to the caller.</summary>
    public void Dispose()
    {
    }

    /// <inheritdoc />
    public override string ToString() => $"AnthropicMessagesClient({_providerId}, {_modelId}, {DialectHttp.Display(_baseUri)})";

    private static Uri GetEndpoint(Uri baseUri)
    {
        var text = baseUri.AbsoluteUri.TrimEnd('/');
        return new Uri(text.EndsWith("/v1", StringComparison.OrdinalIgnoreCase) ? text + "/messages" : text + "/v1/messages", UriKind.Absolute);
    }

    private ChatResponseUpdate? HandleEvent(AnthropicStreamEvent streamEvent, StreamState state, string requestedModel, HttpResponseMessage response)
    {
        switch (streamEvent.Type)
        {
            case "message_start":
                var started = streamEvent.Message;
                state.ResponseId = started?.Id;
                state.ModelId = started?.Model;
                state.MergeUsage(started?.Usage);
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
                    update.Contents.Add(CreateFunctionCall(builder.Id, builder.Name, arguments));
                }
                else if (builder.Type == "thinking" && builder.Signature.Length > 0)
                {
                    // The signature closes the thinking block; it rides on an empty reasoning item so it can be sent back.
                    update.Contents.Add(new TextReasoningContent(string.Empty) { ProtectedData = builder.Signature.ToString() });
                }

                return update.Contents.Count > 0 ? update : null;
            }

            case "message_delta":
                state.MergeUsage(streamEvent.Usage);
                if (streamEvent.Delta is { } messageDelta)
                {
                    state.StopReason = messageDelta.StopReason ?? state.StopReason;
                    state.StopSequence = messageDelta.StopSequence ?? state.StopSequence;
                    state.StopDetails = messageDelta.StopDetails ?? state.StopDetails;
                }

                return null;

            case "message_stop":
            {
                state.Stopped = true;
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

                AddResponseHeaders(properties, response);
                if (properties.Count > 0)
                {
                    update.AdditionalProperties = properties;
                }

                return update;
            }

            case "error":
                throw StreamError(streamEvent.Error, requestedModel, response, state);

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

    private StratumException StreamError(AnthropicError? error, string modelId, HttpResponseMessage response, StreamState state)
    {
        var type = _redactor.Redact(error?.Type);
        var providerMessage = _redactor.Redact(error?.Message);
        var requestId = ProviderErrorMapper.GetRequestId(response.Headers, _redactor);
        var message = $"Provider '{_providerId}' (model '{modelId}') sent an error event in the middle of the stream [{type ?? "unknown"}]: {providerMessage ?? "no error message."}";
        var usage = state.Usage is { } u ? MapUsage(u) : null;
        return type switch
        {
            "overloaded_error" => new StratumProviderUnavailableException(message) { ProviderId = _providerId, ModelId = modelId, StatusCode = response.StatusCode, ErrorType = type, ProviderMessage = providerMessage, RequestId = requestId, UsageSoFar = usage },
            "rate_limit_error" => new StratumRateLimitException(message) { ProviderId = _providerId, ModelId = modelId, StatusCode = response.StatusCode, ErrorType = type, ProviderMessage = providerMessage, RequestId = requestId, UsageSoFar = usage },
            "invalid_request_error" when IsContextWindowExceeded(providerMessage) => new StratumContextWindowExceededException(message) { ProviderId = _providerId, ModelId = modelId, StatusCode = response.StatusCode, ErrorType = type, ProviderMessage = providerMessage, RequestId = requestId, UsageSoFar = usage },
            "invalid_request_error" => new StratumInvalidRequestException(message) { ProviderId = _providerId, ModelId = modelId, StatusCode = response.StatusCode, ErrorType = type, ProviderMessage = providerMessage, RequestId = requestId, UsageSoFar = usage },
            _ => new StratumServerErrorException(message) { ProviderId = _providerId, ModelId = modelId, StatusCode = response.StatusCode, ErrorType = type, ProviderMessage = providerMessage, RequestId = requestId, UsageSoFar = usage },
        };
    }

    private StratumProviderUnavailableException StreamCutOff(string modelId, HttpResponseMessage response, StreamState state, Exception? inner) =>
        new($"The stream from provider '{_providerId}' (model '{modelId}') ended before the answer was complete (no message_stop event).", inner)
        {
            ProviderId = _providerId,
            ModelId = modelId,
            StatusCode = response.StatusCode,
            RequestId = ProviderErrorMapper.GetRequestId(response.Headers, _redactor),
            UsageSoFar = state.Usage is { } usage ? MapUsage(usage) : null,
        };

    private Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, string modelId, HttpCompletionOption completionOption, CancellationToken cancellationToken) =>
        DialectHttp.SendAsync(
            _httpClient,
            request,
            completionOption,
            _providerId,
            modelId,
            ex => DialectHttp.UnavailableMessage(_providerId, _endpoint, ex),
            (response, ct) => AnthropicErrors.FromResponseAsync(response, _providerId, modelId, _redactor, _timeProvider, ct),
            cancellationToken);

    private HttpRequestMessage CreateHttpRequest(AnthropicRequest request) =>
        DialectHttp.CreateJsonPost(
            _endpoint,
            JsonSerializer.SerializeToUtf8Bytes(request, AnthropicMessagesJsonContext.Default.AnthropicRequest),
            request.Stream ? "text/event-stream" : "application/json",
            _apiKey,
            apiKeyHeader: "x-api-key",
            _headers,
            new KeyValuePair<string, string>("anthropic-version", ApiVersion));

    private AnthropicRequest CreateRequest(IEnumerable<ChatMessage> messages, ChatOptions? options, bool stream)
    {
        var model = string.IsNullOrEmpty(options?.ModelId) ? _modelId : options.ModelId;
        var wire = new List<AnthropicMessage>();
        var system = DialectMessages.SplitSystem(messages, options, message => AddMessage(wire, message));

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

        request.Temperature = options.Temperature;
        request.TopP = options.TopP;
        request.TopK = options.TopK;
        if (options.StopSequences is { Count: > 0 } stop)
        {
            request.StopSequences = [.. stop];
        }

        var extra = options.AdditionalProperties;
        if (extra is not null && extra.TryGetValue("cache_control", out var cacheControl))
        {
            request.CacheControl = ToCacheControl(cacheControl);
        }

        if (extra is not null && extra.TryGetValue("thinking_budget_tokens", out int budget) && budget > 0)
        {
            request.Thinking = new AnthropicThinking { Type = "enabled", BudgetTokens = budget };
        }

        string? effort = null;
        switch (options.Reasoning?.Effort)
        {
            case ReasoningEffort.None:
                request.Thinking ??= new AnthropicThinking { Type = "disabled" };
                break;
            case ReasoningEffort.Low:
                effort = "low";
                break;
            case ReasoningEffort.Medium:
                effort = "medium";
                break;
            case ReasoningEffort.High:
                effort = "high";
                break;
            case ReasoningEffort.ExtraHigh:
                effort = "xhigh";
                break;
        }

        AnthropicOutputFormat? format = options.ResponseFormat is ChatResponseFormatJson { Schema: { } schema }
            ? new AnthropicOutputFormat { Type = "json_schema", Schema = schema }
            : null;
        if (effort is not null || format is not null)
        {
            request.OutputConfig = new AnthropicOutputConfig { Effort = effort, Format = format };
        }

        var strict = extra is not null && extra.TryGetValue("strictJsonSchema", out bool strictValue) ? strictValue : (bool?)null;
        if (options.Tools is { Count: > 0 } tools)
        {
            request.Tools = [];
            foreach (var tool in tools)
            {
                if (tool is not AIFunctionDeclaration function)
                {
                    throw new NotSupportedException(
                        $"The Anthropic Messages dialect supports function tools only; '{tool.Name}' is a {tool.GetType().Name}.");
                }

                request.Tools.Add(new AnthropicTool
                {
                    Name = function.Name,
                    Description = function.Description,
                    InputSchema = function.JsonSchema,
                    Strict = strict,
                });
            }

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

    private static string FormatToolResult(object? result) => result switch
    {
        null => string.Empty,
        string s => s,
        JsonElement element => element.ValueKind == JsonValueKind.String ? element.GetString() ?? string.Empty : element.GetRawText(),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => JsonSerializer.Serialize(result, CompactAIJsonOptions.GetTypeInfo(result.GetType())),
    };

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

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", "ephemeral");
            if (ttl is not null)
            {
                writer.WriteString("ttl", ttl);
            }

            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    private AnthropicResponse ParseMessage(string body, string modelId)
    {
        AnthropicResponse? message;
        try
        {
            message = JsonSerializer.Deserialize(body, AnthropicMessagesJsonContext.Default.AnthropicResponse);
        }
        catch (JsonException ex)
        {
            throw InvalidResponse(modelId, $"the body is not valid message JSON ({_redactor.Redact(ex.Message)}). Body starts with: {Snippet(body)}", _redactor.KeepIfClean(ex));
        }

        if (message is null)
        {
            throw InvalidResponse(modelId, "the body was JSON null.", null);
        }

        if (message.Type == "error" || message.Error is not null)
        {
            throw InvalidResponse(modelId, $"it reported an error in a successful response: {_redactor.Redact(message.Error?.Message) ?? Snippet(body)}", null);
        }

        if (message.Content is null)
        {
            throw InvalidResponse(modelId, $"the response has no content array. Body starts with: {Snippet(body)}", null);
        }

        return message;
    }

    private AnthropicStreamEvent ParseEvent(string data, string modelId, StreamState state)
    {
        AnthropicStreamEvent? streamEvent;
        try
        {
            streamEvent = JsonSerializer.Deserialize(data, AnthropicMessagesJsonContext.Default.AnthropicStreamEvent);
        }
        catch (JsonException ex)
        {
            throw new StratumInvalidResponseException(
                $"Provider '{_providerId}' (model '{modelId}') sent a stream event that is not valid JSON ({_redactor.Redact(ex.Message)}). Event starts with: {Snippet(data)}", _redactor.KeepIfClean(ex))
            {
                ProviderId = _providerId,
                ModelId = modelId,
                UsageSoFar = state.Usage is { } usage ? MapUsage(usage) : null,
            };
        }

        return streamEvent ?? throw InvalidResponse(modelId, "a stream event was JSON null.", null);
    }

    private StratumInvalidResponseException InvalidResponse(string modelId, string detail, Exception? inner) =>
        new($"Provider '{_providerId}' (model '{modelId}') answered with success, but {detail}", inner)
        {
            ProviderId = _providerId,
            ModelId = modelId,
        };

    private string Snippet(string body) => _redactor.Snippet(body);

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
                    message.Contents.Add(CreateFunctionCall(
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

        AddResponseHeaders(properties, httpResponse);
        if (properties.Count > 0)
        {
            response.AdditionalProperties = properties;
        }

        return response;
    }

    private void AddResponseHeaders(AdditionalPropertiesDictionary properties, HttpResponseMessage response)
    {
        if (ProviderErrorMapper.GetRequestId(response.Headers, _redactor) is { } requestId)
        {
            properties[StratumUsageKeys.RequestId] = requestId;
        }

        foreach (var (name, value) in AnthropicErrors.RateLimitHeaders(response, _redactor))
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

    private static FunctionCallContent CreateFunctionCall(string? id, string? name, string arguments) =>
        FunctionCallContent.CreateFromParsedArguments(
            string.IsNullOrWhiteSpace(arguments) ? "{}" : arguments,
            id ?? string.Empty,
            name ?? string.Empty,
            static json => JsonSerializer.Deserialize(json, AnthropicMessagesJsonContext.Default.DictionaryStringObject));

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

        if (counts.Count > 0)
        {
            details.AdditionalCounts = counts;
        }

        return details;
    }

    private static bool IsContextWindowExceeded(string? message) => AnthropicErrors.IsContextWindowExceeded(message);

    private sealed class StreamState
    {
        public string? ResponseId { get; set; }

        public string? ModelId { get; set; }

        public string? StopReason { get; set; }

        public string? StopSequence { get; set; }

        public AnthropicStopDetails? StopDetails { get; set; }

        public AnthropicUsage? Usage { get; private set; }

        public bool Stopped { get; set; }

        public Dictionary<int, BlockBuilder> Blocks { get; } = [];

        /// <summary>Later counts replace earlier ones: <c>message_delta</c> usage is cumulative.</summary>
        public void MergeUsage(AnthropicUsage? usage)
        {
            if (usage is null)
            {
                return;
            }

            Usage ??= new AnthropicUsage();
            Usage.InputTokens = usage.InputTokens ?? Usage.InputTokens;
            Usage.OutputTokens = usage.OutputTokens ?? Usage.OutputTokens;
            Usage.CacheCreationInputTokens = usage.CacheCreationInputTokens ?? Usage.CacheCreationInputTokens;
            Usage.CacheReadInputTokens = usage.CacheReadInputTokens ?? Usage.CacheReadInputTokens;
            Usage.CacheCreation = usage.CacheCreation ?? Usage.CacheCreation;
            Usage.ServiceTier = usage.ServiceTier ?? Usage.ServiceTier;
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
