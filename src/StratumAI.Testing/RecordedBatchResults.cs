using System.Text;

namespace StratumAI.Testing;

/// <summary>
/// A batch output file loaded by <see cref="FixtureLoader.LoadBatchResults(string)"/>: the JSONL file a batch produces
/// (OpenAI's output file from <c>GET /v1/files/{output_file_id}/content</c>, Anthropic's
/// <c>GET /v1/messages/batches/{id}/results</c>), one result per line. It is a file, not an HTTP exchange: serve
/// <see cref="Content"/> as the body of the download the client under test makes, for example
/// <c>server.Enqueue(FakeResponse.Text(results.Text, "application/octet-stream"))</c>.
/// </summary>
/// <param name="Content">The file's bytes as they are (a UTF-8 byte-order mark dropped).</param>
/// <param name="Results">One entry per non-blank line, in file order (which is not the order of the batch's requests: match on <see cref="RecordedBatchResult.CustomId"/>).</param>
/// <param name="SourcePath">The file the results came from.</param>
public sealed record RecordedBatchResults(ReadOnlyMemory<byte> Content, IReadOnlyList<RecordedBatchResult> Results, string SourcePath)
{
    /// <summary>Gets <see cref="Content"/> decoded as UTF-8 text.</summary>
    public string Text => Encoding.UTF8.GetString(Content.Span);
}

/// <summary>One line of a batch output file.</summary>
/// <param name="CustomId">The line's <c>custom_id</c>: the id the batch request was submitted with.</param>
/// <param name="Json">The line's JSON object as written in the file (OpenAI: <c>{"id","custom_id","response":{"status_code","request_id","body"},"error"}</c>; Anthropic: <c>{"custom_id","result":{"type",…}}</c>).</param>
/// <param name="Index">The zero-based position of the result among the file's results.</param>
public sealed record RecordedBatchResult(string CustomId, string Json, int Index);
