using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using StratumAI.Dialects;

namespace StratumAI.Batches;

/// <summary>
/// OpenAI's Batch API: the requests as a JSON Lines file uploaded to <c>/files</c> (<c>purpose=batch</c>), a batch created
/// on it at <c>/batches</c>, polled at <c>/batches/{id}</c>, and its output and error files downloaded from
/// <c>/files/{id}/content</c>. Used for the <c>openai</c> (Chat Completions) and <c>openai-responses</c> dialects, and for
/// their embedding models (<c>/v1/embeddings</c> lines).
/// </summary>
internal sealed class OpenAIBatchProtocol(DialectHost dialect) : BatchProtocol(dialect)
{
    public override async Task<BatchState> SubmitAsync(IReadOnlyList<(string CustomId, Uri Endpoint, byte[] Body)> items, IReadOnlyDictionary<string, string>? metadata, CancellationToken cancellationToken)
    {
        // One line per request: {"custom_id","method","url","body"}, the url relative to the host (/v1/chat/completions).
        using var lines = new MemoryStream();
        foreach (var (customId, endpoint, body) in items)
        {
            using (var writer = new Utf8JsonWriter(lines))
            {
                writer.WriteStartObject();
                writer.WriteString("custom_id", customId);
                writer.WriteString("method", "POST");
                writer.WriteString("url", endpoint.AbsolutePath);
                writer.WritePropertyName("body");
                writer.WriteRawValue(body, skipInputValidation: true);
                writer.WriteEndObject();
            }

            lines.WriteByte((byte)'\n');
        }

        var file = new ByteArrayContent(lines.ToArray());
        file.Headers.ContentType = new MediaTypeHeaderValue("application/jsonl");
        using var upload = new MultipartFormDataContent { { file, "file", "stratum_batch.jsonl" }, { new StringContent("batch"), "purpose" } };
        string fileId;
        using (var uploaded = await SendJsonAsync(HttpMethod.Post, Endpoint("files"), upload, cancellationToken).ConfigureAwait(false))
        {
            fileId = String(uploaded.RootElement, "id") ?? throw Invalid("the uploaded file has no id", null);
        }

        var endpointPath = items[0].Endpoint.AbsolutePath;
        using var create = Json(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("input_file_id", fileId);
            writer.WriteString("endpoint", endpointPath);
            writer.WriteString("completion_window", "24h");
            if (metadata is { Count: > 0 })
            {
                writer.WriteStartObject("metadata");
                foreach (var (key, value) in metadata)
                {
                    writer.WriteString(key, value);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        });
        using var created = await SendJsonAsync(HttpMethod.Post, Endpoint("batches"), create, cancellationToken).ConfigureAwait(false);
        return State(created.RootElement);
    }

    public override async Task<BatchState> GetAsync(string batchId, CancellationToken cancellationToken)
    {
        using var batch = await SendJsonAsync(HttpMethod.Get, Endpoint("batches/" + Uri.EscapeDataString(batchId)), null, cancellationToken).ConfigureAwait(false);
        return State(batch.RootElement);
    }

    public override async Task<BatchState> CancelAsync(string batchId, CancellationToken cancellationToken)
    {
        using var batch = await SendJsonAsync(HttpMethod.Post, Endpoint("batches/" + Uri.EscapeDataString(batchId) + "/cancel"), null, cancellationToken).ConfigureAwait(false);
        return State(batch.RootElement);
    }

    public override async IAsyncEnumerable<BatchLine> ReadResultsAsync(string batchId, BatchState? state, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Only the batch object names its files: a handle resumed by id reads it first.
        state ??= await GetAsync(batchId, cancellationToken).ConfigureAwait(false);
        foreach (var fileId in new[] { state.OutputFileId, state.ErrorFileId })
        {
            if (fileId is null)
            {
                continue;
            }

            await foreach (var document in ReadJsonLinesAsync(Endpoint("files/" + Uri.EscapeDataString(fileId) + "/content"), cancellationToken).ConfigureAwait(false))
            {
                using (document)
                {
                    yield return Line(document.RootElement);
                }
            }
        }
    }

    private Uri Endpoint(string path) => DialectHttp.Endpoint(Dialect.ApiBaseUri, path);

    private static BatchState State(JsonElement batch)
    {
        var status = String(batch, "status") ?? "unknown";
        var output = String(batch, "output_file_id");
        var errors = String(batch, "error_file_id");
        var ended = status is "completed" or "failed" or "expired" or "cancelled";
        return new BatchState(String(batch, "id") ?? string.Empty, status, ended, output is not null || errors is not null, output, errors);
    }

    // {"id","custom_id","response":{"status_code","request_id","body"},"error"}: a response with a success status is an answer;
    // one with an error status carries the API's error body; "error" without a response is a request the batch never ran
    // (batch_expired, batch_cancelled) or could not run.
    private BatchLine Line(JsonElement line)
    {
        var customId = String(line, "custom_id") ?? throw Invalid("a result line has no custom_id", null);
        if (line.TryGetProperty("response", out var response) && response.ValueKind == JsonValueKind.Object)
        {
            var status = response.TryGetProperty("status_code", out var code) && code.TryGetInt32(out var number) ? number : 200;
            var requestId = String(response, "request_id");
            var body = response.TryGetProperty("body", out var b) ? b.GetRawText() : "{}";
            return status is >= 200 and < 300
                ? new BatchLine(customId, BatchResultStatus.Succeeded, body, RequestId: requestId)
                : new BatchLine(customId, BatchResultStatus.Errored, null, status, body, requestId);
        }

        var error = line.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.Object ? e : default;
        var errorCode = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("code", out var c)
            ? (c.ValueKind == JsonValueKind.String ? c.GetString() : c.GetRawText())
            : null;
        switch (errorCode)
        {
            case "batch_expired":
                return new BatchLine(customId, BatchResultStatus.Expired, null);
            case "batch_cancelled":
                return new BatchLine(customId, BatchResultStatus.Canceled, null);
        }

        var errorStatus = int.TryParse(errorCode, NumberStyles.None, CultureInfo.InvariantCulture, out var numeric) && numeric is >= 400 and < 600 ? numeric : 400;
        var errorBody = error.ValueKind == JsonValueKind.Object ? "{\"error\":" + error.GetRawText() + "}" : "{}";
        return new BatchLine(customId, BatchResultStatus.Errored, null, errorStatus, errorBody);
    }
}
