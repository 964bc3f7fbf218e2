using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace StratumAI.Dialects;

/// <summary>Ollama's native chat API (<c>POST {base}/api/chat</c>, NDJSON streaming) as an <see cref="IChatClient"/>.</summary>
/// <remarks>
/// <para>Created by <see cref="DialectRegistry"/> for <see cref="StratumClient"/>; users reach it through
/// <see cref="StratumClient.GetChatClient(string)"/>, which adds the catalog, request checks and cost (internal since
/// the API review, docs/api-review.md).</para>
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
internal sealed class OllamaChatClient : DialectChatClient
{
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
    public OllamaChatClient(HttpClient httpClient, Uri baseUri, string? apiKey, string modelId, IEnumerable<KeyValuePair<string, string>>? headers = null, string providerId = "ollama", TimeProvider? timeProvider = null)
        : base(httpClient, baseUri, apiKey, modelId, headers, providerId, timeProvider, "http://localhost:11434")
    {
        Endpoint = DialectHttp.Endpoint(baseUri, "api/chat");
    }

    /// <summary>The full URL requests are posted to (<c>{base}/api/chat</c>).</summary>
    public Uri Endpoint { get; }

    private protected override string StreamMediaType => "application/x-ndjson";

    private protected override string StreamEndMarker => "no line with \"done\": true";

    // Ollama's error body is {"error": "<text>"}, which the shared mapper reads; 404 is an unknown model.
    private protected override string DescribeUnavailable(HttpRequestException exception, string model) =>
        DialectHttp.UnavailableMessage(ProviderId, Endpoint, exception) + ". Is the Ollama server running?";

    private protected override HttpRequestMessage CreateHttpRequest(IEnumerable<ChatMessage> messages, ChatOptions? options, string model, bool stream) =>
        CreateJsonPost(Endpoint, JsonSerializer.SerializeToUtf8Bytes(CreateRequest(messages, options, model, stream), OllamaJsonContext.Default.OllamaChatRequest), stream);

    private protected override async ValueTask<ChatResponse> ReadResponseAsync(HttpResponseMessage response, string model, string? requestId, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var answer = ParseLine(body, model, requestId, usageSoFar: null, midStream: false);
        if (!answer.Done)
        {
            throw InvalidResponse(model, $"the answer is not marked done (\"done\": false). Body starts with: {Snippet(body)}", null);
        }

        return ToChatResponse(answer, model);
    }

    private protected override async IAsyncEnumerable<ChatResponseUpdate> ReadStreamAsync(HttpResponseMessage response, Stream stream, DialectStream call, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var lines = new NdjsonLineReader(stream);
        string? modelId = null;
        var sawToolCall = false;
        while (true)
        {
            ReadOnlyMemory<byte>? line;
            try
            {
                line = await lines.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidDataException ex)
            {
                throw InvalidResponse(call.Model, ex.Message, ex);
            }

            if (line is not { } bytes)
            {
                yield break;
            }

            var chunk = ParseLine(bytes.Span, call.Model, call.RequestId, call.UsageSoFar, midStream: true);
            modelId ??= chunk.Model;
            if (HasUsage(chunk))
            {
                call.UsageSoFar = MapUsage(chunk);
            }

            var update = new ChatResponseUpdate
            {
                ModelId = chunk.Model ?? modelId ?? call.Model,
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
                call.Completed = true;
                update.FinishReason = MapFinishReason(chunk.DoneReason, sawToolCall);
                if (call.UsageSoFar is { } usage)
                {
                    update.Contents.Add(new UsageContent(usage));
                }

                call.AddRequestId(update);
                yield return update;
                yield break;
            }

            yield return update;
        }
    }

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

    private static OllamaChatRequest CreateRequest(IEnumerable<ChatMessage> messages, ChatOptions? options, string model, bool stream)
    {
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

        var wireOptions = options.CopySampling(new OllamaOptions());

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

        if (options.ToolMode is not NoneChatToolMode)
        {
            request.Tools = FunctionTools(options, "Ollama", static (function, _) => new WireTool
            {
                Function = new WireFunction
                {
                    Name = function.Name,
                    Description = string.IsNullOrEmpty(function.Description) ? null : function.Description,
                    Parameters = function.JsonSchema,
                },
            });
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
                            Arguments = ArgumentsElement(call.Arguments),
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

    private static JsonElement ArgumentsElement(IDictionary<string, object?>? arguments)
    {
        if (arguments is null)
        {
            return ToJsonElement(new Dictionary<string, object?>());
        }

        var json = JsonSerializer.SerializeToUtf8Bytes(arguments, CompactAIJsonOptions.GetTypeInfo(typeof(IDictionary<string, object?>)));
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

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
            throw InvalidResponse(modelId, $"{what} ({Redactor.Redact(ex.Message)}). It starts with: {Snippet(json)}", Redactor.KeepIfClean(ex));
        }

        if (chunk is null)
        {
            throw InvalidResponse(modelId, "a line was JSON null.", null);
        }

        if (chunk.Error is { ValueKind: not JsonValueKind.Null } error)
        {
            var parsed = ProviderErrorMapper.ParseBody($"{{\"error\":{error.GetRawText()}}}").RedactedBy(Redactor);
            var providerMessage = parsed.Message;
            var where = midStream ? "in the middle of the stream" : "in a successful response";
            throw new StratumServerErrorException($"Provider '{ProviderId}' (model '{modelId}') reported an error {where}: {providerMessage}")
            {
                ProviderId = ProviderId,
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

    private string Snippet(ReadOnlySpan<byte> body) => Redactor.Snippet(System.Text.Encoding.UTF8.GetString(body.Length <= 400 ? body : body[..400]));

    private static ChatResponse ToChatResponse(OllamaChatResponse answer, string requestedModel)
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
                return obj.Deserialize(DialectJsonContext.Default.DictionaryStringObject);
            case { ValueKind: JsonValueKind.String } text:
                // Some compatible servers send arguments as a JSON string, OpenAI style.
                var raw = text.GetString();
                return string.IsNullOrWhiteSpace(raw)
                    ? new Dictionary<string, object?>()
                    : JsonSerializer.Deserialize(raw, DialectJsonContext.Default.DictionaryStringObject);
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
