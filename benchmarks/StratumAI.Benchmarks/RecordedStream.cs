using System.Text;
using System.Text.Json;

namespace StratumAI.Benchmarks;

/// <summary>
/// An OpenAI Chat Completions SSE stream of <c>eventCount</c> data events built from the recorded chunks of
/// <c>stream__vercel-ai-openai__openai-text.chunks.txt</c>: the role chunk, content chunks cycling through the recorded ones,
/// the finish chunk and the usage chunk, then <c>[DONE]</c>. Nothing is written by hand: every event is a recorded one.
/// </summary>
internal sealed record RecordedStream(byte[] Bytes, string Text, long InputTokens, long OutputTokens)
{
    public static async Task<RecordedStream> BuildAsync(int eventCount)
    {
        var recorded = (await File.ReadAllLinesAsync(Path.Combine(BenchmarkPaths.Shared, "fixtures", "openai", "stream__vercel-ai-openai__openai-text.chunks.txt")))
            .Where(line => line.Length > 0)
            .ToArray();
        var content = recorded[1..^2];
        var events = new List<string>(eventCount) { recorded[0] };
        var expected = new StringBuilder();
        for (var i = 0; events.Count < eventCount - 2; i++)
        {
            var chunk = content[i % content.Length];
            events.Add(chunk);
            using var document = JsonDocument.Parse(chunk);
            expected.Append(document.RootElement.GetProperty("choices")[0].GetProperty("delta").GetProperty("content").GetString());
        }

        events.Add(recorded[^2]);
        events.Add(recorded[^1]);
        Check.Equal(eventCount, events.Count, "data events before [DONE]");
        using var usageDocument = JsonDocument.Parse(recorded[^1]);
        var usage = usageDocument.RootElement.GetProperty("usage");

        var sse = new StringBuilder();
        foreach (var data in events)
        {
            sse.Append("data: ").Append(data).Append("\n\n");
        }

        sse.Append("data: [DONE]\n\n");
        return new RecordedStream(
            Encoding.UTF8.GetBytes(sse.ToString()),
            expected.ToString(),
            usage.GetProperty("prompt_tokens").GetInt64(),
            usage.GetProperty("completion_tokens").GetInt64());
    }
}
