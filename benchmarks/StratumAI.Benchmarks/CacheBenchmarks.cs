using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StratumAI.Tests.Caching;

namespace StratumAI.Benchmarks;

/// <summary>Shared setup of the response-cache suites: the loopback server with the recorded OpenAI answer and a StratumClient on it.</summary>
internal sealed class CacheBench : IAsyncDisposable
{
    public const string ModelId = BenchCatalog.ModelId;

    private CacheBench(LoopbackServer server, HttpClient http, StratumClient stratum, ModelInfo model)
    {
        Server = server;
        Http = http;
        Stratum = stratum;
        Model = model;
    }

    public LoopbackServer Server { get; }

    public HttpClient Http { get; }

    public StratumClient Stratum { get; }

    public ModelInfo Model { get; }

    public static async Task<CacheBench> StartAsync()
    {
        var body = await File.ReadAllBytesAsync(Path.Combine(BenchmarkPaths.Shared, "fixtures", "openai", "chat__vercel-ai-openai__openai-text.json"));
        var server = await LoopbackServer.StartAsync(body, "application/json");
        var http = new HttpClient();
        return new CacheBench(server, http, BenchCatalog.Client(server.BaseUri, http), BenchCatalog.Gpt41Nano);
    }

    public static ChatOptions Cached() => new()
    {
        ModelId = ModelId,
        AdditionalProperties = new() { [StratumOptionKeys.CacheTtl] = TimeSpan.FromHours(1) },
    };

    public static HybridCache NewHybridCache() =>
        new ServiceCollection().AddHybridCache().Services.BuildServiceProvider().GetRequiredService<HybridCache>();

    public static IDistributedCache NewDistributedCache() => new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions()));

    public async ValueTask DisposeAsync()
    {
        Stratum.Dispose();
        Http.Dispose();
        await Server.DisposeAsync();
    }
}

/// <summary>
/// A response-cache hit against the same call answered by the loopback server: the cost of <c>UseStratumCache</c> on a hit
/// (key hashing, store read, deserialisation, re-attaching cost and model) next to one HTTP round trip on 127.0.0.1.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 5, iterationCount: 30, id: "Bench")]
[MedianColumn]
public class CacheHitBenchmarks
{
    private static readonly ChatMessage[] Messages = [new(ChatRole.User, "Invent a new holiday and describe its traditions.")];

    private CacheBench _bench = null!;
    private IChatClient _hybrid = null!;
    private IChatClient _distributed = null!;
    private ChatOptions _options = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        _bench = await CacheBench.StartAsync();
        _options = CacheBench.Cached();
        _hybrid = _bench.Stratum.AsChatClient().AsBuilder().UseStratumCache(CacheBench.NewHybridCache()).Build();
        _distributed = _bench.Stratum.AsChatClient().AsBuilder().UseStratumCache(CacheBench.NewDistributedCache()).Build();

        // Fill both caches, then check a hit answers exactly what the provider did: a wrong fast answer must fail here.
        var live = await LoopbackCall();
        foreach (var (client, name) in new[] { (_hybrid, "HybridCache"), (_distributed, "IDistributedCache") })
        {
            var miss = await client.GetResponseAsync(Messages, _options);
            var hit = await client.GetResponseAsync(Messages, _options);
            Check.Equal(false, miss.IsCacheHit(), name + ": first call is a miss");
            Check.Equal(true, hit.IsCacheHit(), name + ": second call is a hit");
            Check.Equal(live.Text, hit.Text, name + ": hit text");
            Check.Equal(live.InputTokens, hit.Usage!.InputTokenCount!.Value, name + ": hit input tokens");
            Check.Equal(miss.GetCost(), hit.GetCost(), name + ": hit carries the original cost");
        }
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _hybrid.Dispose();
        _distributed.Dispose();
        await _bench.DisposeAsync();
    }

    /// <summary>The call answered over HTTP by the loopback server (StratumClient, cost included).</summary>
    [Benchmark(Baseline = true)]
    public async Task<CallResult> LoopbackCall()
    {
        var response = await _bench.Stratum.GetResponseAsync(_bench.Model, Messages);
        return new CallResult(response.Text, response.Usage!.InputTokenCount!.Value, response.Usage.OutputTokenCount!.Value);
    }

    /// <summary>The same call answered by <c>UseStratumCache</c> on a <see cref="HybridCache"/> (local tier).</summary>
    [Benchmark]
    public async Task<CallResult> CacheHit_HybridCache()
    {
        var response = await _hybrid.GetResponseAsync(Messages, _options);
        return new CallResult(response.Text, response.Usage!.InputTokenCount!.Value, response.Usage.OutputTokenCount!.Value);
    }

    /// <summary><i>Diagnostic:</i> the cache key alone (canonical JSON of the request and its SHA-256), part of every hit.</summary>
    [Benchmark]
    public string Diagnostic_KeyOnly() => ResponseCacheKey.Compute("openai/gpt-4.1-nano", Messages, _options, streaming: false);

    /// <summary>The same call answered by <c>UseStratumCache</c> on a <see cref="MemoryDistributedCache"/>.</summary>
    [Benchmark]
    public async Task<CallResult> CacheHit_DistributedCache()
    {
        var response = await _distributed.GetResponseAsync(Messages, _options);
        return new CallResult(response.Text, response.Usage!.InputTokenCount!.Value, response.Usage.OutputTokenCount!.Value);
    }
}

