using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.AI;

namespace StratumAI.Dialects;

/// <summary>
/// The host every wire dialect plugs into: an <see cref="IChatClient"/> for one model of one provider that owns what all
/// dialects do alike — sending (with <see cref="CallScope"/> marks, transport failures and timeouts as StratumAI
/// exceptions), turning an error status into an exception, the request id, error snippets and the shape of a
/// non-streaming and a streaming call, including the cut-off check when a stream ends before its last event.
/// </summary>
/// <remarks>
/// <para>A dialect supplies the request (<c>CreateHttpRequest</c>), the reading of a response and of a stream, and its own
/// error knowledge: <see cref="OpenAIChatCompletionsClient"/>, <see cref="OpenAIResponsesClient"/>,
/// <see cref="AnthropicMessagesClient"/>, <see cref="GeminiGenerateContentClient"/> and <see cref="OllamaChatClient"/>. All are
/// internal: users reach them through <c>StratumClient.GetChatClient</c>, which adds prices, request checks and the key.</para>
/// <para>Thread-safe: one instance may serve many concurrent calls. The <see cref="HttpClient"/> belongs to the caller and
/// is not disposed. The API key never appears in exceptions or <c>ToString()</c>.</para>
/// </remarks>
internal abstract class DialectChatClient : DialectHost, IChatClient
{
    // M.E.AI's defaults write indented JSON; tool arguments and results go on the wire compact.
    private protected static readonly JsonSerializerOptions CompactAIJsonOptions = new(AIJsonUtilities.DefaultOptions) { WriteIndented = false };

    private readonly ChatClientMetadata _metadata;

    // A base class rather than a helper each client calls: the skeleton below is the part that used to be written five times.
    // Its members are private protected (from when the clients were public); with every dialect internal, that is the same
    // as protected.
    private protected DialectChatClient(
        HttpClient httpClient,
        Uri baseUri,
        string? apiKey,
        string modelId,
        IEnumerable<KeyValuePair<string, string>>? headers,
        string providerId,
        TimeProvider? timeProvider,
        string exampleBaseUri)
        : base(httpClient, baseUri, apiKey, modelId, headers, providerId, timeProvider, exampleBaseUri)
    {
        _metadata = new ChatClientMetadata(providerId, baseUri, modelId);
    }

    /// <summary>The media type a stream is asked for: server-sent events unless the dialect streams otherwise.</summary>
    private protected virtual string StreamMediaType => "text/event-stream";

    /// <summary>What the last event of a complete stream is, for the cut-off message: "no message_stop event".</summary>
    private protected abstract string StreamEndMarker { get; }

    /// <inheritdoc />
    /// <exception cref="StratumException">The provider answered with an error, or with a body this dialect cannot read.</exception>
    /// <exception cref="NotSupportedException">A message holds content or a tool this dialect cannot send.</exception>
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var model = ResolveModel(options);
        using var httpRequest = CreateHttpRequest(messages, options, model, stream: false);
        using var response = await SendAsync(httpRequest, model, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        var requestId = ProviderErrorMapper.GetRequestId(response.Headers, Redactor);
        var result = await ReadResponseAsync(response, model, requestId, cancellationToken).ConfigureAwait(false);
        if (requestId is not null)
        {
            (result.AdditionalProperties ??= [])[StratumUsageKeys.RequestId] = requestId;
        }

        return result;
    }

    /// <inheritdoc />
    /// <exception cref="StratumException">
    /// The provider answered with an error, reported one in the stream (the exception's
    /// <see cref="StratumException.UsageSoFar"/> holds the usage reported so far), sent an event this dialect cannot read, or
    /// the stream ended before its last event (<see cref="StratumProviderUnavailableException"/>).
    /// </exception>
    /// <exception cref="NotSupportedException">A message holds content or a tool this dialect cannot send.</exception>
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var model = ResolveModel(options);
        using var httpRequest = CreateHttpRequest(messages, options, model, stream: true);
        using var response = await SendAsync(httpRequest, model, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var call = new DialectStream(model, ProviderErrorMapper.GetRequestId(response.Headers, Redactor));
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using var streamScope = stream.ConfigureAwait(false);

        var updates = ReadStreamAsync(response, stream, call, cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using var updatesScope = updates.ConfigureAwait(false);
        while (true)
        {
            try
            {
                if (!await updates.MoveNextAsync().ConfigureAwait(false))
                {
                    break;
                }
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException)
            {
                throw StreamCutOff(call, response, ex);
            }

            yield return updates.Current;
        }

        if (!call.Completed)
        {
            throw StreamCutOff(call, response, null);
        }
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null) => ServiceOf(serviceType, serviceKey, _metadata);

    /// <summary>Does nothing: the <see cref="HttpClient"/> belongs to the caller.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }


    /// <summary>The HTTP request of one call: its body, endpoint and headers (<c>CreateJsonPost</c> makes the usual one).</summary>
    private protected abstract HttpRequestMessage CreateHttpRequest(IEnumerable<ChatMessage> messages, ChatOptions? options, string model, bool stream);

    /// <summary>Reads a successful non-streaming response; the host adds <paramref name="requestId"/> to its properties.</summary>
    private protected abstract ValueTask<ChatResponse> ReadResponseAsync(HttpResponseMessage response, string model, string? requestId, CancellationToken cancellationToken);

    /// <summary>
    /// Reads a successful stream into updates. Sets <see cref="DialectStream.Completed"/> when the stream's last event
    /// arrived and keeps <see cref="DialectStream.UsageSoFar"/> current; the host turns a transport failure, or an end
    /// without <see cref="DialectStream.Completed"/>, into a cut-off.
    /// </summary>
    private protected abstract IAsyncEnumerable<ChatResponseUpdate> ReadStreamAsync(HttpResponseMessage response, Stream stream, DialectStream call, CancellationToken cancellationToken);


    /// <summary>Does nothing: a dialect client holds nothing to release, and the <see cref="HttpClient"/> belongs to the caller.</summary>
    /// <param name="disposing">True when called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
    }

