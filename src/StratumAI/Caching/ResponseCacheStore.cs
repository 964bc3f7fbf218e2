using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;

namespace StratumAI;

/// <summary>Where <see cref="ResponseCacheChatClient"/> keeps serialised entries: bytes by key, with a time to live.</summary>
internal abstract class ResponseCacheStore
{
    public abstract ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken);

    public abstract ValueTask SetAsync(string key, byte[] value, TimeSpan ttl, CancellationToken cancellationToken);

    public abstract ValueTask RemoveAsync(string key, CancellationToken cancellationToken);
}

/// <summary>On <see cref="HybridCache"/>: bytes pass through its built-in byte-array serializer (no reflection).</summary>
internal sealed class HybridResponseCacheStore(HybridCache cache) : ResponseCacheStore
{
    // Read only: no factory call, nothing written back when the key is missing.
    private static readonly HybridCacheEntryOptions ReadOnly = new()
    {
        Flags = HybridCacheEntryFlags.DisableUnderlyingData | HybridCacheEntryFlags.DisableLocalCacheWrite | HybridCacheEntryFlags.DisableDistributedCacheWrite,
    };

    public HybridCache Cache => cache;

    public override ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken) =>
        cache.GetOrCreateAsync<byte[]?>(key, static _ => ValueTask.FromResult<byte[]?>(null), ReadOnly, tags: null, cancellationToken);

    public override ValueTask SetAsync(string key, byte[] value, TimeSpan ttl, CancellationToken cancellationToken) =>
        cache.SetAsync(key, value, new HybridCacheEntryOptions { Expiration = ttl, LocalCacheExpiration = ttl }, tags: null, cancellationToken);

    public override ValueTask RemoveAsync(string key, CancellationToken cancellationToken) => cache.RemoveAsync(key, cancellationToken);
}

/// <summary>On a plain <see cref="IDistributedCache"/> (Redis, SQL Server, memory, ...).</summary>
internal sealed class DistributedResponseCacheStore(IDistributedCache cache) : ResponseCacheStore
{
    public IDistributedCache Cache => cache;

    public override async ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken) =>
        await cache.GetAsync(key, cancellationToken).ConfigureAwait(false);

    public override async ValueTask SetAsync(string key, byte[] value, TimeSpan ttl, CancellationToken cancellationToken) =>
        await cache.SetAsync(key, value, new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = ttl }, cancellationToken).ConfigureAwait(false);

    public override async ValueTask RemoveAsync(string key, CancellationToken cancellationToken) =>
        await cache.RemoveAsync(key, cancellationToken).ConfigureAwait(false);
}
