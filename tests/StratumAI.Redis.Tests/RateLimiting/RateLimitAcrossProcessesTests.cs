using StratumAI.Testing;

namespace StratumAI.Redis.Tests.RateLimiting;

/// <summary>
/// Issue 12's proof for rate limits: four OS processes share one limit of N requests per window through Redis, and the fake
/// provider server (replaying a recorded answer) never sees more than N requests within any window.
/// </summary>
public sealed class RateLimitAcrossProcessesTests
{
    private const string RecordedAnswer = "openai/chat__vercel-ai-openai__openai-text.json";

    [Fact]
    public async Task FourProcesses_SharingNRequestsPerWindow_NoWindowAtTheServerSeesMoreThanN()
    {
        const int Processes = 4;
        const int CallsEach = 10;
        const int Limit = 5;
        var window = TimeSpan.FromSeconds(1);

        // The limiter bounds when requests are sent; a request reaches the server later by its own latency, and two requests'
        // latencies differ. The shared window is a quarter second longer than the one counted at the server, so that jitter
        // cannot put N + 1 arrivals into one server-side window (docs/scale.md says the same to users of real providers).
        var sendWindow = window + TimeSpan.FromMilliseconds(250);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await RedisTestServer.GetAsync();
        await using var server = await FakeProviderServer.StartAsync();
        for (var i = 0; i < Processes * (CallsEach + 1); i++)
        {
            server.EnqueueFixture(FixtureLoader.GetFixturePath(RecordedAnswer));
        }

        var prefix = RedisTestServer.NewPrefix("rl-processes");
        var startAt = DateTimeOffset.UtcNow.AddSeconds(8).ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var workers = Enumerable.Range(0, Processes)
            .Select(_ => ScaleWorkerProcess.Start("rate-limit-calls", [
                RedisTestServer.Configuration,
                prefix,
                new Uri(server.BaseUri, "v1").ToString(),
                CallsEach.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ((int)sendWindow.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
                startAt,
            ]))
            .ToList();
        try
        {
            var outputs = await Task.WhenAll(workers.Select(w => w.ReadToEndAsync(timeout.Token)));

            Assert.All(outputs, lines => Assert.Equal("done 10 0", lines[^1]));
            Assert.Equal(Processes, workers.Select(w => w.Id).Distinct().Count());
        }
        finally
        {
            foreach (var worker in workers)
            {
                worker.Dispose();
            }
        }

        // Each process's warm-up call (outside the limiter) is left out.
        var arrivals = server.ReceivedRequests.Where(r => !r.Body.Contains("warm up", StringComparison.Ordinal)).Select(r => r.ReceivedAt).Order().ToList();
        Assert.Equal(Processes * CallsEach, arrivals.Count);
        for (var i = 0; i < arrivals.Count; i++)
        {
            var inWindow = arrivals.Skip(i).TakeWhile(t => t - arrivals[i] < window).Count();
            Assert.True(inWindow <= Limit, $"{inWindow} requests reached the server within {window} from {arrivals[i]:O}");
        }

        // And the limit was the bottleneck: 40 requests at 5 per window cannot all arrive within 7 windows.
        Assert.True(arrivals[^1] - arrivals[0] >= window * 7, $"all arrived within {arrivals[^1] - arrivals[0]}");
    }
}