    // The batch APIs (Batches/) send the dialect's own request bodies and read its own answers, through these four members:
    // one request builder, one reader and one error mapping per dialect, whether a call goes alone or in a batch.

    /// <summary>
    /// The endpoint and JSON body a non-streaming call of <paramref name="messages"/> would send: what a batch line carries.
    /// </summary>
    internal (Uri Endpoint, byte[] Body) CreateBatchItem(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var model = ResolveModel(options);
        using var request = CreateHttpRequest(messages, options, model, stream: false);
        using var body = new MemoryStream();
        request.Content!.CopyTo(body, null, CancellationToken.None);
        return (request.RequestUri!, body.ToArray());
    }

    /// <summary>
    /// A request to <paramref name="endpoint"/> with the headers this dialect's calls carry (API key, version header, the
    /// configured extra headers), for the batch endpoints of the same API.
    /// </summary>
    internal override HttpRequestMessage CreateBatchHttpRequest(HttpMethod method, Uri endpoint, HttpContent? content)
    {
        using var template = CreateHttpRequest([], null, ModelId, stream: false);
        return CopyHeaders(template, method, endpoint, content);
    }

    /// <summary>Reads one answer of a batch (the body a non-streaming call would have received) with this dialect's reader.</summary>
    internal async ValueTask<ChatResponse> ReadBatchItemAsync(string body, string model, string? requestId, CancellationToken cancellationToken)
    {
        using var response = new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        var result = await ReadResponseAsync(response, model, requestId, cancellationToken).ConfigureAwait(false);
        if (requestId is not null)
        {
            (result.AdditionalProperties ??= [])[StratumUsageKeys.RequestId] = requestId;
        }

        return result;
    }

    /// <summary>The exception this dialect maps an error answer of one batch item to, as if it had come with <paramref name="status"/>.</summary>
    internal StratumException MapBatchItemError(int status, string body, string model)
    {
        using var response = new HttpResponseMessage((System.Net.HttpStatusCode)status) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        return MapError(response, body, model);
    }

    private protected string ResolveModel(ChatOptions? options) => string.IsNullOrEmpty(options?.ModelId) ? ModelId : options.ModelId;

    /// <summary>
    /// A JSON POST with this client's API key (bearer, or in <paramref name="apiKeyHeader"/>) and extra headers, accepting
    /// <see cref="StreamMediaType"/> for a stream and JSON otherwise.
    /// </summary>
    private protected HttpRequestMessage CreateJsonPost(Uri endpoint, byte[] json, bool stream, string? apiKeyHeader = null, KeyValuePair<string, string>? fixedHeader = null) =>
        CreateJsonPost(endpoint, json, stream ? StreamMediaType : "application/json", apiKeyHeader, fixedHeader);

    private protected StratumProviderUnavailableException StreamCutOff(DialectStream call, HttpResponseMessage response, Exception? inner) =>
        new($"The stream from provider '{ProviderId}' (model '{call.Model}') ended before the answer was complete ({StreamEndMarker}).", inner)
        {
            ProviderId = ProviderId,
            ModelId = call.Model,
            StatusCode = response.StatusCode,
            RequestId = call.RequestId,
            UsageSoFar = call.UsageSoFar,
        };

    /// <summary>A tool's result as the text most APIs take: strings as they are, numbers invariant, anything else as compact JSON.</summary>
    private protected static string FormatToolResult(object? result) => result switch
    {
        null => string.Empty,
        string s => s,
        JsonElement element => element.ValueKind == JsonValueKind.String ? element.GetString() ?? string.Empty : element.GetRawText(),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => JsonSerializer.Serialize(result, CompactAIJsonOptions.GetTypeInfo(result.GetType())),
    };

    /// <summary>A call's arguments as compact JSON text, <c>{}</c> when it has none.</summary>
    private protected static string SerializeArguments(IDictionary<string, object?>? arguments) =>
        arguments is null ? "{}" : JsonSerializer.Serialize(arguments, CompactAIJsonOptions.GetTypeInfo(typeof(IDictionary<string, object?>)));

