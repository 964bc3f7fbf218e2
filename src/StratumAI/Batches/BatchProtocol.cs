using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using StratumAI.Dialects;

namespace StratumAI.Batches;

/// <summary>Where a batch stands, as the provider last reported it.</summary>
/// <param name="Id">The provider's batch id.</param>
/// <param name="Status">The provider's own word (OpenAI <c>validating</c>…<c>completed</c>, Anthropic <c>in_progress</c>, <c>canceling</c>, <c>ended</c>).</param>
/// <param name="IsEnded">True once the provider will process nothing more.</param>
/// <param name="HasResults">True when the provider has results to read (an output or error file, a results URL).</param>
/// <param name="OutputFileId">OpenAI: the file of the answered requests, or null.</param>
/// <param name="ErrorFileId">OpenAI: the file of the failed requests, or null.</param>
internal sealed record BatchState(string Id, string Status, bool IsEnded, bool HasResults, string? OutputFileId = null, string? ErrorFileId = null);

/// <summary>One line of a batch's results, before the dialect reads it.</summary>
/// <param name="CustomId">The request's custom id.</param>
/// <param name="Status">How the request ended.</param>
/// <param name="Body">The answer body a single call would have received (succeeded), or null.</param>
/// <param name="ErrorStatus">The HTTP status the error stands for (errored), else 0.</param>
/// <param name="ErrorBody">The error body in the API's usual error shape (errored), or null.</param>
/// <param name="RequestId">The provider's request id of the item, or null.</param>
internal sealed record BatchLine(string CustomId, BatchResultStatus Status, string? Body, int ErrorStatus = 0, string? ErrorBody = null, string? RequestId = null);

/// <summary>
/// One provider's batch API: submitting the dialect's request bodies, reading where the batch stands, cancelling it, and its
/// results file as <see cref="BatchLine"/>s. HTTP goes through the dialect's host (its key, headers and error mapping).
/// </summary>
internal abstract class BatchProtocol(DialectHost dialect)
{
    private protected DialectHost Dialect { get; } = dialect;

    /// <summary>The protocol of <paramref name="model"/>'s dialect.</summary>
    /// <exception cref="NotSupportedException">The dialect has no batch API here.</exception>
    public static BatchProtocol For(ModelInfo model, DialectChatClient dialect) => model.Dialect switch
    {
        DialectNames.OpenAIChatCompletions or DialectNames.OpenAIResponses => new OpenAIBatchProtocol(dialect),
        DialectNames.AnthropicMessages => new AnthropicBatchProtocol(dialect),
        _ => throw Unsupported(model),
    };

    /// <summary>The protocol of an embedding model's dialect: OpenAI's Batch API (<c>/v1/embeddings</c> lines); Anthropic has no embeddings.</summary>
    /// <exception cref="NotSupportedException">The dialect has no embedding batches here.</exception>
    /// <param name="model">The embedding model.</param>
    /// <param name="create">Creates the model's embeddings client, once the dialect is known to have a batch API (creating it reads the key).</param>
    public static (BatchProtocol Protocol, DialectEmbeddingGenerator Generator) ForEmbeddings(ModelInfo model, Func<DialectEmbeddingGenerator> create) => model.Dialect switch
    {
        DialectNames.OpenAIChatCompletions or DialectNames.OpenAIResponses when create() is var generator => (new OpenAIBatchProtocol(generator), generator),
        _ => throw new NotSupportedException(
            $"Model '{model.Id}' uses the dialect '{model.Dialect}', which has no embedding batch API in StratumAI. Embedding batches work with the dialects "
            + $"'{DialectNames.OpenAIChatCompletions}' and '{DialectNames.OpenAIResponses}' (OpenAI's Batch API)."),
    };

    private static NotSupportedException Unsupported(ModelInfo model) => new(
            $"Model '{model.Id}' uses the dialect '{model.Dialect}', which has no batch API in StratumAI. Batches work with the dialects "
            + $"'{DialectNames.OpenAIChatCompletions}', '{DialectNames.OpenAIResponses}' (OpenAI's Batch API) and '{DialectNames.AnthropicMessages}' (Message Batches).");

    /// <summary>Submits the items (custom id, endpoint and body of each) and returns the created batch.</summary>
    public abstract Task<BatchState> SubmitAsync(IReadOnlyList<(string CustomId, Uri Endpoint, byte[] Body)> items, IReadOnlyDictionary<string, string>? metadata, CancellationToken cancellationToken);

    /// <summary>Reads where the batch stands.</summary>
    public abstract Task<BatchState> GetAsync(string batchId, CancellationToken cancellationToken);

    /// <summary>Asks the provider to cancel the batch; returns where it stands after the request.</summary>
    public abstract Task<BatchState> CancelAsync(string batchId, CancellationToken cancellationToken);

    /// <summary>Reads the results, line by line; <paramref name="state"/> is null when the handle never saw the batch (resumed by id).</summary>
    public abstract IAsyncEnumerable<BatchLine> ReadResultsAsync(string batchId, BatchState? state, CancellationToken cancellationToken);

    /// <summary>Sends a request to a batch endpoint and parses its JSON answer.</summary>
    private protected async Task<JsonDocument> SendJsonAsync(HttpMethod method, Uri endpoint, HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = Dialect.CreateBatchHttpRequest(method, endpoint, content);
        using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            throw Invalid($"the answer of {method} {DialectHttp.Display(endpoint)} is not JSON", ex);
        }
    }

    /// <summary>Streams the lines of a results download, one JSON object per non-blank line.</summary>
    private protected async IAsyncEnumerable<JsonDocument> ReadJsonLinesAsync(Uri endpoint, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var request = Dialect.CreateBatchHttpRequest(HttpMethod.Get, endpoint, null);
        using var response = await SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(line);
            }
            catch (JsonException ex)
            {
                throw Invalid("a line of the batch results is not JSON", ex);
            }

            yield return document;
        }
    }

    // A 404 from a batch endpoint is a batch, file or result set that is not there (or not yet: Anthropic answers a results
    // request for a batch still in progress with not_found_error), not an unknown model as on the Messages endpoint.
    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, HttpCompletionOption completionOption, CancellationToken cancellationToken)
    {
        try
        {
            return await Dialect.SendBatchHttpRequestAsync(request, completionOption, cancellationToken).ConfigureAwait(false);
        }
        catch (StratumModelNotFoundException ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            throw new StratumInvalidRequestException(
                $"Provider '{ex.ProviderId}' has no such batch resource at {DialectHttp.Display(request.RequestUri!)} (HTTP 404): {ex.ProviderMessage ?? "no message"}", ex)
            {
                ProviderId = ex.ProviderId,
                ModelId = ex.ModelId,
                StatusCode = ex.StatusCode,
                ErrorType = ex.ErrorType,
                ErrorCode = ex.ErrorCode,
                ProviderMessage = ex.ProviderMessage,
                RequestId = ex.RequestId,
            };
        }
    }

    private protected StratumInvalidResponseException Invalid(string detail, Exception? inner) =>
        new($"The batch API of the provider of model '{Dialect.ModelId}' answered with success, but {detail}.", inner) { ModelId = Dialect.ModelId };

    private protected static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>A JSON body written by <paramref name="write"/>.</summary>
    private protected static ByteArrayContent Json(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        var content = new ByteArrayContent(buffer.ToArray());
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        return content;
    }
}
