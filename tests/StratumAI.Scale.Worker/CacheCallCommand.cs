using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;

namespace StratumAI.Scale.Worker;

/// <summary>
/// <c>cache-call &lt;configuration&gt; &lt;instance-name&gt; &lt;base-url&gt; &lt;stream|call&gt;</c>: one chat call to an OpenAI-compatible
/// server through <c>UseStratumCostTracking</c> and <c>UseStratumCache</c> over a <see cref="HybridCache"/> whose second level
/// is Redis (<c>AddStackExchangeRedisCache</c>, the instance name as key prefix), as docs/scale.md registers it; prints
/// <c>hit &lt;true|false&gt; saved &lt;usd&gt; text &lt;answer&gt;</c>. A process that starts after another made the same call
/// finds it in Redis.
/// </summary>
internal sealed class CacheCallCommand : IWorkerCommand
{
    public string Name => "cache-call";

    public string Usage => "<configuration> <instance-name> <base-url> <stream|call>";

    public async Task<int> RunAsync(string[] args, WorkerOutput output)
    {
        if (args.Length != 4 || args[3] is not ("stream" or "call"))
        {
            Console.Error.WriteLine("usage: cache-call " + Usage);
            return 2;
        }

        var services = new ServiceCollection();
        services.AddStackExchangeRedisCache(o =>
        {
            o.Configuration = args[0];
            o.InstanceName = args[1];
        });
        services.AddHybridCache();
        await using var provider = services.BuildServiceProvider();
        var cache = provider.GetRequiredService<HybridCache>();
        var tracker = new CostTracker();

        var catalogProvider = new ProviderInfo("openai", "OpenAI", "openai", args[2], "STRATUM_WORKER_UNSET_KEY");
        var options = new StratumClientOptions { Models = new ModelRegistry() };
        options.Models.Register([new ModelInfo("gpt-4o-mini", "Gpt4oMini", catalogProvider, null, 128_000, 16_384, new ModelPricing(0.15m, 0.6m), ModelCapabilities.Streaming)]);
        options.Provider("openai").ApiKey = "sk-scale-worker-shared-key";
        options.Provider("openai").BaseUrl = new Uri(args[2]);
        options.Pipeline = pipeline => pipeline.UseStratumCostTracking(tracker).UseStratumCache(cache, o => o.CacheEveryCall = true);
        using var stratum = new StratumClient(options);

        ChatMessage[] messages = [new(ChatRole.User, "Say hello")];
        string text;
        if (args[3] == "stream")
        {
            var updates = new List<ChatResponseUpdate>();
            await foreach (var update in stratum.GetStreamingResponseAsync("gpt-4o-mini", messages))
            {
                updates.Add(update);
            }

            text = updates.ToChatResponse().Text;
        }
        else
        {
            text = (await stratum.GetResponseAsync("gpt-4o-mini", messages)).Text;
        }

        var record = tracker.History[^1];
        output.Line(FormattableString.Invariant($"hit {(record.IsCacheHit ? "true" : "false")} saved {record.Saved} text {text.ReplaceLineEndings(" ")}"));
        return 0;
    }
}