    /// <summary>The wire word of a reasoning effort as OpenAI-style APIs spell it (<c>none</c> … <c>xhigh</c>).</summary>
    private protected static string? EffortName(ReasoningEffort? effort) => effort switch
    {
        ReasoningEffort.None => "none",
        ReasoningEffort.Low => "low",
        ReasoningEffort.Medium => "medium",
        ReasoningEffort.High => "high",
        ReasoningEffort.ExtraHigh => "xhigh",
        _ => null,
    };

    /// <summary><c>AdditionalProperties["strictJsonSchema"]</c>: whether tool and output schemas are sent as strict, or null when not set.</summary>
    private protected static bool? StrictSchema(ChatOptions options) =>
        options.AdditionalProperties is { } extra && extra.TryGetValue("strictJsonSchema", out bool strict) ? strict : null;

    /// <summary>
    /// The function tools of <paramref name="options"/> in the dialect's wire form, or null when there are none.
    /// <paramref name="toWire"/> gets each function and <see cref="StrictSchema"/>, so it can be a static lambda: a capturing
    /// one would allocate its closure on every call, tools or not.
    /// </summary>
    /// <exception cref="NotSupportedException">A tool is not a function.</exception>
    private protected static List<TTool>? FunctionTools<TTool>(ChatOptions options, string dialect, Func<AIFunctionDeclaration, bool?, TTool> toWire)
    {
        if (options.Tools is not { Count: > 0 } tools)
        {
            return null;
        }

        var strict = StrictSchema(options);

        var wire = new List<TTool>(tools.Count);
        foreach (var tool in tools)
        {
            wire.Add(tool is AIFunctionDeclaration function
                ? toWire(function, strict)
                : throw new NotSupportedException($"The {dialect} dialect supports function tools only; '{tool.Name}' is a {tool.GetType().Name}."));
        }

        return wire;
    }

    /// <summary>
    /// The <c>tool_choice</c> of both OpenAI APIs: <c>"none"</c>, <c>"auto"</c>, <c>"required"</c>, or the object
    /// <paramref name="function"/> writes for one required function.
    /// </summary>
    private protected static JsonElement? OpenAIToolChoice(ChatToolMode? mode, Func<string, JsonElement> function) => mode switch
    {
        NoneChatToolMode => JsonString("none"),
        AutoChatToolMode => JsonString("auto"),
        RequiredChatToolMode { RequiredFunctionName: { } name } => function(name),
        RequiredChatToolMode => JsonString("required"),
        _ => null,
    };

    /// <summary>
    /// Reads server-sent events whose data is JSON of type <typeparamref name="TEvent"/> and hands each to
    /// <paramref name="handle"/> with its SSE event type, yielding the updates it returns, until the stream ends or
    /// <see cref="DialectStream.Completed"/> is set. Empty events, <c>[DONE]</c> and JSON <c>null</c> are skipped.
    /// </summary>
    private protected async IAsyncEnumerable<ChatResponseUpdate> ReadJsonEventsAsync<TEvent>(
        Stream stream,
        JsonTypeInfo<TEvent> typeInfo,
        DialectStream call,
        Func<TEvent, string, ChatResponseUpdate?> handle,
        [EnumeratorCancellation] CancellationToken cancellationToken)
        where TEvent : class
    {
        await foreach (var item in SseParser.Create(stream).EnumerateAsync(cancellationToken).ConfigureAwait(false))
        {
            if (string.IsNullOrWhiteSpace(item.Data) || string.Equals(item.Data.Trim(), "[DONE]", StringComparison.Ordinal))
            {
                continue;
            }

            TEvent? streamEvent;
            try
            {
                streamEvent = JsonSerializer.Deserialize(item.Data, typeInfo);
            }
            catch (JsonException ex)
            {
                throw InvalidJson(call.Model, "a stream event is not valid JSON", "Event", ex, item.Data, call.UsageSoFar);
            }

            if (streamEvent is not null && handle(streamEvent, item.EventType) is { } update)
            {
                yield return update;
            }

            if (call.Completed)
            {
                yield break;
            }
        }
    }

    /// <summary>A JSON string value as an element.</summary>
    private protected static JsonElement JsonString(string value) => DialectJson.Write(value, static (writer, text) => writer.WriteStringValue(text));
}

/// <summary>What the host and a dialect share while one stream is read.</summary>
internal sealed class DialectStream(string model, string? requestId)
{
    /// <summary>The model id the call asked for.</summary>
    public string Model { get; } = model;

    /// <summary>The provider's request id of the response, cleaned.</summary>
    public string? RequestId { get; } = requestId;

    /// <summary>The usage the stream reported so far: carried by a cut-off or an error.</summary>
    public UsageDetails? UsageSoFar { get; set; }

    /// <summary>True once the stream's last event arrived; a stream that ends before is cut off.</summary>
    public bool Completed { get; set; }

    /// <summary>Puts the request id on <paramref name="update"/>'s properties, when there is one.</summary>
    public void AddRequestId(ChatResponseUpdate update)
    {
        if (RequestId is not null)
        {
            (update.AdditionalProperties ??= [])[StratumUsageKeys.RequestId] = RequestId;
        }
    }
}
