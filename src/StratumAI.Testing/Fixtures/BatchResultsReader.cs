using System.Text.Json;

namespace StratumAI.Testing.Fixtures;

/// <summary>
/// Reads a batch output file: JSON Lines, one batch result per line, each an object with a string <c>custom_id</c>
/// (OpenAI's output file and Anthropic's Message Batch results both have one).
/// </summary>
internal static class BatchResultsReader
{
    public static RecordedBatchResults Read(byte[] bytes, string sourcePath)
    {
        var content = BodyOnlyFixtureReader.StripBom(bytes);
        var results = new List<RecordedBatchResult>();
        foreach (var (number, line) in BodyOnlyFixtureReader.NumberedJsonLines(content, sourcePath))
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("custom_id", out var id)
                || id.ValueKind != JsonValueKind.String)
            {
                throw new InvalidDataException($"'{sourcePath}' line {number} is not a batch result: it is not a JSON object with a string 'custom_id'.");
            }

            results.Add(new RecordedBatchResult(id.GetString()!, line, results.Count));
        }

        if (results.Count == 0)
        {
            throw new InvalidDataException($"'{sourcePath}' holds no batch results.");
        }

        return new RecordedBatchResults(content, results, sourcePath);
    }
}
