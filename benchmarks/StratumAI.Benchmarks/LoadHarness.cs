using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.AI;
using StratumAI.Sqlite;

namespace StratumAI.Benchmarks;

/// <summary>
/// The load benchmark (issue 18): N concurrent callers for a fixed time against a loopback Kestrel server in a separate
/// process that replays a recorded OpenAI chat completion (and a 1,000-event stream built from recorded chunks). Reports
/// calls per second, p50/p99 latency and allocations per call of the whole client process, per variant and concurrency.
/// BenchmarkDotNet measures one call at a time; throughput and tail latency under concurrency need callers running
/// together, so this is a harness of its own:
/// <code>dotnet run -c Release --project benchmarks/StratumAI.Benchmarks -- load [--seconds 5] [--warmup 2] [--concurrency 1,16,128,1024] [--variants raw,bare,production,sqlite] [--repeat 1] [--streams 64] [--profile]</code>
/// (<c>--profile</c> adds the types each variant allocates, sampled: <see cref="AllocationProfile"/>).
/// </summary>
internal static class LoadHarness
{
    private const int StreamEvents = 1000;

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = Option(args, "--seconds", 5.0);
        var warmup = Option(args, "--warmup", 2.0);
        var concurrencies = Option(args, "--concurrency", "1,16,128,1024").Split(',').Select(int.Parse).ToArray();
        var variants = Option(args, "--variants", "raw,bare,production,sqlite").Split(',');
        var streams = (int)Option(args, "--streams", 64.0);
        var profile = Array.IndexOf(args, "--profile") >= 0;
        var repeat = Math.Max(1, (int)Option(args, "--repeat", 1.0));

        using var server = ServerProcess.Start();
        var baseUri = server.BaseUri;
        Console.WriteLine($"// server: separate process {server.ProcessId}, {baseUri}; client: {Environment.ProcessorCount} cores, {RuntimeDescription()}");
        Console.WriteLine($"// each cell: {warmup} s warm-up at the same concurrency, then {seconds} s measured; allocations are GC.GetTotalAllocatedBytes of this (client) process");

        // The server process starts cold: whichever variant ran first used to measure the server's JIT tiering too (the raw
        // baseline, first, looked slower than the bare client in every run). Warm it up once, untimed, before any cell.
        await using (var warm = await Target.CreateAsync("raw", baseUri))
        {
            await RunPhaseAsync(Math.Min(16, concurrencies.Max()), warm.CallAsync, TimeSpan.FromSeconds(5), Enumerable.Range(0, 16).Select(_ => new LatencyHistogram()).ToArray());
        }

        // With --repeat R the variants run R times in rotation, so slow drifts of a shared machine hit every variant alike;
        // the table gives medians, and each ratio is the median of the ratios within one round.
        var rows = new List<(int Round, Row Row)>();
        foreach (var concurrency in concurrencies)
        {
            for (var round = 0; round < repeat; round++)
            {
                foreach (var variant in variants)
                {
                    await using var target = await Target.CreateAsync(variant, baseUri);
                    using var sampler = profile ? new AllocationProfile() : null;
                    var row = await MeasureAsync(variant, concurrency, target.CallAsync, TimeSpan.FromSeconds(warmup), TimeSpan.FromSeconds(seconds), sampler);
                    rows.Add((round, row));
                    Console.WriteLine($"// {variant} x{concurrency}: {row.CallsPerSecond:N0} calls/s, p50 {row.P50Ms:N2} ms, p99 {row.P99Ms:N2} ms, {row.KbPerCall:N2} KB/call");
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine(repeat > 1 ? $"// medians of {repeat} rounds" : "// one round");
        Console.WriteLine("| concurrency | variant | calls/s | vs raw | p50 ms | p99 ms | p99 vs raw | KB/call | vs raw |");
        Console.WriteLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var concurrency in concurrencies)
        {
            foreach (var variant in variants.Distinct())
            {
                var own = rows.Where(r => r.Row.Concurrency == concurrency && r.Row.Variant == variant).ToArray();
                double? RoundRatio(Func<Row, double> metric)
                {
                    var ratios = own
                        .Select(r => (Mine: metric(r.Row), Raw: rows.FirstOrDefault(x => x.Round == r.Round && x.Row.Concurrency == concurrency && x.Row.Variant == "raw").Row))
                        .Where(p => p.Raw is not null)
                        .Select(p => p.Mine / metric(p.Raw!))
                        .ToArray();
                    return ratios.Length == 0 ? null : Median(ratios);
                }

                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"| {concurrency:N0} | {variant} | {Median(own.Select(r => r.Row.CallsPerSecond)):N0} | {Times(RoundRatio(r => r.CallsPerSecond))} | {Median(own.Select(r => r.Row.P50Ms)):N2} | {Median(own.Select(r => r.Row.P99Ms)):N2} | {Times(RoundRatio(r => r.P99Ms))} | {Median(own.Select(r => r.Row.KbPerCall)):N2} | {Times(RoundRatio(r => r.KbPerCall))} |"));
            }
        }

