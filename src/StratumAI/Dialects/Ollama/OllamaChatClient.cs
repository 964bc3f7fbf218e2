using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace StratumAI.Dialects;

/// <summary>Ollama's native chat API (<c>POST {base}/api/chat</c>, NDJSON streaming) as an <see cref="IChatClient"/>.</summary>
/// <remarks>
/// <para>Usable on its own against a local server or ollama.com:</para>
/// <code>
/// using var client = new OllamaChatClient(httpClient, new Uri("http://localhost:11434"), apiKey: null, "llama3.2");
/// var response = await client.GetResponseAsync("Hello");
/// </code>
/// <para>Maps <see cref="ChatOptions"/> temperature, top-p, top-k, max output tokens (<c>num_predict</c>), stop
/// sequences, seed and frequency/presence penalties into <c>options</c>; <see cref="ChatResponseFormat.Json"/> to
/// <c>format: "json"</c> and a JSON schema format to <c>format: {schema}</c>; function tools to <c>tools</c>;
/// <see cref="ChatOptions.Reasoning"/> to <c>think</c>. <see cref="ChatOptions.AdditionalProperties"/> may carry
/// <c>think</c> (bool or level), <c>keep_alive</c> and <c>num_ctx</c>, sent as given.</para>
/// <para>Images go in as base64 (<see cref="DataContent"/>); Ollama accepts no image URLs, so an image
/// <see cref="UriContent"/> throws <see cref="NotSupportedException"/>. Thinking comes back as
/// <see cref="TextReasoningContent"/>; tool calls, whose arguments Ollama sends as a JSON object, as
/// <see cref="FunctionCallContent"/>. Usage: <c>prompt_eval_count</c> is the input, <c>eval_count</c> the output
/// (including thinking); the server's timings are kept in <see cref="UsageDetails.AdditionalCounts"/> in
/// nanoseconds under their wire names (<c>total_duration</c>, <c>load_duration</c>, <c>prompt_eval_duration</c>,
/// <c>eval_duration</c>).</para>
/// <para>The API key, when one is configured (ollama.com), is sent as <c>Authorization: Bearer</c> and never appears in
/// exceptions or <see cref="object.ToString"/>. A local server needs none and gets no header.</para>
/// <para>Thread-safe; one instance serves one model.</para>
/// </remarks>
public sealed class OllamaChatClient : IChatClient
{
    // M.E.AI's defaults write indented JSON; tool results go on the wire compact.
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
    /// <param name="baseUri">The API's base URL, e.g. <c>http://localhost:11434</c>; <c>api/chat</c> is appended.</param>
    /// <param name="apiKey">The API key, or null for servers that need none.</param>
    /// <param name="modelId">The model id the API expects.</param>
    /// <param name="headers">Extra headers sent with every request.</param>
    /// <param name="providerId">Provider id reported in errors and telemetry.</param>
    /// <param name="timeProvider">Clock for retry-after dates; the system clock by default.</param>
    /// <exception cref="ArgumentNullException">A required argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="modelId"/> or <paramref name="providerId"/> is empty, or <paramref name="baseUri"/> is not absolute.</exception>
    public OllamaChatClient(
        HttpClient httpClient,
        Uri baseUri,
        string? apiKey,
        string modelId,
        IEnumerable<KeyValuePair<string, string>>? headers = null,
        string providerId = "ollama",
        TimeProvider? timeProvider = null)
    {
        DialectHttp.ValidateClientArguments(httpClient, baseUri, modelId, providerId, "http://localhost:11434");

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

    /// <summary>The full URL requests are posted to (<c>{base}/api/chat</c>).</summary>
    public Uri Endpoint => _endpoint;

    /// <inheritdoc />
    /// <exception cref="StratumException">The server answered with an error, or with a body that is not a chat answer.</exception>
    /// <exception cref="NotSupportedException">A message holds content Ollama cannot take (an image URL, a non-image file).</exception>
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var request = CreateRequest(messages, options, stream: false);
        using var httpRequest = CreateHttpRequest(request);
        using var response = await SendAsync(httpRequest, request.Model, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var requestId = ProviderErrorMapper.GetRequestId(response.Headers, _redactor);

        var answer = ParseLine(body, request.Model, requestId, usageSoFar: null, midStream: false);
        if (!answer.Done)
        {
            throw InvalidResponse(request.Model, $"the answer is not marked done (\"done\": false). Body starts with: {Snippet(body)}", null);
        }

        return ToChatResponse(answer, request.Model, requestId);
    }

    /// <inheritdoc />
    /// <exception cref="StratumException">The server answered with an error, sent an error line, sent a line that is not
    /// a chat chunk, or ended the stream before its <c>done</c> line (then <see cref="StratumException.UsageSoFar"/> holds
    /// whatever usage had arrived, usually none, since Ollama reports counts only on the last line).</exception>
    /// <exception cref="NotSupportedException">A message holds content Ollama cannot take.</exception>
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var request = CreateRequest(messages, options, stream: true);
        using var httpRequest = CreateHttpRequest(request);
        using var response = await SendAsync(httpRequest, request.Model, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var requestId = ProviderErrorMapper.GetRequestId(response.Headers, _redactor);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using var streamScope = stream.ConfigureAwait(false);
        using var lines = new NdjsonLineReader(stream);

        string? modelId = null;
        UsageDetails? usageSoFar = null;
        var sawToolCall = false;
        while (true)
        {
            ReadOnlyMemory<byte>? line;
            try
            {
                line = await lines.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException)
            {
                throw StreamCutOff(request.Model, response, requestId, usageSoFar, ex);
            }
            catch (InvalidDataException ex)
            {
                throw InvalidResponse(request.Model, ex.Message, ex);
            }

            if (line is not { } bytes)
            {
                throw StreamCutOff(request.Model, response, requestId, usageSoFar, null);
            }

            var chunk = ParseLine(bytes.Span, request.Model, requestId, usageSoFar, midStream: true);
            modelId ??= chunk.Model;
            if (HasUsage(chunk))
            {
                usageSoFar = MapUsage(chunk);
            }

            var update = new ChatResponseUpdate
            {
                ModelId = chunk.Model ?? modelId ?? request.Model,
                CreatedAt = ParseCreatedAt(chunk.CreatedAt),
                Role = ChatRole.Assistant,
                RawRepresentation = chunk,
            };

            foreach (var content in MapMessageContents(chunk.Message))
            {
                sawToolCall |= content is FunctionCallContent;
                update.Contents.Add(content);
            }

            if (chunk.Done)
            {
                update.FinishReason = MapFinishReason(chunk.DoneReason, sawToolCall);
                if (usageSoFar is not null)
                {
                    update.Contents.Add(new UsageContent(usageSoFar));
                }

                if (requestId is not null)
                {
                    update.AdditionalProperties = new() { [StratumUsageKeys.RequestId] = requestId };
                }

                yield return update;
                yield break;
            }

            yield return update;
        }
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
    public override string ToString() => $"OllamaChatClient({_providerId}, {_modelId}, {DialectHttp.Display(_baseUri)})";

    /// <summary>Parses Ollama's <c>created_at</c> (RFC 3339 with up to nine fractional digits) into a timestamp.</summary>
    internal static DateTimeOffset? ParseCreatedAt(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        // .NET parses at most seven fractional digits; Go writes nanoseconds. Drop the extra digits.
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot >= 0)
        {
            var end = dot + 1;
            while (end < text.Length && char.IsAsciiDigit(text[end]))
            {
                end++;
            }

            if (end - dot - 1 > 7)
            {
                text = string.Concat(text.AsSpan(0, dot + 8), text.AsSpan(end));
            }
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var value) ? value : null;
    }

    internal static ChatFinishReason? MapFinishReason(string? reason, bool sawToolCall) => reason switch
    {
        // Ollama says "stop" after tool calls too; callers branch on ToolCalls, as with every other dialect.
        null or "" => sawToolCall ? ChatFinishReason.ToolCalls : ChatFinishReason.Stop,
        "stop" => sawToolCall ? ChatFinishReason.ToolCalls : ChatFinishReason.Stop,
        "length" => ChatFinishReason.Length,
        _ => new ChatFinishReason(reason),
    };

    private static Uri GetEndpoint(Uri baseUri) => DialectHttp.Endpoint(baseUri, "api/chat");

    private Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, string modelId, HttpCompletionOption completionOption, CancellationToken cancellationToken) =>
        DialectHttp.SendAsync(
            _httpClient,
            request,
            completionOption,
            _providerId,
            modelId,
            ex => DialectHttp.UnavailableMessage(_providerId, _endpoint, ex) + ". Is the Ollama server running?",
            // Ollama's error body is {"error": "<text>"}, which the shared mapper reads; 404 is an unknown model.
            (response, ct) => ProviderErrorMapper.FromResponseAsync(response, _providerId, modelId, _redactor, _timeProvider, ct),
            cancellationToken);

