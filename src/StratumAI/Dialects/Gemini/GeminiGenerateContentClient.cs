using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace StratumAI.Dialects;

/// <summary>Google Gemini's native API (<c>generateContent</c> / <c>streamGenerateContent?alt=sse</c>) as an <see cref="IChatClient"/>.</summary>
/// <remarks>
/// <para>Created by <see cref="DialectRegistry"/> for <see cref="StratumClient"/>; users reach it through
/// <see cref="StratumClient.GetChatClient(string)"/>, which adds the catalog, request checks and cost (internal since
/// the API review, docs/api-review.md).</para>
/// <para>Posts to <c>{base}/models/{model}:generateContent</c> and <c>{base}/models/{model}:streamGenerateContent?alt=sse</c>
/// with the key in the <c>x-goog-api-key</c> header (never in the URL). System messages and
/// <see cref="ChatOptions.Instructions"/> become <c>systemInstruction</c>; assistant messages use role <c>model</c>; tool
/// results are sent as <c>functionResponse</c> parts in a <c>user</c> turn.</para>
/// <para>Gemini's API gives function calls no ids: this client makes stable ids (<c>gemini_call_{responseId}_{n}</c>),
/// never sends them back, and names each tool result by looking up the call it answers in the conversation. Ids the
/// provider does send (Vertex-style <c>functionCall.id</c>) are kept and echoed.</para>
/// <para>Thought signatures (<c>thoughtSignature</c>, which Gemini 3 requires back on function-call turns) are kept in
/// <see cref="AIContent.AdditionalProperties"/> under <see cref="ThoughtSignatureKey"/> (in
/// <see cref="TextReasoningContent.ProtectedData"/> for thoughts) and sent back with the history.</para>
/// <para>Extra request fields through <see cref="ChatOptions.AdditionalProperties"/>: <c>cachedContent</c> (string, a
/// <c>cachedContents/…</c> name), <c>safetySettings</c> (a <see cref="JsonElement"/> array), <c>thinkingBudget</c>
/// (int) and <c>includeThoughts</c> (bool).</para>
/// <para>Thread-safe; one instance serves one model.</para>
/// </remarks>
internal sealed class GeminiGenerateContentClient : DialectChatClient
{
    /// <summary>The key under which a part's <c>thoughtSignature</c> is kept in <see cref="AIContent.AdditionalProperties"/>.</summary>
    public const string ThoughtSignatureKey = "gemini.thoughtSignature";

    /// <summary>The prefix of the call ids this client makes up for Gemini's id-less function calls.</summary>
    public const string SyntheticCallIdPrefix = "gemini_call_";

    /// <summary>Creates a client for one model.</summary>
    /// <param name="httpClient">The HTTP client to send requests with; not disposed by this instance.</param>
    /// <param name="baseUri">The API's base URL, e.g. <c>https://generativelanguage.googleapis.com/v1beta</c>.</param>
    /// <param name="apiKey">The API key sent as <c>x-goog-api-key</c>, or null for servers that need none.</param>
    /// <param name="modelId">The model id the API expects (<c>gemini-2.5-flash</c>; <c>models/</c> is added unless the id already has a collection prefix); <see cref="ChatOptions.ModelId"/> overrides it per call.</param>
    /// <param name="headers">Extra headers sent with every request.</param>
    /// <param name="providerId">Provider id reported in errors and telemetry.</param>
    /// <param name="timeProvider">Clock for retry-after dates; the system clock by default.</param>
    /// <exception cref="ArgumentNullException">A required argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="modelId"/> or <paramref name="providerId"/> is empty, or <paramref name="baseUri"/> is not absolute.</exception>
    public GeminiGenerateContentClient(HttpClient httpClient, Uri baseUri, string? apiKey, string modelId, IEnumerable<KeyValuePair<string, string>>? headers = null, string providerId = "gemini", TimeProvider? timeProvider = null)
        : base(httpClient, baseUri, apiKey, modelId, headers, providerId, timeProvider, "https://generativelanguage.googleapis.com/v1beta")
    {
    }

