using System.Diagnostics;
using System.Globalization;
using StackExchange.Redis;
using StratumAI.Redis;

namespace StratumAI.Benchmarks;

/// <summary>
/// <c>budgets [--callers 1000] [--seconds 10]</c>: reservations per second when that many callers reserve and settle at once,
/// in memory and through Redis on loopback (one connection, as one process of a fleet has). Each caller loops: reserve,
/// settle, again. Prints one line per store.
/// </summary>
internal static class SharedBudgetHarness
{
    public static async Task<int> RunAsync(string[] args)
    {
        var callers = Option(args, "--callers", 1_000);
        var seconds = Option(args, "--seconds", 10);
        BudgetPolicy[] policies = [BudgetPolicy.Daily(1_000_000_000m)];
        await using var redis = await ConnectionMultiplexer.ConnectAsync(Environment.GetEnvironmentVariable("STRATUM_TEST_REDIS") is { Length: > 0 } c ? c : "127.0.0.1:6391");
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        Console.WriteLine($"callers {callers}, {seconds} s each; Redis {server.Version} at {redis.GetEndPoints()[0]}; {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        await using var store = new RedisBudgetStore(redis, new RedisBudgetOptions { KeyPrefix = "bench:" + Guid.NewGuid().ToString("N") });
        foreach (var (name, manager) in new[] { ("in-memory", new BudgetManager(policies)), ("redis", new BudgetManager(policies, store)) })
        {
            await RunOnceAsync(manager, callers, TimeSpan.FromSeconds(1));   // warm-up
            var (count, elapsed, p50, p99) = await RunOnceAsync(manager, callers, TimeSpan.FromSeconds(seconds));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-10} {count / elapsed.TotalSeconds,12:N0} reservations/s   (reserve+settle latency p50 {p50:N0} µs, p99 {p99:N0} µs)"));
        }

        return 0;
    }

    private static async Task<(long Count, TimeSpan Elapsed, double P50, double P99)> RunOnceAsync(BudgetManager manager, int callers, TimeSpan duration)
    {
        var stop = Stopwatch.StartNew();
        var latencies = new List<double>[callers];
        var tasks = Enumerable.Range(0, callers).Select(i => Task.Run(async () =>
        {
            var own = latencies[i] = [];
            while (stop.Elapsed < duration)
            {
                var started = Stopwatch.GetTimestamp();
                var reservation = await manager.ReserveAsync(0.01m, null, null);
                await reservation.SettleAsync(0.001m);
                own.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
            }
        })).ToArray();
        await Task.WhenAll(tasks);
        var elapsed = stop.Elapsed;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return (all.Length, elapsed, all[all.Length / 2], all[(int)(all.Length * 0.99)]);
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