    private HttpRequestMessage CreateHttpRequest(OllamaChatRequest request) =>
        DialectHttp.CreateJsonPost(
            _endpoint,
            JsonSerializer.SerializeToUtf8Bytes(request, OllamaJsonContext.Default.OllamaChatRequest),
            request.Stream ? "application/x-ndjson" : "application/json",
            _apiKey,
            apiKeyHeader: null,
            _headers);

    private OllamaChatRequest CreateRequest(IEnumerable<ChatMessage> messages, ChatOptions? options, bool stream)
    {
        var model = string.IsNullOrEmpty(options?.ModelId) ? _modelId : options.ModelId;
        var wireMessages = new List<OllamaMessage>();
        if (!string.IsNullOrEmpty(options?.Instructions))
        {
            wireMessages.Add(new OllamaMessage { Role = "system", Content = options.Instructions });
        }

        // Ollama matches a tool result to its call by function name, which FunctionResultContent does not carry.
        var callNames = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var message in messages)
        {
            AddMessage(wireMessages, message, callNames);
        }

        var request = new OllamaChatRequest { Model = model, Messages = wireMessages, Stream = stream };
        if (options is null)
        {
            return request;
        }

        var wireOptions = new OllamaOptions
        {
            Temperature = options.Temperature,
            TopP = options.TopP,
            TopK = options.TopK,
            NumPredict = options.MaxOutputTokens,
            Seed = options.Seed,
            FrequencyPenalty = options.FrequencyPenalty,
            PresencePenalty = options.PresencePenalty,
            Stop = options.StopSequences is { Count: > 0 } stop ? [.. stop] : null,
        };

