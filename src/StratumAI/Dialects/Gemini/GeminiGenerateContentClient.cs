using Microsoft.Extensions.AI;

namespace StratumAI.Dialects;

/// <summary>Google Gemini's native API (<c>generateContent</c> / <c>streamGenerateContent?alt=sse</c>) as an <see cref="IChatClient"/>.</summary>
/// <remarks>Thread-safe; one instance serves one model.</remarks>
public sealed class GeminiGenerateContentClient : IChatClient
{
    private readonly HttpClient _httpClient;
    private readonly Uri _baseUri;
    private readonly string? _apiKey;
    private readonly string _modelId;
    private readonly KeyValuePair<string, string>[] _headers;
    private readonly string _providerId;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates a client for one model.</summary>
    /// <param name="httpClient">The HTTP client to send requests with; not disposed by this instance.</param>
    /// <param name="baseUri">The API's base URL.</param>
    /// <param name="apiKey">The API key, or null for servers that need none.</param>
    /// <param name="modelId">The model id the API expects.</param>
    /// <param name="headers">Extra headers sent with every request.</param>
    /// <param name="providerId">Provider id reported in errors and telemetry.</param>
    /// <param name="timeProvider">Clock for retry-after dates; the system clock by default.</param>
    /// <exception cref="ArgumentNullException">A required argument is null.</exception>
    public GeminiGenerateContentClient(
        HttpClient httpClient,
        Uri baseUri,
        string? apiKey,
        string modelId,
        IEnumerable<KeyValuePair<string, string>>? headers = null,
        string providerId = "gemini",
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(baseUri);
        ArgumentException.ThrowIfNullOrEmpty(modelId);
        ArgumentException.ThrowIfNullOrEmpty(providerId);
        _httpClient = httpClient;
        _baseUri = baseUri;
        _apiKey = apiKey;
        _modelId = modelId;
        _headers = headers?.ToArray() ?? [];
        _providerId = providerId;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        => throw new NotSupportedException("The gemini dialect is not available in this version of StratumAI.");

    /// <inheritdoc />
    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        => throw new NotSupportedException("The gemini dialect is not available in this version of StratumAI.");

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