/// <summary>
/// What the response cache adds to a call it cannot answer: every invocation sends a new prompt, so each is a miss that
/// computes the store key, reads the store, calls the inner client, serialises the answer, writes the store and keeps a local
/// copy. The inner client answers in-process with the recorded OpenAI response (fetched once over the loopback server in
/// setup), so the difference between the rows is the cache's own work, without the loopback call's noise.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 5, iterationCount: 20, id: "Bench")]
[MedianColumn]
public class CacheMissBenchmarks
{
    private CacheBench _bench = null!;
    private RecordedAnswerChatClient _inner = null!;
    private IChatClient _distributed = null!;
    private IChatClient _hybrid = null!;
    private ChatOptions _options = null!;
    private long _prompt;

    [GlobalSetup]
    public async Task Setup()
    {
        _bench = await CacheBench.StartAsync();
        _options = CacheBench.Cached();
        var recorded = await _bench.Stratum.GetResponseAsync(_bench.Model, "Invent a new holiday and describe its traditions.");
        _inner = new RecordedAnswerChatClient(recorded);
        _distributed = _inner.AsBuilder().UseStratumCache(CacheBench.NewDistributedCache()).Build();
        _hybrid = _inner.AsBuilder().UseStratumCache(CacheBench.NewHybridCache()).Build();

        var first = await _distributed.GetResponseAsync(NextPrompt(), _options);
        Check.Equal(false, first.IsCacheHit(), "a new prompt is a miss");
        Check.Equal(recorded.Text, first.Text, "a miss returns the inner answer");
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _distributed.Dispose();
        _hybrid.Dispose();
        await _bench.DisposeAsync();
    }

    /// <summary>The inner client alone: the recorded answer, in-process.</summary>
    [Benchmark(Baseline = true)]
    public async Task<string> InnerOnly() => (await _inner.GetResponseAsync(NextPrompt(), _options)).Text;

    /// <summary>A miss through <c>UseStratumCache</c> on a <see cref="MemoryDistributedCache"/>.</summary>
    [Benchmark]
    public async Task<string> Miss_DistributedCache() => (await _distributed.GetResponseAsync(NextPrompt(), _options)).Text;

    /// <summary>A miss through <c>UseStratumCache</c> on a <see cref="HybridCache"/>.</summary>
    [Benchmark]
    public async Task<string> Miss_HybridCache() => (await _hybrid.GetResponseAsync(NextPrompt(), _options)).Text;

    private string NextPrompt() => "Question " + Interlocked.Increment(ref _prompt).ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Answers every call with one recorded response, in-process.</summary>
internal sealed class RecordedAnswerChatClient(ChatResponse recorded) : IChatClient
{
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(recorded);

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The miss benchmark makes non-streaming calls only.");

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}

/// <summary>
/// 1,000 prompts of which 300 repeat an earlier one (<see cref="RepeatedPromptWorkload"/>, seed 2026), sent one after another
/// through the loopback server, without and with a fresh response cache (on a MemoryDistributedCache) per run. Setup checks the
/// provider call counts: 1,000 without, 700 with.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10, id: "Bench")]
[MedianColumn]
public class CacheWorkloadBenchmarks
{
    private readonly List<string> _prompts = RepeatedPromptWorkload.Create(1_000, 300, seed: 2026);
    private CacheBench _bench = null!;
    private CountingChatClient _uncached = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        _bench = await CacheBench.StartAsync();
        _uncached = new CountingChatClient(_bench.Stratum.AsChatClient());
        Check.Equal(1_000, await NoCache(), "provider calls without a cache");
        Check.Equal(700, await WithCache(), "provider calls with the cache (300 of 1,000 prompts repeat)");
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _uncached.Dispose();
        await _bench.DisposeAsync();
    }

    /// <summary>Every prompt goes to the provider; returns the number of provider calls of this run.</summary>
    [Benchmark(Baseline = true)]
    public async Task<int> NoCache()
    {
        var before = _uncached.Calls;
        var options = CacheBench.Cached();
        foreach (var prompt in _prompts)
        {
            await _uncached.GetResponseAsync(prompt, options);
        }

        return _uncached.Calls - before;
    }

    /// <summary>The same prompts through a new, empty cache (built in the run: a few microseconds); returns the provider calls of this run.</summary>
    [Benchmark]
    public async Task<int> WithCache()
    {
        CountingChatClient? counter = null;
        using var cached = _bench.Stratum.AsChatClient().AsBuilder()
            .UseStratumCache(CacheBench.NewDistributedCache())
            .Use(inner => counter = new CountingChatClient(inner))
            .Build();
        var options = CacheBench.Cached();
        foreach (var prompt in _prompts)
        {
            await cached.GetResponseAsync(prompt, options);
        }

        return counter!.Calls;
    }
}

/// <summary>Counts the calls that reach the provider.</summary>
internal sealed class CountingChatClient(IChatClient inner) : DelegatingChatClient(inner)
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        return base.GetResponseAsync(messages, options, cancellationToken);
    }
}
