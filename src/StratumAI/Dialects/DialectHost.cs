using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.AI;

namespace StratumAI.Dialects;

/// <summary>
/// What every client of a provider API shares, whatever it asks the API for (a chat answer: <see cref="DialectChatClient"/>;
/// vectors: <see cref="DialectEmbeddingGenerator"/>): the model, provider, key, headers and clock; sending, with
/// <see cref="CallScope"/> marks, transport failures and timeouts as StratumAI exceptions; an error status as the dialect's
/// exception; the usual exceptions for a body that cannot be read.
/// </summary>
/// <remarks>
/// Thread-safe: one instance may serve many concurrent calls. The <see cref="HttpClient"/> belongs to the caller and is not
/// disposed. The API key never appears in exceptions or <see cref="ToString"/>.
/// </remarks>
internal abstract class DialectHost
{
    // Its members are private protected (from when the clients were public); with every dialect internal, that is the same
    // as protected.
    private protected DialectHost(
        HttpClient httpClient,
        Uri baseUri,
        string? apiKey,
        string modelId,
        IEnumerable<KeyValuePair<string, string>>? headers,
        string providerId,
        TimeProvider? timeProvider,
        string exampleBaseUri)
    {
        DialectHttp.ValidateClientArguments(httpClient, baseUri, modelId, providerId, exampleBaseUri);
        HttpClient = httpClient;
        BaseUri = baseUri;
        ApiKey = string.IsNullOrEmpty(apiKey) ? null : apiKey;
        Redactor = new SecretRedactor(ApiKey);
        ModelId = modelId;
        Headers = headers?.ToArray() ?? [];
        ProviderId = providerId;
        TimeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The model id sent when the call names no other is not set.</summary>
    public string ModelId { get; }

    private protected HttpClient HttpClient { get; }

    private protected Uri BaseUri { get; }

    private protected string? ApiKey { get; }

    private protected SecretRedactor Redactor { get; }

    private protected KeyValuePair<string, string>[] Headers { get; }

    private protected string ProviderId { get; }

    private protected TimeProvider TimeProvider { get; }

    /// <summary>
    /// The provider's access-token delegate (<see cref="ProviderOptions.UseAccessToken"/>), or null: when set, every request
    /// is sent with <c>Authorization: Bearer</c> and a token asked for just before it is sent, instead of the API key. Set by
    /// <see cref="StratumClient"/> once, before the client is used.
    /// </summary>
    internal Func<CancellationToken, ValueTask<string>>? AccessToken { get; set; }

    /// <summary>The URL <see cref="ToString"/> shows.</summary>
    private protected virtual Uri DisplayUri => BaseUri;

    /// <inheritdoc />
    public override string ToString() => $"{GetType().Name}({ProviderId}, {ModelId}, {DialectHttp.Display(DisplayUri)})";

    /// <summary>
    /// A JSON POST with this client's API key (bearer, or in <paramref name="apiKeyHeader"/>) and extra headers, accepting
    /// <paramref name="accept"/>.
    /// </summary>
    private protected HttpRequestMessage CreateJsonPost(Uri endpoint, byte[] json, string accept, string? apiKeyHeader = null, KeyValuePair<string, string>? fixedHeader = null) =>
        DialectHttp.CreateJsonPost(endpoint, json, accept, ApiKey, apiKeyHeader, Headers, fixedHeader);

    /// <summary>The provider's base URL, under which the batch endpoints live.</summary>
    internal Uri ApiBaseUri => BaseUri;

    /// <summary>
    /// A request to a batch endpoint of the same API (<paramref name="endpoint"/>) with the headers this client's calls carry
    /// (API key, version header, the configured extra headers).
    /// </summary>
    internal abstract HttpRequestMessage CreateBatchHttpRequest(HttpMethod method, Uri endpoint, HttpContent? content);

    /// <summary>Sends a batch endpoint's request like a call's: transport failures, timeouts and error statuses become StratumAI exceptions.</summary>
    internal Task<HttpResponseMessage> SendBatchHttpRequestAsync(HttpRequestMessage request, HttpCompletionOption completionOption, CancellationToken cancellationToken) =>
        SendAsync(request, ModelId, completionOption, cancellationToken);

    /// <summary>A request to <paramref name="endpoint"/> with the headers of <paramref name="template"/> (a call's request), accepting JSON.</summary>
    private protected static HttpRequestMessage CopyHeaders(HttpRequestMessage template, HttpMethod method, Uri endpoint, HttpContent? content)
    {
        var request = new HttpRequestMessage(method, endpoint) { Content = content };
        foreach (var header in template.Headers)
        {
            if (!string.Equals(header.Key, "Accept", StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        request.Headers.Accept.Add(new System.Net.Http.Headers.MediaTypeWithQualityHeaderValue("application/json"));
        return request;
    }

    /// <summary>What every dialect client answers to <c>GetService</c>: its metadata, and itself; nothing for a keyed request.</summary>
    private protected object? ServiceOf(Type serviceType, object? serviceKey, object metadata)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == metadata.GetType())
        {
            return metadata;
        }

        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <summary>The exception for an error status; <paramref name="body"/> is the error body, or empty when it could not be read.</summary>
    private protected virtual StratumException MapError(HttpResponseMessage response, string body, string model) =>
        ProviderErrorMapper.FromResponse(response, body, ProviderId, model, Redactor, TimeProvider);

    /// <summary>The message of a transport failure (<see cref="DialectHttp.UnavailableMessage"/> is the usual one).</summary>
    private protected abstract string DescribeUnavailable(HttpRequestException exception, string model);

    private protected StratumInvalidResponseException InvalidResponse(string model, string detail, Exception? inner, UsageDetails? usageSoFar = null) =>
        new($"Provider '{ProviderId}' (model '{model}') answered with success, but {detail}", inner)
        {
            ProviderId = ProviderId,
            ModelId = model,
            UsageSoFar = usageSoFar,
        };

    /// <summary>
    /// The usual exception for text that is not the JSON expected: "{what} ({the parser's message}). {label} starts with: …",
    /// e.g. "the body is not valid message JSON (…). Body starts with: …".
    /// </summary>
    private protected StratumInvalidResponseException InvalidJson(string model, string what, string label, JsonException exception, string text, UsageDetails? usageSoFar = null) =>
        InvalidResponse(model, $"{what} ({Redactor.Redact(exception.Message)}). {label} starts with: {Snippet(text)}", Redactor.KeepIfClean(exception), usageSoFar);

    private protected string Snippet(string text) => Redactor.Snippet(text);

    /// <summary>
    /// Deserializes a body or stream event, or throws the usual <see cref="StratumInvalidResponseException"/> for text that
    /// is not that JSON ("{what} (…). Body starts with: …") or is JSON null.
    /// </summary>
    private protected T ParseJson<T>(string text, JsonTypeInfo<T> typeInfo, string model, string what, bool isEvent = false, UsageDetails? usageSoFar = null)
        where T : class
    {
        T? value;
        try
        {
            value = JsonSerializer.Deserialize(text, typeInfo);
        }
        catch (JsonException ex)
        {
            throw InvalidJson(model, what, isEvent ? "Event" : "Body", ex, text, usageSoFar);
        }

        return value ?? throw InvalidResponse(model, isEvent ? "a stream event was JSON null." : "the body was JSON null.", null, usageSoFar);
    }

    /// <summary>
    /// Sends <paramref name="request"/> and returns the response when its status is a success. A transport failure
    /// becomes a <see cref="StratumProviderUnavailableException"/> whose message <see cref="DescribeUnavailable"/> writes; a
    /// cancellation that is not the caller's (HttpClient.Timeout) becomes a <see cref="StratumTimeoutException"/>; a
    /// non-success response is disposed and the exception <see cref="MapError"/> builds from it is thrown. Marks the ambient
    /// <see cref="CallScope"/>: reached, sent (unless already cancelled), and unbilled for an error status or a connection
    /// never established.
    /// </summary>
    /// <remarks>
    /// A method of the host rather than a helper taking the two hooks as delegates: those would capture the model and cost a
    /// closure and two delegates on every call.
    /// </remarks>
    private protected async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, string model, HttpCompletionOption completionOption, CancellationToken cancellationToken)
    {
        if (AccessToken is { } accessToken)
        {
            // Before the marks: a token that cannot be had means nothing was sent.
            await DialectHttp.ApplyBearerTokenAsync(request, accessToken, ProviderId, model, cancellationToken).ConfigureAwait(false);
        }

        // Budget and cost tracking above learn from these marks whether a request left with its outcome unknown (billable).
        var scope = CallScope.Current;
        scope?.MarkReached();
        if (!cancellationToken.IsCancellationRequested)
        {
            scope?.MarkSent();
        }

        HttpResponseMessage response;
        try
        {
            response = await HttpClient.SendAsync(request, completionOption, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            if (DialectHttp.NeverSent(ex))
            {
                scope?.MarkUnbilled();
            }

            throw new StratumProviderUnavailableException(DescribeUnavailable(ex, model), ex)
            {
                ProviderId = ProviderId,
                ModelId = model,
            };
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw DialectHttp.Timeout(HttpClient, ProviderId, model, ex);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        // An error status: the provider refused the request and bills nothing for it.
        scope?.MarkUnbilled();
        using (response)
        {
            throw MapError(response, await DialectHttp.ReadErrorBodyAsync(response, cancellationToken).ConfigureAwait(false), model);
        }
    }
}