        request.Format = options.ResponseFormat switch
        {
            ChatResponseFormatJson { Schema: { } schema } => schema,
            ChatResponseFormatJson => JsonString("json"),
            _ => null,
        };

        request.Think = options.Reasoning?.Effort switch
        {
            null => null,
            ReasoningEffort.None => JsonBool(false),
            // Only gpt-oss takes levels; other thinking models take true and reject level strings.
            ReasoningEffort.Low when IsGptOss(model) => JsonString("low"),
            ReasoningEffort.Medium when IsGptOss(model) => JsonString("medium"),
            ReasoningEffort.High or ReasoningEffort.ExtraHigh when IsGptOss(model) => JsonString("high"),
            _ => JsonBool(true),
        };

        if (options.AdditionalProperties is { } extra)
        {
            if (extra.TryGetValue("think", out var think) && think is not null)
            {
                request.Think = ToJsonElement(think);
            }

            if (extra.TryGetValue("keep_alive", out var keepAlive) && keepAlive is not null)
            {
                request.KeepAlive = ToJsonElement(keepAlive);
            }

            if (extra.TryGetValue("num_ctx", out int numCtx))
            {
                wireOptions.NumCtx = numCtx;
            }
        }

        request.Options = wireOptions.IsEmpty ? null : wireOptions;

        if (options.Tools is { Count: > 0 } tools && options.ToolMode is not NoneChatToolMode)
        {
            request.Tools = [];
            foreach (var tool in tools)
            {
                if (tool is not AIFunctionDeclaration function)
                {
                    throw new NotSupportedException(
                        $"The Ollama dialect supports function tools only; '{tool.Name}' is a {tool.GetType().Name}.");
                }

                request.Tools.Add(new OllamaTool
                {
                    Function = new OllamaFunctionDefinition
                    {
                        Name = function.Name,
                        Description = string.IsNullOrEmpty(function.Description) ? null : function.Description,
                        Parameters = function.JsonSchema,
                    },
                });
            }
        }