    private protected override string StreamEndMarker => "no finishReason";

    /// <summary>Returns the URL a call for <paramref name="modelId"/> is posted to.</summary>
    /// <param name="modelId">The model id.</param>
    /// <param name="stream">True for <c>streamGenerateContent?alt=sse</c>, false for <c>generateContent</c>.</param>
    /// <returns>The absolute URL.</returns>
    /// <exception cref="ArgumentException"><paramref name="modelId"/> is null or empty.</exception>
    public Uri GetEndpoint(string modelId, bool stream)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelId);
        var text = BaseUri.AbsoluteUri.TrimEnd('/');
        var path = modelId.Contains('/', StringComparison.Ordinal) ? modelId : "models/" + modelId;
        return new Uri($"{text}/{path}:{(stream ? "streamGenerateContent?alt=sse" : "generateContent")}", UriKind.Absolute);
    }

    // The endpoint names the model, so the message names it instead.
    private protected override string DescribeUnavailable(HttpRequestException exception, string model) =>
        $"The request to provider '{ProviderId}' (model '{model}') failed before a complete response arrived: {Redactor.Redact(exception.Message)}";

    private protected override StratumException MapError(HttpResponseMessage response, string body, string model) =>
        GeminiErrors.FromResponse(response, body, ProviderId, model, Redactor, TimeProvider);

    private protected override HttpRequestMessage CreateHttpRequest(IEnumerable<ChatMessage> messages, ChatOptions? options, string model, bool stream) =>
        CreateJsonPost(
            GetEndpoint(model, stream),
            JsonSerializer.SerializeToUtf8Bytes(CreateRequest(messages, options, model), GeminiGenerateContentJsonContext.Default.GeminiRequest),
            stream,
            apiKeyHeader: "x-goog-api-key");

    private protected override async ValueTask<ChatResponse> ReadResponseAsync(HttpResponseMessage response, string model, string? requestId, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var parsed = ParseJson(body, GeminiGenerateContentJsonContext.Default.GeminiResponse, model, "the body is not valid generateContent JSON");

        var usage = parsed.UsageMetadata is { } metadata ? MapUsage(metadata) : null;
        if (parsed.Error is { ValueKind: JsonValueKind.Object } error)
        {
            throw GeminiErrors.FromStreamError(error, ProviderId, model, Redactor, requestId, usage);
        }

        ThrowIfPromptBlocked(parsed, model, requestId, usage);
        if (parsed.Candidates is not { Count: > 0 })
        {
            throw InvalidResponse(model, $"the response has no candidates. Body starts with: {Snippet(body)}", null, usage);
        }

        return ToChatResponse(parsed, model, usage);
    }

    private protected override async IAsyncEnumerable<ChatResponseUpdate> ReadStreamAsync(HttpResponseMessage response, Stream stream, DialectStream call, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var state = new StreamState();
        var isSse = !string.Equals(response.Content.Headers.ContentType?.MediaType, "application/json", StringComparison.OrdinalIgnoreCase);
        await foreach (var chunk in ReadChunksAsync(stream, isSse, call, state, cancellationToken).ConfigureAwait(false))
        {
            if (chunk.UsageMetadata is { } metadata)
            {
                // Every chunk carries the running totals; the last one is the bill.
                call.UsageSoFar = MapUsage(metadata);
            }

            if (chunk.Error is { ValueKind: JsonValueKind.Object } error)
            {
                throw GeminiErrors.FromStreamError(error, ProviderId, call.Model, Redactor, call.RequestId, call.UsageSoFar);
            }

            ThrowIfPromptBlocked(chunk, call.Model, call.RequestId, call.UsageSoFar);
            state.ResponseId ??= chunk.ResponseId;
            state.ModelVersion ??= chunk.ModelVersion;
            state.CreatedAt ??= chunk.CreateTime;

            var update = new ChatResponseUpdate
            {
                ResponseId = chunk.ResponseId ?? state.ResponseId,
                MessageId = chunk.ResponseId ?? state.ResponseId,
                ModelId = chunk.ModelVersion ?? state.ModelVersion ?? call.Model,
                CreatedAt = state.CreatedAt,
                Role = ChatRole.Assistant,
                RawRepresentation = chunk,
            };

            var candidate = chunk.Candidates is { Count: > 0 } ? chunk.Candidates[0] : null;
            foreach (var part in candidate?.Content?.Parts ?? [])
            {
                AddStreamedPart(update.Contents, part, state);
            }

            if (candidate?.FinishReason is { } finish && GetEnumName(finish, FinishReasonNames) is { } finishName
                && !string.Equals(finishName, "FINISH_REASON_UNSPECIFIED", StringComparison.Ordinal))
            {
                state.SawFinish = true;
                FlushPendingCall(update.Contents, state);
                update.FinishReason = MapFinishReason(finishName, state.CallCount > 0);
            }

            yield return update;
        }

        if (!state.SawFinish || (!isSse && !state.ArrayCompleted))
        {
            yield break;
        }

        call.Completed = true;
        var tail = new ChatResponseUpdate
        {
            ResponseId = state.ResponseId,
            MessageId = state.ResponseId,
            ModelId = state.ModelVersion ?? call.Model,
            CreatedAt = state.CreatedAt,
            Role = ChatRole.Assistant,
        };
        FlushPendingCall(tail.Contents, state);
        if (call.UsageSoFar is { } finalUsage)
        {
            tail.Contents.Add(new UsageContent(finalUsage));
        }

        call.AddRequestId(tail);
        yield return tail;
    }

    private async IAsyncEnumerable<GeminiResponse> ReadChunksAsync(Stream stream, bool isSse, DialectStream call, StreamState state, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (isSse)
        {
            await foreach (var item in SseParser.Create(stream).EnumerateAsync(cancellationToken).ConfigureAwait(false))
            {
                if (string.IsNullOrWhiteSpace(item.Data))
                {
                    continue;
                }

                yield return ParseChunk(item.Data, call);
            }

            yield break;
        }

        var reader = new GeminiJsonArrayReader(stream);
        while (true)
        {
            ReadOnlyMemory<byte>? element;
            try
            {
                element = await reader.ReadNextAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (FormatException ex)
            {
                throw InvalidResponse(call.Model, $"the stream is neither SSE nor a JSON array of responses ({Redactor.Redact(ex.Message)})", Redactor.KeepIfClean(ex), call.UsageSoFar);
            }

            if (element is not { } bytes)
            {
                state.ArrayCompleted = reader.Completed;
                yield break;
            }

            yield return ParseChunk(Encoding.UTF8.GetString(bytes.Span), call);
        }
    }

    private GeminiResponse ParseChunk(string data, DialectStream call) =>
        ParseJson(data, GeminiGenerateContentJsonContext.Default.GeminiResponse, call.Model, "a stream event is not valid generateContent JSON", isEvent: true, call.UsageSoFar);

    private static void AddStreamedPart(IList<AIContent> contents, GeminiPart part, StreamState state)
    {
        if (part.FunctionCall is { } call)
        {
            var isPartial = call.PartialArgs is { Count: > 0 } || call.WillContinue == true || (call.Name is null && call.Args is null);
            if (!isPartial)
            {
                FlushPendingCall(contents, state);
                contents.Add(CreateFunctionCall(call, call.Args is { } args ? args.GetRawText() : "{}", part.ThoughtSignature, state.ResponseId, state.CallCount++));
                return;
            }

            if (call.Name is not null)
            {
                // A new streamed call begins (Gemini 3 partialArgs): finish the previous one first.
                FlushPendingCall(contents, state);
                state.PendingCall = new PartialCallBuilder { Id = call.Id, Name = call.Name, ThoughtSignature = part.ThoughtSignature };
            }

            if (state.PendingCall is { } pending)
            {
                pending.ThoughtSignature ??= part.ThoughtSignature;
                foreach (var fragment in call.PartialArgs ?? [])
                {
                    pending.Add(fragment);
                }

                if (call.Name is null && call.PartialArgs is not { Count: > 0 } && call.WillContinue != true)
                {
                    // The empty functionCall {} closes the call.
                    FlushPendingCall(contents, state);
                }
            }

            return;
        }

        if (part.Text is { } text)
        {
            if (part.Thought == true)
            {
                contents.Add(new TextReasoningContent(text) { ProtectedData = part.ThoughtSignature, RawRepresentation = part });
            }
            else if (text.Length > 0 || part.ThoughtSignature is not null)
            {
                contents.Add(CreateText(text, part));
            }

            return;
        }

        if (CreateMedia(part) is { } media)
        {
            contents.Add(media);
        }
    }

    private static void FlushPendingCall(IList<AIContent> contents, StreamState state)
    {
        if (state.PendingCall is not { } pending)
        {
            return;
        }

        state.PendingCall = null;
        var call = new GeminiFunctionCall { Id = pending.Id, Name = pending.Name };
        contents.Add(CreateFunctionCall(call, pending.BuildArguments(), pending.ThoughtSignature, state.ResponseId, state.CallCount++));
    }

    private void ThrowIfPromptBlocked(GeminiResponse response, string model, string? requestId, UsageDetails? usage)
    {
        if (response.PromptFeedback?.BlockReason is not { } blockReason || GetEnumName(blockReason, BlockReasonNames) is not { } reason
            || string.Equals(reason, "BLOCK_REASON_UNSPECIFIED", StringComparison.Ordinal))
        {
            return;
        }

        // The reason and its message are the provider's words: cleaned before they reach the exception.
        reason = Redactor.Redact(reason)!;
        var detail = Redactor.Redact(response.PromptFeedback.BlockReasonMessage);
        throw new StratumContentFilteredException(
            $"Provider '{ProviderId}' (model '{model}') blocked the prompt [{reason}]{(string.IsNullOrEmpty(detail) ? "." : ": " + detail)}")
        {
            ProviderId = ProviderId,
            ModelId = model,
            StatusCode = System.Net.HttpStatusCode.OK,
            ErrorType = "prompt_blocked",
            ErrorCode = reason,
            ProviderMessage = detail,
            RequestId = requestId,
            UsageSoFar = usage,
        };
    }

    private static GeminiRequest CreateRequest(IEnumerable<ChatMessage> messages, ChatOptions? options, string model)
    {
        var contents = new List<GeminiContent>();
        var systemParts = new List<GeminiPart>();
        if (!string.IsNullOrEmpty(options?.Instructions))
        {
            systemParts.Add(new GeminiPart { Text = options.Instructions });
        }

        var callNames = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var message in messages)
        {
            if (message.Role == ChatRole.System)
            {
                foreach (var content in message.Contents)
                {
                    if (content is TextContent text)
                    {
                        systemParts.Add(new GeminiPart { Text = text.Text });
                    }
                }

                continue;
            }

            var role = message.Role == ChatRole.Assistant ? "model" : "user";
            var parts = new List<GeminiPart>();
            foreach (var content in message.Contents)
            {
                if (ToPart(content, callNames) is { } part)
                {
                    parts.Add(part);
                }
            }

            if (parts.Count == 0)
            {
                continue;
            }

            if (contents.Count > 0 && string.Equals(contents[^1].Role, role, StringComparison.Ordinal))
            {
                // Gemini expects user and model turns to alternate: consecutive turns of one role become one.
                contents[^1].Parts!.AddRange(parts);
            }
            else
            {
                contents.Add(new GeminiContent { Role = role, Parts = parts });
            }
        }

        var request = new GeminiRequest
        {
            Contents = contents,
            SystemInstruction = systemParts.Count > 0 ? new GeminiContent { Role = "user", Parts = systemParts } : null,
        };

        if (options is null)
        {
            return request;
        }

        var config = options.CopySampling(new GeminiGenerationConfig());

        if (options.ResponseFormat is ChatResponseFormatJson json)
        {
            config.ResponseMimeType = "application/json";
            config.ResponseJsonSchema = json.Schema is { } schema ? WithoutSchemaKeyword(schema) : null;
        }

        config.ThinkingConfig = CreateThinkingConfig(options, model);
        request.GenerationConfig = config.IsEmpty ? null : config;

        var extra = options.AdditionalProperties;
        if (extra is not null)
        {
            if (extra.TryGetValue("cachedContent", out string? cachedContent))
            {
                request.CachedContent = cachedContent;
            }

            if (extra.TryGetValue("safetySettings", out JsonElement safety))
            {
                request.SafetySettings = safety;
            }
        }

        if (FunctionTools(options, "Gemini", static (function, _) => WireFunction.From(function, GeminiSchemaConverter.Convert(function.JsonSchema))) is { } declarations)
        {
            request.Tools = [new GeminiTool { FunctionDeclarations = declarations }];
            request.ToolConfig = options.ToolMode switch
            {
                NoneChatToolMode => new GeminiToolConfig { FunctionCallingConfig = new GeminiFunctionCallingConfig { Mode = "NONE" } },
                AutoChatToolMode => new GeminiToolConfig { FunctionCallingConfig = new GeminiFunctionCallingConfig { Mode = "AUTO" } },
                RequiredChatToolMode required => new GeminiToolConfig
                {
                    FunctionCallingConfig = new GeminiFunctionCallingConfig
                    {
                        Mode = "ANY",
                        AllowedFunctionNames = required.RequiredFunctionName is { } name ? [name] : [.. declarations.Select(static d => d.Name)],
                    },
                },
                _ => null,
            };
        }

        return request;
    }

    private static GeminiThinkingConfig? CreateThinkingConfig(ChatOptions options, string model)
    {
        bool? includeThoughts = null;
        int? budget = null;
        string? level = null;
        if (options.Reasoning is { } reasoning)
        {
            if (reasoning.Output is { } output)
            {
                includeThoughts = output != ReasoningOutput.None;
            }

            if (reasoning.Effort is { } effort)
            {
                // Gemini 3 takes a level; Gemini 2.5 a token budget (0 turns thinking off where the model allows it).
                if (IsGemini3(model))
                {
                    level = effort switch
                    {
                        ReasoningEffort.None or ReasoningEffort.Low => "low",
                        ReasoningEffort.Medium => "medium",
                        _ => "high",
                    };
                }
                else
                {
                    budget = effort switch
                    {
                        ReasoningEffort.None => 0,
                        ReasoningEffort.Low => 1024,
                        ReasoningEffort.Medium => 8192,
                        ReasoningEffort.High => 24576,
                        _ => 32768,
                    };
                }
            }
        }

        if (options.AdditionalProperties is { } extra)
        {
            if (extra.TryGetValue("includeThoughts", out bool include))
            {
                includeThoughts = include;
            }

            if (extra.TryGetValue("thinkingBudget", out int thinkingBudget))
            {
                budget = thinkingBudget;
                level = null;
            }
        }

        return includeThoughts is null && budget is null && level is null
            ? null
            : new GeminiThinkingConfig { IncludeThoughts = includeThoughts, ThinkingBudget = budget, ThinkingLevel = level };
    }

    private static bool IsGemini3(string model)
    {
        var name = model.StartsWith("models/", StringComparison.Ordinal) ? model["models/".Length..] : model;
        return name.StartsWith("gemini-3", StringComparison.Ordinal);
    }

    private static JsonElement WithoutSchemaKeyword(JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object || !schema.TryGetProperty("$schema", out _))
        {
            return schema;
        }

        return DialectJson.Write(schema, static (writer, schema) =>
        {
            writer.WriteStartObject();
            foreach (var property in schema.EnumerateObject())
            {
                if (!string.Equals(property.Name, "$schema", StringComparison.Ordinal))
                {
                    property.WriteTo(writer);
                }
            }

            writer.WriteEndObject();
        });
    }

    private static GeminiPart? ToPart(AIContent content, Dictionary<string, string> callNames)
    {
        switch (content)
        {
            case TextReasoningContent reasoning:
                // Thought text is only worth sending back with its signature; without one Gemini ignores it.
                return reasoning.ProtectedData is { } signature
                    ? new GeminiPart { Text = reasoning.Text, Thought = true, ThoughtSignature = signature }
                    : null;
            case TextContent text:
                return new GeminiPart { Text = text.Text, ThoughtSignature = GetSignature(text) };
            case DataContent data:
                return new GeminiPart
                {
                    InlineData = new GeminiBlob { MimeType = data.MediaType, Data = data.Base64Data.ToString() },
                };
            case UriContent uri:
                return new GeminiPart { FileData = new GeminiFileData { MimeType = uri.MediaType, FileUri = uri.Uri.AbsoluteUri } };
            case FunctionCallContent call:
                callNames[call.CallId] = call.Name;
                return new GeminiPart
                {
                    FunctionCall = new GeminiFunctionCall
                    {
                        Id = IsSynthetic(call.CallId) ? null : call.CallId,
                        Name = call.Name,
                        Args = call.Arguments is null
                            ? EmptyObject()
                            : JsonSerializer.SerializeToElement(call.Arguments, CompactAIJsonOptions.GetTypeInfo(typeof(IDictionary<string, object?>))),
                    },
                    ThoughtSignature = GetSignature(call),
                };
            case FunctionResultContent result:
                if (!callNames.TryGetValue(result.CallId, out var name))
                {
                    throw new ArgumentException(
                        $"The tool result for call id '{result.CallId}' answers no function call earlier in the conversation. Gemini identifies tool results by function name, so the assistant message with the matching FunctionCallContent must be part of the messages.");
                }

                return new GeminiPart
                {
                    FunctionResponse = new GeminiFunctionResponse
                    {
                        Id = IsSynthetic(result.CallId) ? null : result.CallId,
                        Name = name,
                        Response = FormatToolResult(result),
                    },
                };
            default:
                // Usage, errors and other bookkeeping from earlier responses are not sent back to the model.
                return null;
        }
    }

    private static bool IsSynthetic(string callId) => callId.StartsWith(SyntheticCallIdPrefix, StringComparison.Ordinal);

    private static string? GetSignature(AIContent content) =>
        content.AdditionalProperties?.TryGetValue(ThoughtSignatureKey, out var value) == true ? value as string : null;

    /// <summary>Gemini wants an object: a JSON object result is sent as is, anything else as <c>{"result": value}</c> (<c>{"error": message}</c> for a failed call).</summary>
    private static JsonElement FormatToolResult(FunctionResultContent result)
    {
        JsonElement value;
        if (result.Result is null && result.Exception is { } exception)
        {
            return WrapObject("error", JsonSerializer.SerializeToElement(exception.Message, CompactAIJsonOptions.GetTypeInfo(typeof(string))));
        }

        value = result.Result switch
        {
            null => default,
            JsonElement element => element,
            string s => JsonSerializer.SerializeToElement(s, CompactAIJsonOptions.GetTypeInfo(typeof(string))),
            var other => JsonSerializer.SerializeToElement(other, CompactAIJsonOptions.GetTypeInfo(other.GetType())),
        };

        return value.ValueKind == JsonValueKind.Object ? value : WrapObject("result", value);
    }

    private static JsonElement WrapObject(string name, JsonElement value)
    {
        return DialectJson.Write((name, value), static (writer, property) =>
        {
            writer.WriteStartObject();
            writer.WritePropertyName(property.name);
            if (property.value.ValueKind == JsonValueKind.Undefined)
            {
                writer.WriteNullValue();
            }
            else
            {
                property.value.WriteTo(writer);
            }

            writer.WriteEndObject();
        });
    }

    private static JsonElement EmptyObject()
    {
        using var document = JsonDocument.Parse("{}");
        return document.RootElement.Clone();
    }

    private static ChatResponse ToChatResponse(GeminiResponse parsed, string requestedModel, UsageDetails? usage)
    {
        var candidate = parsed.Candidates![0];
        var message = new ChatMessage { Role = ChatRole.Assistant, MessageId = parsed.ResponseId, CreatedAt = parsed.CreateTime };
        var callCount = 0;
        foreach (var part in candidate.Content?.Parts ?? [])
        {
            if (part.FunctionCall is { } call)
            {
                message.Contents.Add(CreateFunctionCall(call, call.Args is { } args ? args.GetRawText() : "{}", part.ThoughtSignature, parsed.ResponseId, callCount++));
            }
            else if (part.Text is { } text)
            {
                if (part.Thought == true)
                {
                    message.Contents.Add(new TextReasoningContent(text) { ProtectedData = part.ThoughtSignature, RawRepresentation = part });
                }
                else
                {
                    message.Contents.Add(CreateText(text, part));
                }
            }
            else if (CreateMedia(part) is { } media)
            {
                message.Contents.Add(media);
            }
        }

        var response = new ChatResponse(message)
        {
            ResponseId = parsed.ResponseId,
            ModelId = parsed.ModelVersion ?? requestedModel,
            CreatedAt = parsed.CreateTime,
            FinishReason = candidate.FinishReason is { } finish && GetEnumName(finish, FinishReasonNames) is { } name ? MapFinishReason(name, callCount > 0) : null,
            Usage = usage,
            RawRepresentation = parsed,
        };

        if (candidate.FinishMessage is not null)
        {
            response.AdditionalProperties = new() { ["finish_message"] = candidate.FinishMessage };
        }

        return response;
    }

    private static TextContent CreateText(string text, GeminiPart part)
    {
        var content = new TextContent(text) { RawRepresentation = part };
        if (part.ThoughtSignature is { } signature)
        {
            content.AdditionalProperties = new() { [ThoughtSignatureKey] = signature };
        }

        return content;
    }

    private static AIContent? CreateMedia(GeminiPart part)
    {
        if (part.InlineData is { Data: { } data } blob)
        {
            return new DataContent(Convert.FromBase64String(data), blob.MimeType ?? "application/octet-stream") { RawRepresentation = part };
        }

        if (part.FileData is { FileUri: { } uri } file && Uri.TryCreate(uri, UriKind.Absolute, out var parsedUri))
        {
            return new UriContent(parsedUri, file.MimeType ?? "application/octet-stream") { RawRepresentation = part };
        }

        return null;
    }

    private static FunctionCallContent CreateFunctionCall(GeminiFunctionCall call, string arguments, string? thoughtSignature, string? responseId, int ordinal)
    {
        var id = call.Id ?? string.Create(CultureInfo.InvariantCulture, $"{SyntheticCallIdPrefix}{responseId ?? "0"}_{ordinal}");
        var content = DialectJson.FunctionCall(id, call.Name, arguments);
        if (thoughtSignature is not null)
        {
            content.AdditionalProperties = new() { [ThoughtSignatureKey] = thoughtSignature };
        }

        return content;
    }

    // google.ai.generativelanguage.v1beta.Candidate.FinishReason, by number, for integer enum encoding.
    private static readonly string[] FinishReasonNames =
    [
        "FINISH_REASON_UNSPECIFIED", "STOP", "MAX_TOKENS", "SAFETY", "RECITATION", "OTHER", "BLOCKLIST",
        "PROHIBITED_CONTENT", "SPII", "MALFORMED_FUNCTION_CALL", "IMAGE_SAFETY", "UNEXPECTED_TOOL_CALL", "TOO_MANY_TOOL_CALLS",
    ];

    // google.ai.generativelanguage.v1beta.GenerateContentResponse.PromptFeedback.BlockReason, by number.
    private static readonly string[] BlockReasonNames =
    [
        "BLOCK_REASON_UNSPECIFIED", "SAFETY", "OTHER", "BLOCKLIST", "PROHIBITED_CONTENT", "IMAGE_SAFETY",
    ];

    private static string? GetEnumName(JsonElement value, string[] names) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number when value.TryGetInt32(out var number) => number >= 0 && number < names.Length
            ? names[number]
            : number.ToString(CultureInfo.InvariantCulture),
        _ => null,
    };

    internal static ChatFinishReason? MapFinishReason(string reason, bool hasFunctionCalls) => reason switch
    {
        "FINISH_REASON_UNSPECIFIED" => null,
        "STOP" => hasFunctionCalls ? ChatFinishReason.ToolCalls : ChatFinishReason.Stop,
        "MAX_TOKENS" => ChatFinishReason.Length,
        "SAFETY" or "RECITATION" or "BLOCKLIST" or "PROHIBITED_CONTENT" or "SPII" or "IMAGE_SAFETY"
            or "IMAGE_PROHIBITED_CONTENT" or "IMAGE_RECITATION" => ChatFinishReason.ContentFilter,
        _ => new ChatFinishReason(reason),
    };

    /// <summary>
    /// Input = <c>promptTokenCount</c> (which already includes <c>cachedContentTokenCount</c>) + <c>toolUsePromptTokenCount</c>;
    /// output = <c>candidatesTokenCount</c> + <c>thoughtsTokenCount</c>; reasoning = thoughts; cached input = <c>cachedContentTokenCount</c>;
    /// audio input = the <c>AUDIO</c> entry of <c>promptTokensDetails</c> less that of <c>cacheTokensDetails</c> (cached audio is
    /// billed as cached input); audio output = the <c>AUDIO</c> entry of <c>candidatesTokensDetails</c>.
    /// </summary>
    internal static UsageDetails MapUsage(GeminiUsageMetadata usage)
    {
        long? input = usage.PromptTokenCount is null && usage.ToolUsePromptTokenCount is null
            ? null
            : (usage.PromptTokenCount ?? 0) + (usage.ToolUsePromptTokenCount ?? 0);
        long? output = usage.CandidatesTokenCount is null && usage.ThoughtsTokenCount is null
            ? null
            : (usage.CandidatesTokenCount ?? 0) + (usage.ThoughtsTokenCount ?? 0);
        var details = new UsageDetails
        {
            InputTokenCount = input,
            OutputTokenCount = output,
            TotalTokenCount = usage.TotalTokenCount ?? (input ?? 0) + (output ?? 0),
            CachedInputTokenCount = usage.CachedContentTokenCount,
            ReasoningTokenCount = usage.ThoughtsTokenCount,
        };

        var counts = new AdditionalPropertiesDictionary<long>();
        if (usage.ToolUsePromptTokenCount is { } toolUse)
        {
            counts["toolUsePromptTokenCount"] = toolUse;
        }

        var audioIn = AudioTokens(usage.PromptTokensDetails) - AudioTokens(usage.CacheTokensDetails);
        if (audioIn > 0)
        {
            counts[StratumUsageKeys.AudioInputTokens] = audioIn;
        }

        if (AudioTokens(usage.CandidatesTokensDetails) is > 0 and var audioOut)
        {
            counts[StratumUsageKeys.AudioOutputTokens] = audioOut;
        }

        if (counts.Count > 0)
        {
            details.AdditionalCounts = counts;
        }

        return details;
    }

    // MediaModality.AUDIO in the API's enum, for bodies written with integer enums.
    private const int AudioModality = 4;

    private static long AudioTokens(List<GeminiModalityTokenCount>? details)
    {
        long tokens = 0;
        foreach (var entry in details ?? [])
        {
            var audio = entry.Modality is { } modality
                && ((modality.ValueKind == JsonValueKind.String && string.Equals(modality.GetString(), "AUDIO", StringComparison.OrdinalIgnoreCase))
                    || (modality.ValueKind == JsonValueKind.Number && modality.TryGetInt32(out var number) && number == AudioModality));
            if (audio && entry.TokenCount is > 0 and { } count)
            {
                tokens += count;
            }
        }

        return tokens;
    }

    private sealed class StreamState
    {
        public string? ResponseId { get; set; }

        public string? ModelVersion { get; set; }

        public DateTimeOffset? CreatedAt { get; set; }

        public bool SawFinish { get; set; }

        public bool ArrayCompleted { get; set; }

        public int CallCount { get; set; }

        public PartialCallBuilder? PendingCall { get; set; }
    }
}
