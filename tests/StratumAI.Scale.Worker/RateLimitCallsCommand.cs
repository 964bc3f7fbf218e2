using System.Globalization;
using Microsoft.Extensions.AI;
using StackExchange.Redis;
using StratumAI.Redis;

namespace StratumAI.Scale.Worker;

/// <summary>
/// <c>rate-limit-calls &lt;configuration&gt; &lt;key-prefix&gt; &lt;base-url&gt; &lt;calls&gt; &lt;requests&gt; &lt;window-ms&gt; &lt;start-at-unix-ms&gt;</c>: warms up (one call without the
/// limiter, prompt "warm up", and one script run), waits until the start time, then sends that many
/// concurrent chat calls to an OpenAI-compatible server through <c>UseStratumRateLimits</c> over a <see cref="RedisRateLimitStore"/>
/// with a limit of <c>requests</c> per window for the provider, printing <c>ok</c> or <c>failed &lt;type&gt;</c> per call, then
/// <c>done &lt;ok&gt; &lt;failed&gt;</c>. Every worker given the same prefix shares the limit.
/// </summary>
internal sealed class RateLimitCallsCommand : IWorkerCommand
{
    public string Name => "rate-limit-calls";

    public string Usage => "<configuration> <key-prefix> <base-url> <calls> <requests> <window-ms> <start-at-unix-ms>";

    public async Task<int> RunAsync(string[] args, WorkerOutput output)
    {
        if (args.Length != 7)
        {
            Console.Error.WriteLine("usage: rate-limit-calls " + Usage);
            return 2;
        }

        var redisOptions = ConfigurationOptions.Parse(args[0]);
        redisOptions.AbortOnConnectFail = false;
        await using var redis = await ConnectionMultiplexer.ConnectAsync(redisOptions);
        using var store = new RedisRateLimitStore(redis, new RedisRateLimitOptions { KeyPrefix = args[1] });
        var calls = int.Parse(args[3], CultureInfo.InvariantCulture);
        var limit = new RateLimit(int.Parse(args[4], CultureInfo.InvariantCulture), null, TimeSpan.FromMilliseconds(int.Parse(args[5], CultureInfo.InvariantCulture)));

        var provider = new ProviderInfo("openai", "OpenAI", "openai", args[2], "STRATUM_WORKER_UNSET_KEY");
        var options = new StratumClientOptions { Models = new ModelRegistry() };
        options.Models.Register([new ModelInfo("gpt-4.1-nano", "Gpt41Nano", provider, null, 1_047_576, 32_768, new ModelPricing(0.1m, 0.4m), ModelCapabilities.None)]);
        options.Provider("openai").ApiKey = "sk-scale-worker-shared-key";
        options.Provider("openai").BaseUrl = new Uri(args[2]);
        options.Pipeline = pipeline => pipeline.UseStratumRateLimits(store, o =>
        {
            o.Limit("openai", limit);
            o.MaxWait = TimeSpan.FromMinutes(2);
        });
        using var stratum = new StratumClient(options);

        // A process's first request pays for JIT and a new connection (hundreds of ms) and would reach the server late: warm up
        // outside the limiter, then start with the others.
        var pipeline = options.Pipeline;
        options.Pipeline = null;
        using (var warm = new StratumClient(options))
        {
            await warm.GetResponseAsync("gpt-4.1-nano", [new ChatMessage(ChatRole.User, "warm up")]);
        }

        options.Pipeline = pipeline;
        await store.AcquireAsync(new RateLimitRequest("warm-up", [], 0), TimeSpan.Zero, default);
        var startAt = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(args[6], CultureInfo.InvariantCulture));
        if (startAt > DateTimeOffset.UtcNow)
        {
            await Task.Delay(startAt - DateTimeOffset.UtcNow);
        }

        output.Line("started");

        var results = await Task.WhenAll(Enumerable.Range(0, calls).Select(async i =>
        {
            try
            {
                await stratum.GetResponseAsync("gpt-4.1-nano", [new ChatMessage(ChatRole.User, "Invent a holiday")]);
                output.Line("ok");
                return true;
            }
            catch (Exception ex)
            {
                output.Line("failed " + ex.GetType().Name);
                return false;
            }
        }));

        output.Line(string.Create(CultureInfo.InvariantCulture, $"done {results.Count(r => r)} {results.Count(r => !r)}"));
        return 0;
    }
}