        return request;
    }

    private static bool IsGptOss(string model) => model.StartsWith("gpt-oss", StringComparison.Ordinal);

    private static void AddMessage(List<OllamaMessage> wire, ChatMessage message, Dictionary<string, string> callNames)
    {
        if (message.Role == ChatRole.Tool)
        {
            foreach (var content in message.Contents)
            {
                if (content is FunctionResultContent result)
                {
                    callNames.TryGetValue(result.CallId, out var name);
                    wire.Add(new OllamaMessage
                    {
                        Role = "tool",
                        Content = FormatToolResult(result.Result),
                        ToolName = name,
                        ToolCallId = string.IsNullOrEmpty(result.CallId) ? null : result.CallId,
                    });
                }
            }

            return;
        }

        var text = new System.Text.StringBuilder();
        var thinking = new System.Text.StringBuilder();
        List<string>? images = null;
        List<OllamaToolCall>? toolCalls = null;
        foreach (var content in message.Contents)
        {
            switch (content)
            {
                case TextContent t:
                    text.Append(t.Text);
                    break;
                case TextReasoningContent r:
                    // Ollama takes earlier thinking back in the history, so a thinking model keeps its thread.
                    thinking.Append(r.Text);
                    break;
                case DataContent data when data.HasTopLevelMediaType("image"):
                    images ??= [];
                    images.Add(Convert.ToBase64String(data.Data.Span));
                    break;
                case UriContent uri when uri.HasTopLevelMediaType("image"):
                    throw new NotSupportedException(
                        $"Ollama's native API takes images only as base64 data, not as a URL ('{uri.Uri}'). Download the image and pass it as DataContent.");
                case FunctionCallContent call:
                    toolCalls ??= [];
                    if (!string.IsNullOrEmpty(call.CallId))
                    {
                        callNames[call.CallId] = call.Name;
                    }

                    toolCalls.Add(new OllamaToolCall
                    {
                        Id = string.IsNullOrEmpty(call.CallId) ? null : call.CallId,
                        Function = new OllamaFunctionCall
                        {
                            Name = call.Name,
                            Arguments = SerializeArguments(call.Arguments),
                        },
                    });
                    break;
                case DataContent data:
                    throw new NotSupportedException(
                        $"The Ollama dialect cannot send '{data.MediaType}' content; only text and images are supported.");
                default:
                    // Usage, errors and other bookkeeping from earlier responses are not sent back to the model.
                    break;
            }
        }

        wire.Add(new OllamaMessage
        {
            Role = message.Role.Value,
            Content = text.ToString(),
            Thinking = thinking.Length > 0 ? thinking.ToString() : null,
            Images = images,
            ToolCalls = toolCalls,
        });
    }

    private static JsonElement SerializeArguments(IDictionary<string, object?>? arguments)
    {
        if (arguments is null)
        {
            return ToJsonElement(new Dictionary<string, object?>());
        }

        var json = JsonSerializer.SerializeToUtf8Bytes(arguments, CompactAIJsonOptions.GetTypeInfo(typeof(IDictionary<string, object?>)));
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static string FormatToolResult(object? result) => result switch
    {
        null => string.Empty,
        string s => s,
        JsonElement element => element.ValueKind == JsonValueKind.String ? element.GetString() ?? string.Empty : element.GetRawText(),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => JsonSerializer.Serialize(result, CompactAIJsonOptions.GetTypeInfo(result.GetType())),
    };

    private static JsonElement ToJsonElement(object value)
    {
        if (value is JsonElement element)
        {
            return element.Clone();
        }

        var json = JsonSerializer.SerializeToUtf8Bytes(value, CompactAIJsonOptions.GetTypeInfo(value.GetType()));
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static JsonElement JsonString(string value)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStringValue(value);
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    private static JsonElement JsonBool(bool value)
    {
        using var document = JsonDocument.Parse(value ? "true" : "false");
        return document.RootElement.Clone();
    }

    private OllamaChatResponse ParseLine(ReadOnlySpan<byte> json, string modelId, string? requestId, UsageDetails? usageSoFar, bool midStream)
    {
        OllamaChatResponse? chunk;
        try
        {
            chunk = JsonSerializer.Deserialize(json, OllamaJsonContext.Default.OllamaChatResponse);
        }
        catch (JsonException ex)
        {
            var what = midStream ? "a stream line is not valid Ollama chat JSON" : "the body is not valid Ollama chat JSON";
            throw InvalidResponse(modelId, $"{what} ({_redactor.Redact(ex.Message)}). It starts with: {Snippet(json)}", _redactor.KeepIfClean(ex));
        }

        if (chunk is null)
        {
            throw InvalidResponse(modelId, "a line was JSON null.", null);
        }

        if (chunk.Error is { ValueKind: not JsonValueKind.Null } error)
        {
            var parsed = ProviderErrorMapper.ParseBody($"{{\"error\":{error.GetRawText()}}}").RedactedBy(_redactor);
            var providerMessage = parsed.Message;
            var where = midStream ? "in the middle of the stream" : "in a successful response";
            throw new StratumServerErrorException($"Provider '{_providerId}' (model '{modelId}') reported an error {where}: {providerMessage}")
            {
                ProviderId = _providerId,
                ModelId = modelId,
                ErrorType = parsed.Type,
                ErrorCode = parsed.Code,
                ProviderMessage = providerMessage,
                RequestId = requestId,
                UsageSoFar = usageSoFar,
            };
        }

        return chunk;
    }

    private StratumProviderUnavailableException StreamCutOff(string modelId, HttpResponseMessage response, string? requestId, UsageDetails? usageSoFar, Exception? inner) =>
        new($"The stream from provider '{_providerId}' (model '{modelId}') ended before the answer was complete (no line with \"done\": true).", inner)
        {
            ProviderId = _providerId,
            ModelId = modelId,
            StatusCode = response.StatusCode,
            RequestId = requestId,
            UsageSoFar = usageSoFar,
        };

    private StratumInvalidResponseException InvalidResponse(string modelId, string detail, Exception? inner) =>
        new($"Provider '{_providerId}' (model '{modelId}') answered with success, but {detail}", inner)
        {
            ProviderId = _providerId,
            ModelId = modelId,
        };

    private string Snippet(ReadOnlySpan<byte> body) => _redactor.Snippet(System.Text.Encoding.UTF8.GetString(body.Length <= 400 ? body : body[..400]));

    private static ChatResponse ToChatResponse(OllamaChatResponse answer, string requestedModel, string? requestId)
    {
        var createdAt = ParseCreatedAt(answer.CreatedAt);
        var message = new ChatMessage { Role = ChatRole.Assistant, CreatedAt = createdAt };
        var sawToolCall = false;
        foreach (var content in MapMessageContents(answer.Message))
        {
            sawToolCall |= content is FunctionCallContent;
            message.Contents.Add(content);
        }

        var response = new ChatResponse(message)
        {
            ModelId = answer.Model ?? requestedModel,
            CreatedAt = createdAt,
            FinishReason = MapFinishReason(answer.DoneReason, sawToolCall),
            Usage = HasUsage(answer) ? MapUsage(answer) : null,
            RawRepresentation = answer,
        };

        if (requestId is not null)
        {
            response.AdditionalProperties = new() { [StratumUsageKeys.RequestId] = requestId };
        }

        return response;
    }

    private static List<AIContent> MapMessageContents(OllamaMessage? wire)
    {
        var contents = new List<AIContent>();
        if (wire is null)
        {
            return contents;
        }

        if (!string.IsNullOrEmpty(wire.Thinking))
        {
            contents.Add(new TextReasoningContent(wire.Thinking));
        }

        if (!string.IsNullOrEmpty(wire.Content))
        {
            contents.Add(new TextContent(wire.Content));
        }

        foreach (var call in wire.ToolCalls ?? [])
        {
            // Local servers give calls no id; results are matched by name there, but M.E.AI needs an id per call.
            var id = string.IsNullOrEmpty(call.Id) ? string.Concat("call_", Guid.NewGuid().ToString("N").AsSpan(0, 12)) : call.Id;
            contents.Add(new FunctionCallContent(id, call.Function?.Name ?? string.Empty, ParseArguments(call.Function?.Arguments)) { RawRepresentation = call });
        }

        return contents;
    }

    private static Dictionary<string, object?>? ParseArguments(JsonElement? arguments)
    {
        switch (arguments)
        {
            case null:
            case { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined }:
                return new Dictionary<string, object?>();
            case { ValueKind: JsonValueKind.Object } obj:
                return obj.Deserialize(OllamaJsonContext.Default.DictionaryStringObject);
            case { ValueKind: JsonValueKind.String } text:
                // Some compatible servers send arguments as a JSON string, OpenAI style.
                var raw = text.GetString();
                return string.IsNullOrWhiteSpace(raw)
                    ? new Dictionary<string, object?>()
                    : JsonSerializer.Deserialize(raw, OllamaJsonContext.Default.DictionaryStringObject);
            default:
                return new Dictionary<string, object?> { ["value"] = arguments.Value.Clone() };
        }
    }

    private static bool HasUsage(OllamaChatResponse chunk) => chunk.PromptEvalCount is not null || chunk.EvalCount is not null;

    internal static UsageDetails MapUsage(OllamaChatResponse chunk)
    {
        var details = new UsageDetails
        {
            InputTokenCount = chunk.PromptEvalCount,
            OutputTokenCount = chunk.EvalCount,
            TotalTokenCount = (chunk.PromptEvalCount ?? 0) + (chunk.EvalCount ?? 0),
        };

        var counts = new AdditionalPropertiesDictionary<long>();
        AddCount(counts, "total_duration", chunk.TotalDuration);
        AddCount(counts, "load_duration", chunk.LoadDuration);
        AddCount(counts, "prompt_eval_duration", chunk.PromptEvalDuration);
        AddCount(counts, "eval_duration", chunk.EvalDuration);
        if (counts.Count > 0)
        {
            details.AdditionalCounts = counts;
        }

        return details;

        static void AddCount(AdditionalPropertiesDictionary<long> counts, string key, long? value)
        {
            if (value is { } v)
            {
                counts[key] = v;
            }
        }
    }
}
