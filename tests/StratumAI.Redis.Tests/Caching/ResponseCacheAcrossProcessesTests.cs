using StratumAI.Testing;

namespace StratumAI.Redis.Tests.Caching;

/// <summary>
/// Issue 12's shared response cache: HybridCache with a Redis second level, as docs/scale.md registers it, across two real OS
/// processes. A call made in process A is a hit in process B — B's fake server receives nothing, and B's cost record is a hit
/// at $0 with what it saved — for a whole answer and for a stream.
/// </summary>
public sealed class ResponseCacheAcrossProcessesTests
{
    private const string RecordedAnswer = "openai/chat__vercel-ai-openai__openai-text.json";
    private const string RecordedStream = "openai/stream__langchaingo__TestClient_CreateChatCompletionStream.httprr";

    [Theory]
    [InlineData("call", RecordedAnswer)]
    [InlineData("stream", RecordedStream)]
    public async Task ACallMadeInOneProcess_IsACacheHitInAnother(string mode, string fixture)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await RedisTestServer.GetAsync();
        var instance = RedisTestServer.NewPrefix("cache-processes") + ":";
        await using var first = await FakeProviderServer.StartAsync();
        first.EnqueueFixture(FixtureLoader.GetFixturePath(fixture));
        await using var second = await FakeProviderServer.StartAsync();

        var a = await RunAsync(first, instance, mode, timeout.Token);
        var b = await RunAsync(second, instance, mode, timeout.Token);

        Assert.StartsWith("hit false saved 0 text ", a, StringComparison.Ordinal);
        Assert.Single(first.ReceivedRequests);
        Assert.Matches("^hit true saved 0\\.[0-9]*[1-9][0-9]* text ", b);
        Assert.Empty(second.ReceivedRequests);
        Assert.Equal(a[(a.IndexOf(" text ", StringComparison.Ordinal) + 6)..], b[(b.IndexOf(" text ", StringComparison.Ordinal) + 6)..]);
        Assert.True(a.Length > "hit false saved 0 text ".Length + 1, "the answer's text is empty: " + a);
    }

    private static async Task<string> RunAsync(FakeProviderServer server, string instance, string mode, CancellationToken cancellationToken)
    {
        using var worker = ScaleWorkerProcess.Start("cache-call", [RedisTestServer.Configuration, instance, new Uri(server.BaseUri, "v1").ToString(), mode]);
        var lines = await worker.ReadToEndAsync(cancellationToken);
        return Assert.Single(lines, l => l.StartsWith("hit ", StringComparison.Ordinal));
    }
}
