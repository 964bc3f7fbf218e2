using System.Net.Http.Headers;

namespace StratumAI.Dialects;

/// <summary>
/// Where and how a request to Azure OpenAI goes: the one place that knows Azure's URL shapes and credentials, shared by
/// every Azure operation (<c>chat/completions</c>, <c>responses</c>, <c>embeddings</c>, …).
/// </summary>
/// <remarks>
/// <para>The provider's base URL says which API shape to use:</para>
/// <list type="bullet">
/// <item>a path ending in <c>/openai/v1</c> (<c>https://res.openai.azure.com/openai/v1</c>) is the <b>v1 API</b>: the
/// operation goes under it (<c>/openai/v1/chat/completions</c>) and the deployment goes in the body's <c>model</c>. No
/// <c>api-version</c> is sent unless the base URL carries one (<c>?api-version=preview</c>).</item>
/// <item>anything else (<c>https://res.openai.azure.com</c>, <c>…/openai</c>, an API Management gateway's prefix) is the
/// <b>classic API</b>: <c>{root}/openai/deployments/{deployment}/{operation}?api-version=…</c>, and for the Responses API
/// <c>{root}/openai/responses?api-version=…</c> (deployment in <c>model</c>). The <c>api-version</c> is the base URL's own
/// (<c>?api-version=2024-10-21</c>), else <see cref="DefaultApiVersion"/> (<see cref="DefaultResponsesApiVersion"/> for
/// <c>responses</c>, which has no GA classic version).</item>
/// </list>
/// <para>Credentials: an API key goes in the <c>api-key</c> header (<see cref="ApplyApiKey"/>); a Microsoft Entra ID token
/// goes in <c>Authorization: Bearer</c> (<see cref="DialectHttp.ApplyBearerTokenAsync"/>, which <see cref="DialectChatClient"/> calls
/// per request when the provider has an access-token provider). Neither appears in a URL, a message or <c>ToString</c>.</para>
/// <para>Immutable and thread-safe.</para>
/// </remarks>
internal sealed class AzureOpenAIEndpoint
{
    /// <summary>The <c>api-version</c> of the classic API when the base URL gives none: the latest GA version.</summary>
    public const string DefaultApiVersion = "2024-10-21";

    /// <summary>The <c>api-version</c> of the classic Responses API (<c>/openai/responses</c>) when the base URL gives none.</summary>
    public const string DefaultResponsesApiVersion = "2025-04-01-preview";

    /// <summary>The header Azure OpenAI reads an API key from.</summary>
    public const string ApiKeyHeader = "api-key";

    /// <summary>Operation paths, as the operations of the OpenAI API name them.</summary>
    public const string ChatCompletions = "chat/completions";

    /// <summary>The Responses API's operation path.</summary>
    public const string Responses = "responses";

    /// <summary>The embeddings operation path.</summary>
    public const string Embeddings = "embeddings";

    private readonly string _prefix;
    private readonly string? _apiVersion;
    private readonly string _otherQuery;

    /// <summary>Reads the API shape and <c>api-version</c> from the provider's base URL.</summary>
    /// <param name="baseUri">The provider's base URL, absolute.</param>
    /// <exception cref="ArgumentException"><paramref name="baseUri"/> is not absolute.</exception>
    public AzureOpenAIEndpoint(Uri baseUri)
    {
        ArgumentNullException.ThrowIfNull(baseUri);
        if (!baseUri.IsAbsoluteUri)
        {
            throw new ArgumentException($"The base URI must be absolute, e.g. https://my-resource.openai.azure.com/openai/v1; got '{DialectHttp.Display(baseUri)}'.", nameof(baseUri));
        }

        BaseUri = baseUri;
        var path = baseUri.AbsolutePath.TrimEnd('/');
        IsV1 = path.EndsWith("/openai/v1", StringComparison.OrdinalIgnoreCase);
        if (!IsV1 && path.EndsWith("/openai", StringComparison.OrdinalIgnoreCase))
        {
            path = path[..^"/openai".Length];
        }

        _prefix = baseUri.GetLeftPart(UriPartial.Authority) + path + (IsV1 ? "/" : "/openai/");

        var others = new List<string>();
        foreach (var pair in baseUri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            if (string.Equals(name, "api-version", StringComparison.OrdinalIgnoreCase))
            {
                var value = equals < 0 ? string.Empty : Uri.UnescapeDataString(pair[(equals + 1)..]);
                _apiVersion = value.Length == 0 ? null : value;
            }
            else
            {
                others.Add(pair);
            }
        }

        _otherQuery = string.Join('&', others);
    }

