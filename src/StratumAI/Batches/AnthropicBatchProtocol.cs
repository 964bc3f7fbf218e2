using System.Runtime.CompilerServices;
using System.Text.Json;
using StratumAI.Dialects;

namespace StratumAI.Batches;

/// <summary>
/// Anthropic's Message Batches: the requests posted to <c>/v1/messages/batches</c> as <c>{"requests":[{"custom_id","params"}]}</c>,
/// polled at <c>/v1/messages/batches/{id}</c> until <c>processing_status</c> is <c>ended</c>, and the JSON Lines results read
/// from <c>/v1/messages/batches/{id}/results</c> under the configured base URL (not the <c>results_url</c> the API names, which
/// is always the public host: a proxy or gateway in the base URL must see the download too).
/// </summary>
internal sealed class AnthropicBatchProtocol(DialectChatClient dialect) : BatchProtocol(dialect)
{
    public override async Task<BatchState> SubmitAsync(IReadOnlyList<(string CustomId, Uri Endpoint, byte[] Body)> items, IReadOnlyDictionary<string, string>? metadata, CancellationToken cancellationToken)
    {
        using var content = Json(writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartArray("requests");
            foreach (var (customId, _, body) in items)
            {
                writer.WriteStartObject();
                writer.WriteString("custom_id", customId);
                writer.WritePropertyName("params");
                writer.WriteRawValue(body, skipInputValidation: true);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        });
        using var created = await SendJsonAsync(HttpMethod.Post, Batches(items[0].Endpoint, null), content, cancellationToken).ConfigureAwait(false);
        return State(created.RootElement);
    }

    public override async Task<BatchState> GetAsync(string batchId, CancellationToken cancellationToken)
    {
        using var batch = await SendJsonAsync(HttpMethod.Get, Batches(MessagesEndpoint(), batchId), null, cancellationToken).ConfigureAwait(false);
        return State(batch.RootElement);
    }

    public override async Task<BatchState> CancelAsync(string batchId, CancellationToken cancellationToken)
    {
        using var batch = await SendJsonAsync(HttpMethod.Post, Batches(MessagesEndpoint(), batchId, "/cancel"), null, cancellationToken).ConfigureAwait(false);
        return State(batch.RootElement);
    }

    public override async IAsyncEnumerable<BatchLine> ReadResultsAsync(string batchId, BatchState? state, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var document in ReadJsonLinesAsync(Batches(MessagesEndpoint(), batchId, "/results"), cancellationToken).ConfigureAwait(false))
        {
            using (document)
            {
                yield return Line(document.RootElement);
            }
        }
    }

    // The Messages endpoint a call of this dialect posts to (…/v1/messages), whatever the base URL's form.
    private Uri MessagesEndpoint() => dialect.CreateBatchItem([], null).Endpoint;

    private static Uri Batches(Uri messagesEndpoint, string? batchId, string suffix = "")
    {
        var text = messagesEndpoint.AbsoluteUri.TrimEnd('/') + "/batches";
        return new Uri(batchId is null ? text : text + "/" + Uri.EscapeDataString(batchId) + suffix, UriKind.Absolute);
    }

    private static BatchState State(JsonElement batch)
    {
        var status = String(batch, "processing_status") ?? "unknown";
        return new BatchState(String(batch, "id") ?? string.Empty, status, status == "ended", String(batch, "results_url") is not null);
    }

    // {"custom_id","result":{"type":"succeeded","message":{…}}}; errored carries the API's error body under "error";
    // canceled and expired requests were never run.
    private BatchLine Line(JsonElement line)
    {
        var customId = String(line, "custom_id") ?? throw Invalid("a result line has no custom_id", null);
        var result = line.TryGetProperty("result", out var r) && r.ValueKind == JsonValueKind.Object ? r : throw Invalid($"the result line of '{customId}' has no result", null);
        switch (String(result, "type"))
        {
            case "succeeded" when result.TryGetProperty("message", out var message):
                return new BatchLine(customId, BatchResultStatus.Succeeded, message.GetRawText());
            case "canceled":
                return new BatchLine(customId, BatchResultStatus.Canceled, null);
            case "expired":
                return new BatchLine(customId, BatchResultStatus.Expired, null);
            default:
                var error = result.TryGetProperty("error", out var e) ? e : default;
                var type = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("error", out var inner) ? String(inner, "type") : String(error, "type");
                return new BatchLine(customId, BatchResultStatus.Errored, null, StatusOf(type), error.ValueKind == JsonValueKind.Undefined ? "{}" : error.GetRawText());
        }
    }

    // The status Anthropic sends with each error type (docs.anthropic.com/en/api/errors), so the item's error maps like a call's.
    private static int StatusOf(string? type) => type switch
    {
        "invalid_request_error" => 400,
        "authentication_error" => 401,
        "billing_error" => 402,
        "permission_error" => 403,
        "not_found_error" => 404,
        "request_too_large" => 413,
        "rate_limit_error" => 429,
        "overloaded_error" => 529,
        _ => 500,
    };
}
