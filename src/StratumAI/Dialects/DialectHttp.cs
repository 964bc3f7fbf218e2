using System.Globalization;
using System.Net.Http.Headers;

namespace StratumAI.Dialects;

/// <summary>
/// The HTTP plumbing the dialect clients share: building a JSON request with the caller's extra headers, and the pieces
/// <see cref="DialectChatClient"/>'s sending uses to turn transport failures and HttpClient timeouts into StratumAI exceptions.
/// </summary>
internal static class DialectHttp
{
    /// <summary>The exception for a cancellation that is not the caller's: <see cref="HttpClient.Timeout"/> elapsed.</summary>
    internal static StratumTimeoutException Timeout(HttpClient httpClient, string providerId, string modelId, OperationCanceledException exception) =>
        new($"The call to provider '{providerId}' (model '{modelId}') timed out after {httpClient.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s (HttpClient.Timeout).", exception)
        {
            ProviderId = providerId,
            ModelId = modelId,
            Timeout = httpClient.Timeout,
        };

    /// <summary>The body of an error response, or empty when it cannot be read: the status alone still says what failed.</summary>
    internal static async Task<string> ReadErrorBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            return string.Empty;
        }
    }

    /// <summary>
    /// True when the request certainly never reached the provider: the name did not resolve, or no connection (TCP, TLS, proxy
    /// tunnel) was established. Any other transport failure may come after the request was written.
    /// </summary>
    internal static bool NeverSent(HttpRequestException exception) =>
        exception.HttpRequestError is HttpRequestError.NameResolutionError
            or HttpRequestError.ConnectionError
            or HttpRequestError.SecureConnectionError
            or HttpRequestError.ProxyTunnelError;

    /// <summary>The usual transport-failure message: provider, endpoint and the HttpRequestException's text.</summary>
    internal static string UnavailableMessage(string providerId, Uri endpoint, HttpRequestException exception) =>
        $"The request to provider '{providerId}' at {Display(endpoint)} failed before a complete response arrived: {exception.Message}";

    /// <summary>
    /// A URL as messages and <c>ToString()</c> show it: scheme, host, port and path only. User info and the query are left
    /// out, since a proxy URL may carry a credential there (<c>https://user:secret@proxy/v1</c>, <c>?key=…</c>).
    /// </summary>
    internal static string Display(Uri uri)
    {
        if (uri.IsAbsoluteUri)
        {
            return uri.Scheme + "://" + uri.Authority + uri.AbsolutePath;
        }

        var text = uri.OriginalString;
        var end = text.IndexOfAny(['?', '#']);
        return end < 0 ? text : text[..end];
    }

    /// <summary>
    /// Checks the arguments every dialect client's constructor takes; <paramref name="exampleBaseUri"/> is a base URI of the
    /// dialect, shown in the message when <paramref name="baseUri"/> is relative.
    /// </summary>
    internal static void ValidateClientArguments(HttpClient httpClient, Uri baseUri, string modelId, string providerId, string exampleBaseUri)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(baseUri);
        ArgumentException.ThrowIfNullOrEmpty(modelId);
        ArgumentException.ThrowIfNullOrEmpty(providerId);
        if (!baseUri.IsAbsoluteUri)
        {
            throw new ArgumentException($"The base URI must be absolute, e.g. {exampleBaseUri}; got '{Display(baseUri)}'.", nameof(baseUri));
        }
    }

    /// <summary><paramref name="path"/> under <paramref name="baseUri"/>, whether or not the base ends in a slash.</summary>
    internal static Uri Endpoint(Uri baseUri, string path)
    {
        var text = baseUri.AbsoluteUri;
        return new Uri(text.EndsWith('/') ? text + path : text + "/" + path, UriKind.Absolute);
    }

    /// <summary>
    /// A JSON POST as every dialect sends it: the body, its content type, <c>Accept</c>, the provider's fixed header (e.g.
    /// <c>anthropic-version</c>), the API key — as a bearer token, or in <paramref name="apiKeyHeader"/> when the provider
    /// names one — and last the configured extra headers, which win over everything before them.
    /// </summary>
    internal static HttpRequestMessage CreateJsonPost(
        Uri endpoint,
        byte[] json,
        string accept,
        string? apiKey,
        string? apiKeyHeader,
        IReadOnlyList<KeyValuePair<string, string>> headers,
        KeyValuePair<string, string>? fixedHeader = null)
    {
        var content = new ByteArrayContent(json);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var message = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = content };
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        if (fixedHeader is { } header)
        {
            message.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        if (apiKey is not null)
        {
            if (apiKeyHeader is null)
            {
                message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
            }
            else
            {
                message.Headers.TryAddWithoutValidation(apiKeyHeader, apiKey);
            }
        }

        ApplyHeaders(message, content, headers);
        return message;
    }

    /// <summary>
    /// Applies the caller's extra headers, each replacing any header of that name; a name the request headers refuse
    /// (a content header such as Content-Type) goes on <paramref name="content"/> instead.
    /// </summary>
    internal static void ApplyHeaders(HttpRequestMessage message, HttpContent content, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        for (var i = 0; i < headers.Count; i++)
        {
            var header = headers[i];
            message.Headers.Remove(header.Key);
            if (!message.Headers.TryAddWithoutValidation(header.Key, header.Value))
            {
                content.Headers.Remove(header.Key);
                content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }
    }

    /// <summary>
    /// Asks <paramref name="accessToken"/> for a token and puts it in <c>Authorization: Bearer</c>, replacing any Azure <c>api-key</c>
    /// header: called once per request, so a token provider that refreshes (Azure.Identity's credentials cache and renew
    /// theirs) is asked every time.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="accessToken">The provider's token delegate.</param>
    /// <param name="providerId">The provider id, for the exception.</param>
    /// <param name="modelId">The model id, for the exception.</param>
    /// <param name="cancellationToken">Cancels the token request.</param>
    /// <exception cref="StratumAuthenticationException">The delegate failed or returned no token; nothing was sent.</exception>
    internal static async ValueTask ApplyBearerTokenAsync(
        HttpRequestMessage request,
        Func<CancellationToken, ValueTask<string>> accessToken,
        string providerId,
        string? modelId,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(accessToken);
        string token;
        try
        {
            token = await accessToken(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The delegate's own exception is kept as the cause: it is the credential's error, never the token.
            throw new StratumAuthenticationException(
                $"The access token provider of provider '{providerId}' failed ({ex.GetType().Name}); no request was sent. See the inner exception.", ex)
            {
                ProviderId = providerId,
                ModelId = modelId,
            };
        }

        if (string.IsNullOrWhiteSpace(token))
        {
            throw new StratumAuthenticationException(
                $"The access token provider of provider '{providerId}' returned no token; no request was sent.")
            {
                ProviderId = providerId,
                ModelId = modelId,
            };
        }

        request.Headers.Remove(AzureOpenAIEndpoint.ApiKeyHeader);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }
}