    /// <summary>The base URL this endpoint was read from.</summary>
    public Uri BaseUri { get; }

    /// <summary>True for the v1 API (<c>/openai/v1/…</c>, deployment in <c>model</c>), false for the classic deployments API.</summary>
    public bool IsV1 { get; }

    /// <summary>The <c>api-version</c> the base URL gives, or null.</summary>
    public string? ApiVersion => _apiVersion;

    /// <summary>True when the deployment goes in the body's <c>model</c> for <paramref name="operation"/>; false when it is in the URL.</summary>
    /// <param name="operation">The operation path, e.g. <see cref="ChatCompletions"/>.</param>
    public bool DeploymentInBody(string operation) => IsV1 || string.Equals(operation, Responses, StringComparison.Ordinal);

    /// <summary>The URL of <paramref name="operation"/> for <paramref name="deployment"/>.</summary>
    /// <param name="operation">The operation path: <see cref="ChatCompletions"/>, <see cref="Responses"/>, <see cref="Embeddings"/>.</param>
    /// <param name="deployment">The deployment name (the catalog model id).</param>
    /// <returns>The absolute URL, with the <c>api-version</c> query where one applies.</returns>
    public Uri For(string operation, string deployment)
    {
        ArgumentException.ThrowIfNullOrEmpty(operation);
        ArgumentException.ThrowIfNullOrEmpty(deployment);
        var path = DeploymentInBody(operation)
            ? _prefix + operation
            : _prefix + "deployments/" + Uri.EscapeDataString(deployment) + "/" + operation;

        var version = _apiVersion ?? (IsV1 ? null : string.Equals(operation, Responses, StringComparison.Ordinal) ? DefaultResponsesApiVersion : DefaultApiVersion);
        var query = version is null ? _otherQuery : _otherQuery.Length == 0 ? "api-version=" + Uri.EscapeDataString(version) : _otherQuery + "&api-version=" + Uri.EscapeDataString(version);
        return new Uri(query.Length == 0 ? path : path + "?" + query, UriKind.Absolute);
    }

    /// <summary>Puts <paramref name="apiKey"/> in the <c>api-key</c> header, replacing any there.</summary>
    /// <param name="request">The request.</param>
    /// <param name="apiKey">The key.</param>
    public static void ApplyApiKey(HttpRequestMessage request, string apiKey)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(apiKey);
        request.Headers.Remove(ApiKeyHeader);
        request.Headers.TryAddWithoutValidation(ApiKeyHeader, apiKey);
    }

    /// <summary>
    /// Puts the credential on <paramref name="request"/>: a token from <paramref name="accessToken"/> when the provider has
    /// one (<see cref="DialectHttp.ApplyBearerTokenAsync"/>), else <paramref name="apiKey"/> in the <c>api-key</c> header; nothing when
    /// neither is set. What an Azure operation that does not go through <see cref="DialectChatClient"/> calls before sending.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="apiKey">The provider's API key, or null.</param>
    /// <param name="accessToken">The provider's token delegate (<c>ProviderOptions.UseAccessToken</c>), or null.</param>
    /// <param name="providerId">The provider id, for the exception.</param>
    /// <param name="modelId">The model id, for the exception.</param>
    /// <param name="cancellationToken">Cancels the token request.</param>
    /// <exception cref="StratumAuthenticationException">The delegate failed or returned no token; nothing was sent.</exception>
    public static ValueTask ApplyCredentialsAsync(
        HttpRequestMessage request,
        string? apiKey,
        Func<CancellationToken, ValueTask<string>>? accessToken,
        string providerId,
        string? modelId,
        CancellationToken cancellationToken)
    {
        if (accessToken is not null)
        {
            return DialectHttp.ApplyBearerTokenAsync(request, accessToken, providerId, modelId, cancellationToken);
        }

        if (!string.IsNullOrEmpty(apiKey))
        {
            ApplyApiKey(request, apiKey);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public override string ToString() => $"AzureOpenAIEndpoint({(IsV1 ? "v1" : "classic")}, {DialectHttp.Display(BaseUri)})";
}
