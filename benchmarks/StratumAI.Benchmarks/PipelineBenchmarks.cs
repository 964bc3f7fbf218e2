using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using StratumAI.Sqlite;

namespace StratumAI.Benchmarks;

/// <summary>
/// One non-streaming call through the README's production pipeline, and through each of its middleware alone, against the
/// loopback endpoint of <see cref="HttpCallBenchmarks"/> (the same recorded OpenAI response). One caller: the rows say
/// what each layer costs one call in time and bytes; the load harness (benchmarks/StratumAI.Load) says what they cost
/// under concurrency. The cache and the fallbacks are left out, as in issue 18's measurement: on these calls (no cache
/// opt-in, no failure) they pass the call through.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 5, iterationCount: 15, id: "Bench")]
[MedianColumn]
public class PipelineBenchmarks
{
    private LoopbackServer _server = null!;
    private readonly List<IDisposable> _owned = [];
    private string _directory = null!;
    private readonly ModelInfo _model = BenchCatalog.Gpt41Nano;
    private ChatMessage[] _messages = null!;
    private StratumClient _bare = null!;
    private StratumClient _telemetry = null!;
    private StratumClient _resilience = null!;
    private StratumClient _budget = null!;
    private StratumClient _costTracking = null!;
    private StratumClient _production = null!;
    private StratumClient _durable = null!;
    private SqliteCostLedger _sqlite = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        var body = await File.ReadAllBytesAsync(Path.Combine(BenchmarkPaths.Shared, "fixtures", "openai", "chat__vercel-ai-openai__openai-text.json"));
        _server = await LoopbackServer.StartAsync(body, "application/json");
        _directory = Directory.CreateTempSubdirectory("stratum-pipeline-bench-").FullName;
        _sqlite = new SqliteCostLedger(Path.Combine(_directory, "costs.db"));
        _messages = [new ChatMessage(ChatRole.User, BenchCatalog.Prompt)];

        _bare = Client(null);
        _telemetry = Client(b => b.UseStratumTelemetry());
        _resilience = Client(b => b.UseStratumResilience());
        _budget = Client(b => b.UseStratumBudget(Budgets()));
        _costTracking = Client(b => b.UseStratumCostTracking(new CostTracker(), o => o.Ledger = new InMemoryCostLedger()));
        _production = Client(b => b
            .UseStratumTelemetry()
            .UseStratumResilience()
            .UseStratumBudget(Budgets())
            .UseStratumCostTracking(new CostTracker(), o => o.Ledger = new InMemoryCostLedger()));
        _durable = Client(b => b
            .UseStratumResilience()
            .UseStratumBudget(Budgets())
            .UseStratumCostTracking(new CostTracker(), o => o.Ledger = _sqlite));

        // Each row once: a broken pipeline must fail here, loudly, not report a fast wrong answer.
        foreach (var client in new[] { _bare, _telemetry, _resilience, _budget, _costTracking, _production, _durable })
        {
            var response = await client.GetResponseAsync(_model, _messages);
            if (response.GetCost() is null || string.IsNullOrEmpty(response.Text))
            {
                throw new InvalidOperationException("A pipeline row answered without text or cost.");
            }
        }
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }

        await _sqlite.DisposeAsync();
        await _server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public Task<ChatResponse> Bare() => _bare.GetResponseAsync(_model, _messages);

    [Benchmark]
    public Task<ChatResponse> Telemetry() => _telemetry.GetResponseAsync(_model, _messages);

    [Benchmark]
    public Task<ChatResponse> Resilience() => _resilience.GetResponseAsync(_model, _messages);

    [Benchmark]
    public Task<ChatResponse> Budget() => _budget.GetResponseAsync(_model, _messages);

    [Benchmark]
    public Task<ChatResponse> CostTracking_InMemoryLedger() => _costTracking.GetResponseAsync(_model, _messages);

    /// <summary>Telemetry + resilience + budget + cost tracking with the in-memory ledger.</summary>
    [Benchmark]
    public Task<ChatResponse> Production() => _production.GetResponseAsync(_model, _messages);

    /// <summary>Resilience + budget + cost tracking with the SQLite ledger (durable: a flush per group commit).</summary>
    [Benchmark]
    public Task<ChatResponse> Production_SqliteLedger() => _durable.GetResponseAsync(_model, _messages);

    private static BudgetManager Budgets() => new([BudgetPolicy.Daily(1_000_000m), BudgetPolicy.PerCall(2m)]);

    private StratumClient Client(Action<ChatClientBuilder>? pipeline)
    {
        var http = new HttpClient();
        var client = BenchCatalog.Client(_server.BaseUri, http, pipeline);
        _owned.Add(client);
        _owned.Add(http);
        return client;
    }
}