        if (streams > 0)
        {
            await RunStreamsAsync(baseUri, streams, TimeSpan.FromSeconds(warmup), TimeSpan.FromSeconds(seconds));
        }

        return 0;
    }

    private static async Task RunStreamsAsync(Uri baseUri, int concurrency, TimeSpan warmup, TimeSpan duration)
    {
        // One stream at a time shows what the middleware adds before the first token; N at once adds queueing for the CPU.
        Console.WriteLine();
        Console.WriteLine($"// streams: 1 and {concurrency} concurrent {StreamEvents}-event streams; latency columns are the time to the first text update");
        var rows = new List<Row>();
        foreach (var streams in concurrency == 1 ? new[] { 1 } : new[] { 1, concurrency })
        {
            foreach (var variant in new[] { "bare", "production" })
            {
                await using var target = await Target.CreateAsync(variant, new Uri(baseUri.AbsoluteUri.Replace("/v1", "/stream/v1", StringComparison.Ordinal)));
                var row = await MeasureAsync(variant, streams, target.StreamAsync, warmup, duration, null);
                rows.Add(row);
                Console.WriteLine($"// stream {variant} x{streams}: {row.CallsPerSecond:N1} streams/s, first token p50 {row.P50Ms:N2} ms, p99 {row.P99Ms:N2} ms, {row.KbPerCall:N1} KB/stream");
            }
        }

        Console.WriteLine();
        Console.WriteLine("| concurrency | variant | streams/s | first token p50 ms | first token p99 ms | p50 vs bare | KB/stream | vs bare |");
        Console.WriteLine("|---:|---|---:|---:|---:|---:|---:|---:|");
        foreach (var row in rows)
        {
            var bare = rows.First(r => r.Concurrency == row.Concurrency && r.Variant == "bare");
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {row.Concurrency} | {row.Variant} | {row.CallsPerSecond:N1} | {row.P50Ms:N2} | {row.P99Ms:N2} | {Ratio(row.P50Ms, bare.P50Ms)} | {row.KbPerCall:N1} | {Ratio(row.KbPerCall, bare.KbPerCall)} |"));
        }
    }

    /// <summary>
    /// Runs <paramref name="concurrency"/> callers for <paramref name="warmup"/>, then again for <paramref name="duration"/>
    /// measured. A call reports its own latency (the whole call, or the time to a stream's first text) through the
    /// <see cref="LatencyHistogram"/> it is given; each caller has its own, so recording takes no lock and allocates nothing.
    /// </summary>
    private static async Task<Row> MeasureAsync(string variant, int concurrency, Func<LatencyHistogram, Task> call, TimeSpan warmup, TimeSpan duration, AllocationProfile? sampler)
    {
        await RunPhaseAsync(concurrency, call, warmup, Enumerable.Range(0, concurrency).Select(_ => new LatencyHistogram()).ToArray());
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        var histograms = Enumerable.Range(0, concurrency).Select(_ => new LatencyHistogram()).ToArray();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        sampler?.Start();
        var elapsed = await RunPhaseAsync(concurrency, call, duration, histograms);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        var merged = LatencyHistogram.Merge(histograms);
        if (sampler is not null)
        {
            foreach (var (type, kb) in sampler.Stop(merged.Count).Take(40))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"//   {kb,7:0.000} KB/call  {type}"));
            }
        }

        return new Row(
            variant,
            concurrency,
            merged.Count / elapsed.TotalSeconds,
            merged.Percentile(0.50),
            merged.Percentile(0.99),
            allocated / 1024.0 / Math.Max(1, merged.Count));
    }

    private static async Task<TimeSpan> RunPhaseAsync(int concurrency, Func<LatencyHistogram, Task> call, TimeSpan duration, LatencyHistogram[] histograms)
    {
        var started = Stopwatch.GetTimestamp();
        var deadline = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var workers = new Task[concurrency];
        for (var i = 0; i < concurrency; i++)
        {
            var histogram = histograms[i];
            workers[i] = Task.Run(async () =>
            {
                while (Stopwatch.GetTimestamp() < deadline)
                {
                    await call(histogram).ConfigureAwait(false);
                }
            });
        }

        await Task.WhenAll(workers).ConfigureAwait(false);
        return Stopwatch.GetElapsedTime(started);
    }

    private static string Ratio(double value, double? baseline) =>
        baseline is > 0 ? (value / baseline.Value).ToString("0.00", CultureInfo.InvariantCulture) + "×" : "–";

    private static string RuntimeDescription() =>
        System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription + ", " + (System.Runtime.GCSettings.IsServerGC ? "server GC" : "workstation GC");

    private static T Option<T>(string[] args, string name, T fallback)
    {
        var index = Array.IndexOf(args, name);
        if (index < 0 || index + 1 >= args.Length)
        {
            return fallback;
        }

        return (T)Convert.ChangeType(args[index + 1], typeof(T), CultureInfo.InvariantCulture);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string Times(double? ratio) => ratio is { } r ? string.Create(CultureInfo.InvariantCulture, $"{r:0.00}×") : "–";

    private sealed record Row(string Variant, int Concurrency, double CallsPerSecond, double P50Ms, double P99Ms, double KbPerCall);

    /// <summary>One variant's client: <see cref="CallAsync"/> makes one checked call, <see cref="StreamAsync"/> reads one checked stream.</summary>
    private sealed class Target : IAsyncDisposable
    {
        private readonly HttpClient _http = new();
        private Uri _endpoint = null!;
        private StratumClient? _client;
        private SqliteCostLedger? _ledger;
        private string? _directory;
        private readonly ModelInfo _model = BenchCatalog.Gpt41Nano;
        private readonly ChatMessage[] _messages = [new ChatMessage(ChatRole.User, BenchCatalog.Prompt)];

        public static async Task<Target> CreateAsync(string variant, Uri baseUri)
        {
            // The raw client's endpoint is built once, as a careful hand-written client would.
            var target = new Target { _endpoint = new Uri(baseUri.AbsoluteUri + "/chat/completions") };
            Action<ChatClientBuilder>? pipeline = variant switch
            {
                "raw" or "bare" => null,
                "production" => b => b
                    .UseStratumTelemetry()
                    .UseStratumResilience()
                    .UseStratumBudget(Budgets())
                    .UseStratumCostTracking(new CostTracker(), o => o.Ledger = new InMemoryCostLedger()),
                "sqlite" => b => b
                    .UseStratumResilience()
                    .UseStratumBudget(Budgets())
                    .UseStratumCostTracking(new CostTracker(), o => o.Ledger = target.SqliteLedger(SqliteLedgerDurability.PowerLossSafe)),
                // The same with synchronous=NORMAL: a committed record survives a kill of the process, not a power loss.
                "sqlite-process" => b => b
                    .UseStratumResilience()
                    .UseStratumBudget(Budgets())
                    .UseStratumCostTracking(new CostTracker(), o => o.Ledger = target.SqliteLedger(SqliteLedgerDurability.ProcessCrashSafe)),
                // One middleware alone, for --profile.
                "telemetry" => b => b.UseStratumTelemetry(),
                "resilience" => b => b.UseStratumResilience(),
                "budget" => b => b.UseStratumBudget(Budgets()),
                "costtracking" => b => b.UseStratumCostTracking(new CostTracker(), o => o.Ledger = new InMemoryCostLedger()),
                _ => throw new ArgumentException($"Unknown variant '{variant}': raw, bare, production, sqlite, sqlite-process, or one middleware (telemetry, resilience, budget, costtracking)."),
            };

            if (variant != "raw")
            {
                target._client = BenchCatalog.Client(baseUri, target._http, pipeline);
            }

            // Once, checked: a broken variant fails here rather than reporting a fast wrong answer.
            var check = new LatencyHistogram();
            await (baseUri.AbsoluteUri.Contains("/stream/", StringComparison.Ordinal) ? target.StreamAsync(check) : target.CallAsync(check));
            return target;
        }

        public async Task CallAsync(LatencyHistogram latency)
        {
            var started = Stopwatch.GetTimestamp();
            long outputTokens;
            if (_client is null)
            {
                outputTokens = (await BenchCatalog.HandWrittenAsync(_http, _endpoint).ConfigureAwait(false)).OutputTokens;
            }
            else
            {
                var response = await _client.GetResponseAsync(_model, _messages).ConfigureAwait(false);
                outputTokens = response.Usage?.OutputTokenCount ?? 0;
                if (response.GetCost() is null)
                {
                    throw new InvalidOperationException("StratumClient attached no cost.");
                }
            }

            latency.Record(Stopwatch.GetTimestamp() - started);
            if (outputTokens <= 0)
            {
                throw new InvalidOperationException("The answer had no usage.");
            }
        }

        public async Task StreamAsync(LatencyHistogram latency)
        {
            var started = Stopwatch.GetTimestamp();
            var first = true;
            var characters = 0;
            UsageDetails? usage = null;
            await foreach (var update in _client!.GetStreamingResponseAsync(_model, _messages).ConfigureAwait(false))
            {
                var contents = update.Contents;
                for (var i = 0; i < contents.Count; i++)
                {
                    if (contents[i] is TextContent text)
                    {
                        if (first)
                        {
                            latency.Record(Stopwatch.GetTimestamp() - started);
                            first = false;
                        }

                        characters += text.Text.Length;
                    }
                    else if (contents[i] is UsageContent usageContent)
                    {
                        usage = usageContent.Details;
                    }
                }
            }

            if (characters == 0 || usage?.OutputTokenCount is not > 0)
            {
                throw new InvalidOperationException("The stream had no text or no usage.");
            }
        }

        public async ValueTask DisposeAsync()
        {
            _client?.Dispose();
            if (_ledger is not null)
            {
                await _ledger.DisposeAsync();
                Directory.Delete(_directory!, recursive: true);
            }

            _http.Dispose();
        }

        private SqliteCostLedger SqliteLedger(SqliteLedgerDurability durability)
        {
            _directory = Directory.CreateTempSubdirectory("stratum-load-").FullName;
            return _ledger = new SqliteCostLedger(new SqliteCostLedgerOptions { DatabasePath = Path.Combine(_directory, "costs.db"), Durability = durability });
        }

        private static BudgetManager Budgets() => new([BudgetPolicy.Daily(1_000_000_000m), BudgetPolicy.PerCall(2m)]);
    }

    /// <summary>
    /// Latencies in buckets of 1 µs up to 1 ms and of about 0.5% above, up to about a minute: fixed memory, no allocation
    /// while recording.
    /// </summary>
    internal sealed class LatencyHistogram
    {
        private const int Linear = 1024;
        private const int PerOctave = 128;
        private readonly long[] _counts = new long[Linear + (PerOctave * 16)];

        public long Count { get; private set; }

        public void Record(long stopwatchTicks)
        {
            var micros = stopwatchTicks * 1_000_000.0 / Stopwatch.Frequency;
            var index = micros < Linear ? (int)micros : Linear + (int)(Math.Log2(micros / Linear) * PerOctave);
            _counts[Math.Min(index, _counts.Length - 1)]++;
            Count++;
        }

        public static LatencyHistogram Merge(IEnumerable<LatencyHistogram> histograms)
        {
            var merged = new LatencyHistogram();
            foreach (var histogram in histograms)
            {
                for (var i = 0; i < merged._counts.Length; i++)
                {
                    merged._counts[i] += histogram._counts[i];
                }

                merged.Count += histogram.Count;
            }

            return merged;
        }

        /// <summary>The latency in milliseconds below which <paramref name="fraction"/> of the calls finished (the bucket's upper edge).</summary>
        public double Percentile(double fraction)
        {
            var rank = (long)Math.Ceiling(fraction * Count);
            long seen = 0;
            for (var i = 0; i < _counts.Length; i++)
            {
                seen += _counts[i];
                if (seen >= rank && seen > 0)
                {
                    var upperMicros = i < Linear ? i + 1 : Linear * Math.Pow(2, (i - Linear + 1) / (double)PerOctave);
                    return upperMicros / 1000.0;
                }
            }

            return double.NaN;
        }
    }

    /// <summary>This program started again as <c>serve</c>: the loopback server in a process of its own, stopped with it.</summary>
    private sealed class ServerProcess : IDisposable
    {
        private readonly Process _process;

        private ServerProcess(Process process, Uri baseUri)
        {
            _process = process;
            BaseUri = baseUri;
        }

        public Uri BaseUri { get; }

        public int ProcessId => _process.Id;

        public static ServerProcess Start()
        {
            var start = new ProcessStartInfo(Environment.ProcessPath!)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            var entry = typeof(LoadHarness).Assembly.Location;
            if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
            {
                start.ArgumentList.Add(entry);
            }

            start.ArgumentList.Add("serve");

            // When the harness runs under dotnet-trace, the server must not wait for the tracer too.
            start.Environment.Remove("DOTNET_DiagnosticPorts");
            var process = Process.Start(start) ?? throw new InvalidOperationException("The server process did not start.");
            var line = process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("The server process ended before it listened.");
            const string Prefix = "LISTENING ";
            if (!line.StartsWith(Prefix, StringComparison.Ordinal))
            {
                process.Kill();
                throw new InvalidOperationException($"The server process said '{line}'.");
            }

            return new ServerProcess(process, new Uri(line[Prefix.Length..]));
        }

        public void Dispose()
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(10_000))
            {
                _process.Kill();
            }

            _process.Dispose();
        }
    }

    /// <summary>
    /// The server side: <c>POST /v1/chat/completions</c> answers with the recorded completion, <c>POST
    /// /stream/v1/chat/completions</c> with the 1,000-event recorded stream. Prints <c>LISTENING {base}</c>, and stops when
    /// its standard input closes (the harness ended, however it ended).
    /// </summary>
    public static async Task<int> ServeAsync()
    {
        var body = await File.ReadAllBytesAsync(Path.Combine(BenchmarkPaths.Shared, "fixtures", "openai", "chat__vercel-ai-openai__openai-text.json"));
        var stream = (await RecordedStream.BuildAsync(StreamEvents)).Bytes;
        await using var server = await LoopbackServer.StartAsync(
            ("/v1/chat/completions", body, "application/json"),
            ("/stream/v1/chat/completions", stream, "text/event-stream"));
        Console.WriteLine("LISTENING " + server.BaseUri.AbsoluteUri.TrimEnd('/'));
        await Console.In.ReadToEndAsync();
        return 0;
    }
}
