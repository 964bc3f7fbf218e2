using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace StratumAI.Tests.Caching;

/// <summary>The two stores a <see cref="ResponseCacheChatClient"/> runs on.</summary>
public enum Store
{
    Hybrid,
    Distributed,
}

/// <summary>Builds caches and cached pipelines for the caching tests.</summary>
internal static class CacheTestKit
{
    public static readonly DateTimeOffset Start = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    public static ChatOptions Cached(string? model = null, TimeSpan? ttl = null) => new()
    {
        ModelId = model,
        AdditionalProperties = new() { [StratumOptionKeys.CacheTtl] = ttl ?? TimeSpan.FromMinutes(10) },
    };

    public static HybridCache NewHybridCache() =>
        new ServiceCollection().AddHybridCache().Services.BuildServiceProvider().GetRequiredService<HybridCache>();

    public static IDistributedCache NewDistributedCache() => new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions()));

    /// <summary>A cache client over a new, empty store of the given kind.</summary>
    public static ResponseCacheChatClient NewCacheClient(IChatClient inner, Store store, ResponseCacheOptions? options = null) => store switch
    {
        Store.Hybrid => new ResponseCacheChatClient(inner, NewHybridCache(), options),
        _ => new ResponseCacheChatClient(inner, NewDistributedCache(), options),
    };

    public static async Task<List<ChatResponseUpdate>> ReadAll(IAsyncEnumerable<ChatResponseUpdate> stream)
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in stream)
        {
            updates.Add(update);
        }

        return updates;
    }
}

/// <summary>An inner client that answers from a function, counts calls and can hold them at a gate.</summary>
internal sealed class ScriptedChatClient(Func<IEnumerable<ChatMessage>, ChatOptions?, ChatResponse> answer) : IChatClient
{
    private int _calls;
    private int _streams;

    public ScriptedChatClient()
        : this((messages, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, "echo: " + messages.Last().Text))
        {
            FinishReason = ChatFinishReason.Stop,
            Usage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 5 },
        })
    {
    }

    public int Calls => Volatile.Read(ref _calls);

    public int Streams => Volatile.Read(ref _streams);

    public ModelInfo? Model { get; init; }

    /// <summary>When set, every call waits for it before answering.</summary>
    public Task? Gate { get; init; }

    /// <summary>When set, a stream throws it after its updates.</summary>
    public Exception? StreamError { get; init; }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        if (Gate is not null)
        {
            await Gate.WaitAsync(cancellationToken);
        }

        await Task.Yield();
        return answer(messages, options);
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _streams);
        foreach (var update in answer(messages, options).ToChatResponseUpdates())
        {
            await Task.Yield();
            yield return update;
        }

        if (StreamError is not null)
        {
            throw StreamError;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(ModelInfo) ? Model : serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}

/// <summary>An <see cref="IDistributedCache"/> that counts reads, to see which hits reached the store.</summary>
internal sealed class CountingDistributedCache(IDistributedCache inner) : IDistributedCache
{
    private int _reads;

    public int Reads => Volatile.Read(ref _reads);

    public byte[]? Get(string key)
    {
        Interlocked.Increment(ref _reads);
        return inner.Get(key);
    }

    public Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        Interlocked.Increment(ref _reads);
        return inner.GetAsync(key, token);
    }

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => inner.Set(key, value, options);

    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) => inner.SetAsync(key, value, options, token);

    public void Refresh(string key) => inner.Refresh(key);

    public Task RefreshAsync(string key, CancellationToken token = default) => inner.RefreshAsync(key, token);

    public void Remove(string key) => inner.Remove(key);

    public Task RemoveAsync(string key, CancellationToken token = default) => inner.RemoveAsync(key, token);
}
