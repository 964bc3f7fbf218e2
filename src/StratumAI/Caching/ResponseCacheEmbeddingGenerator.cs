using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Logging;

namespace StratumAI;

/// <summary>
/// Middleware that serves the vector of an input it has embedded before from a cache, input by input: on
/// <see cref="HybridCache"/> or a plain <see cref="IDistributedCache"/>, keyed by the model, the options that change the vector
/// (<see cref="EmbeddingGenerationOptions.Dimensions"/>, provider settings in <see cref="EmbeddingGenerationOptions.AdditionalProperties"/>)
/// and the input text. The embedding counterpart of <see cref="ResponseCacheChatClient"/>.
/// </summary>
/// <remarks>
/// <para><b>Per input.</b> Each input is its own entry: a call whose inputs are all cached never reaches the generator below
/// (<see cref="StratumUsageKeys.CacheHit"/> = <see langword="true"/>); a call with some cached inputs sends only the others, once
/// each even when repeated, and returns every vector in input order.</para>
/// <para><b>What a hit saved.</b> An entry keeps its share of the tokens and cost of the request that produced it. A provider
/// reports one token count for a request of many inputs, so the shares are apportioned by the inputs' sizes (UTF-8 bytes) and
/// add up to exactly what the request billed: re-embedding the same inputs saves exactly what they cost. An input embedded
/// alone has its exact count. A full hit carries the summed usage and cost (<see cref="StratumUsageKeys.Cost"/>), so
/// <see cref="CostTrackingEmbeddingGenerator"/> outside this generator records $0 and that cost as saved; a partial hit carries
/// the billed part's usage and cost and, under <see cref="StratumUsageKeys.CacheSaved"/>, what the cached inputs saved. An entry
/// from a response without usage (Gemini's older models) saves an unknown amount, counted as $0.</para>
/// <para><b>Which calls.</b> Every call by default (<see cref="EmbeddingCacheOptions.CacheEveryCall"/>); <c>WithCache(false)</c>
/// bypasses it. Never cached: a call whose model cannot be named (no <see cref="ModelInfo"/> below, no model id), or whose
/// <see cref="EmbeddingGenerationOptions.AdditionalProperties"/> hold a value other than a string, number or boolean outside the
/// <c>stratum.</c> keys (it could change the vector and cannot be keyed safely); a result with the wrong number of vectors.</para>
/// <para><b>Failures</b> are not cached. The store's exceptions surface to the caller on a plain <see cref="IDistributedCache"/>
/// (<see cref="HybridCache"/> tolerates a failing distributed tier), as for chat.</para>
/// <para>Thread-safe: one instance serves concurrent calls; concurrent identical misses are not coalesced.</para>
/// </remarks>
public sealed class ResponseCacheEmbeddingGenerator : DelegatingEmbeddingGenerator<string, Embedding<float>>
{
    private const byte EntryVersion = 1;

    private readonly ResponseCacheStore _store;
    private readonly EmbeddingCacheOptions _options;
    private readonly TimeProvider _time;
    private readonly ModelInfo? _model;
    private readonly EmbeddingGeneratorMetadata? _metadata;

    /// <summary>Caches vectors of <paramref name="innerGenerator"/> in a <see cref="HybridCache"/>.</summary>
    /// <param name="innerGenerator">The generator whose vectors are cached, usually <c>StratumClient.GetEmbeddingGenerator(model)</c>.</param>
    /// <param name="cache">The cache; its local and distributed tiers both serve hits.</param>
    /// <param name="options">Settings, or null for the defaults. The instance is kept.</param>
    /// <exception cref="ArgumentNullException"><paramref name="innerGenerator"/> or <paramref name="cache"/> is null.</exception>
    public ResponseCacheEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> innerGenerator, HybridCache cache, EmbeddingCacheOptions? options = null)
        : this(innerGenerator, new HybridResponseCacheStore(cache ?? throw new ArgumentNullException(nameof(cache))), options)
    {
    }

    /// <summary>Caches vectors of <paramref name="innerGenerator"/> in a plain <see cref="IDistributedCache"/> (Redis, SQL Server, memory, ...).</summary>
    /// <param name="innerGenerator">The generator whose vectors are cached.</param>
    /// <param name="cache">The cache. Its exceptions surface to the caller.</param>
    /// <param name="options">Settings, or null for the defaults. The instance is kept.</param>
    /// <exception cref="ArgumentNullException"><paramref name="innerGenerator"/> or <paramref name="cache"/> is null.</exception>
    public ResponseCacheEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> innerGenerator, IDistributedCache cache, EmbeddingCacheOptions? options = null)
        : this(innerGenerator, new DistributedResponseCacheStore(cache ?? throw new ArgumentNullException(nameof(cache))), options)
    {
    }

    private ResponseCacheEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> innerGenerator, ResponseCacheStore store, EmbeddingCacheOptions? options)
        : base(innerGenerator)
    {
        _store = store;
        _options = options ?? new EmbeddingCacheOptions();
        _time = _options.TimeProvider ?? TimeProvider.System;
        _model = EmbeddingEstimate.ModelOf(innerGenerator);
        _metadata = innerGenerator.GetService(typeof(EmbeddingGeneratorMetadata)) as EmbeddingGeneratorMetadata;
    }

    /// <summary>The settings this generator uses.</summary>
    public EmbeddingCacheOptions Options => _options;

    /// <inheritdoc />
    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var inputs = EmbeddingEstimate.List(values);
        if (inputs.Count == 0 || !TryResolve(options, out var ttl) || KeyBase(options) is not { } keyBase)
        {
            return await base.GenerateAsync(inputs, options, cancellationToken).ConfigureAwait(false);
        }

        var keys = new string[inputs.Count];
        for (var i = 0; i < inputs.Count; i++)
        {
            keys[i] = Key(keyBase, inputs[i] ?? throw new ArgumentException("An input to embed is null.", nameof(values)));
        }

        var found = await ReadAllAsync(keys, cancellationToken).ConfigureAwait(false);
        var fromStore = Array.ConvertAll(found, entry => entry is not null);

        // The distinct inputs no entry answered, in first-seen order: each is sent once.
        var missing = new List<int>();
        var firstOfKey = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < inputs.Count; i++)
        {
            if (found[i] is null && firstOfKey.TryAdd(keys[i], i))
            {
                missing.Add(i);
            }
        }

        if (missing.Count == 0)
        {
            return FullHit(found!);
        }

        var sent = new string[missing.Count];
        for (var j = 0; j < missing.Count; j++)
        {
            sent[j] = inputs[missing[j]];
        }

        var produced = await base.GenerateAsync(sent, options, cancellationToken).ConfigureAwait(false);
        if (produced.Count != sent.Length)
        {
            // Not ours to repair: pass it on uncached when nothing was served from the cache, else refuse to misalign vectors.
            return missing.Count == inputs.Count
                ? produced
                : throw new InvalidOperationException($"The embedding generator below returned {produced.Count} vectors for {sent.Length} inputs; the cached vectors cannot be merged with them.");
        }

        var entries = Apportion(sent, produced);
        var expires = _time.GetUtcNow() + ttl;
        for (var j = 0; j < missing.Count; j++)
        {
            var entry = entries[j];
            await _store.SetAsync(keys[missing[j]], entry.Serialize(expires), ttl, cancellationToken).ConfigureAwait(false);
            found[missing[j]] = entry;
        }

        if (missing.Count == inputs.Count)
        {
            return produced;
        }

        for (var i = 0; i < found.Length; i++)
        {
            found[i] ??= found[firstOfKey[keys[i]]];
        }

        return PartialHit(found!, fromStore, produced);
    }

    /// <summary>The TTL of a cached call, or false when this call bypasses the cache.</summary>
    private bool TryResolve(EmbeddingGenerationOptions? options, out TimeSpan ttl)
    {
        ttl = _options.DefaultTtl;
        var properties = options?.AdditionalProperties;
        if (properties is not null && properties.TryGetValue(StratumOptionKeys.CacheEnabled, out var enabled) && enabled is false)
        {
            return false;
        }

        if (properties is not null && properties.TryGetValue(StratumOptionKeys.CacheTtl, out var value) && value is TimeSpan callTtl && callTtl > TimeSpan.Zero)
        {
            ttl = callTtl;
            return true;
        }

        return _options.CacheEveryCall || (properties is not null && properties.TryGetValue(StratumOptionKeys.CacheEnabled, out enabled) && enabled is true);
    }

    /// <summary>What every key of this call shares: model, dimensions and the provider settings; null when the call cannot be keyed.</summary>
    private string? KeyBase(EmbeddingGenerationOptions? options)
    {
        var provider = _model?.Provider.Id ?? _metadata?.ProviderName;
        var model = _model?.Id ?? (string.IsNullOrEmpty(options?.ModelId) ? _metadata?.DefaultModelId : options.ModelId);
        if (model is null)
        {
            return null;
        }

        var text = new StringBuilder("v1\n").Append(provider).Append('\n').Append(model).Append('\n')
            .Append(options?.Dimensions?.ToString(CultureInfo.InvariantCulture)).Append('\n');
        if (options?.AdditionalProperties is { Count: > 0 } properties)
        {
            foreach (var (name, value) in properties.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                if (name.StartsWith("stratum.", StringComparison.Ordinal))
                {
                    continue;
                }

                var formatted = value switch
                {
                    null => "null",
                    string s => "s:" + s,
                    bool b => b ? "b:true" : "b:false",
                    IFormattable number when value.GetType().IsPrimitive || value is decimal => "n:" + number.ToString(null, CultureInfo.InvariantCulture),
                    _ => null,
                };
                if (formatted is null)
                {
                    return null;
                }

                text.Append(name.Length).Append(':').Append(name).Append('=').Append(formatted.Length).Append(':').Append(formatted).Append('\n');
            }
        }

        return text.Append('\n').ToString();
    }

    private string Key(string keyBase, string input)
    {
        var bytes = Encoding.UTF8.GetBytes(keyBase + input);
        return _options.KeyPrefix + Convert.ToHexString(SHA256.HashData(bytes));
    }

    private async Task<Entry?[]> ReadAllAsync(string[] keys, CancellationToken cancellationToken)
    {
        var found = new Entry?[keys.Length];
        var now = _time.GetUtcNow();
        if (keys.Length == 1)
        {
            found[0] = Entry.Deserialize(await _store.GetAsync(keys[0], cancellationToken).ConfigureAwait(false), now);
            return found;
        }

        var reads = new Task<byte[]?>[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            reads[i] = _store.GetAsync(keys[i], cancellationToken).AsTask();
        }

        await Task.WhenAll(reads).ConfigureAwait(false);
        for (var i = 0; i < keys.Length; i++)
        {
            found[i] = Entry.Deserialize(await reads[i].ConfigureAwait(false), now);
        }

        return found;
    }

    private GeneratedEmbeddings<Embedding<float>> FullHit(Entry[] entries)
    {
        long? tokens = 0;
        decimal? cost = 0m;
        var vectors = new List<Embedding<float>>(entries.Length);
        foreach (var entry in entries)
        {
            tokens = entry.Tokens >= 0 ? tokens + entry.Tokens : null;
            cost = entry.Cost is { } share ? cost + share : null;
            vectors.Add(entry.ToEmbedding(_model?.Id));
        }

        var result = new GeneratedEmbeddings<Embedding<float>>(vectors)
        {
            Usage = tokens is { } total ? new UsageDetails { InputTokenCount = total, TotalTokenCount = total } : null,
            AdditionalProperties = new() { [StratumUsageKeys.CacheHit] = true },
        };
        if (_model is not null)
        {
            result.AdditionalProperties[StratumUsageKeys.ModelInfo] = _model;
        }

        if (cost is { } saved)
        {
            result.AdditionalProperties[StratumUsageKeys.Cost] = new CallCost(saved, 0m, 0m, 0m, 0m);
        }

        if (_options.Logger is { } logger)
        {
            StratumLog.EmbeddingCacheHit(logger, _model?.Id, entries.Length, entries.Length, cost ?? 0m);
        }

        return result;
    }

    private GeneratedEmbeddings<Embedding<float>> PartialHit(Entry[] entries, bool[] fromStore, GeneratedEmbeddings<Embedding<float>> produced)
    {
        // Saved: what the entries read from the store would have cost. An input repeated within the call is sent once and
        // billed once; its repeats are not counted as savings of the cache.
        var vectors = new List<Embedding<float>>(entries.Length);
        var saved = 0m;
        var hits = 0;
        for (var i = 0; i < entries.Length; i++)
        {
            if (fromStore[i])
            {
                hits++;
                saved += entries[i].Cost ?? 0m;
            }

            vectors.Add(entries[i].ToEmbedding(_model?.Id));
        }

        var result = new GeneratedEmbeddings<Embedding<float>>(vectors)
        {
            Usage = produced.Usage,
            AdditionalProperties = produced.AdditionalProperties is { } properties ? new(properties) : [],
        };
        if (hits > 0)
        {
            result.AdditionalProperties[StratumUsageKeys.CacheSaved] = saved;
            if (_options.Logger is { } logger)
            {
                StratumLog.EmbeddingCacheHit(logger, _model?.Id, hits, entries.Length, saved);
            }
        }

        return result;
    }

    /// <summary>
    /// The entries of the inputs a request embedded: each input's share of the request's tokens and cost, apportioned by
    /// UTF-8 size (largest remainders), so the shares add up to exactly the request's count and cost.
    /// </summary>
    private static Entry[] Apportion(string[] sent, GeneratedEmbeddings<Embedding<float>> produced)
    {
        var entries = new Entry[sent.Length];
        var total = produced.Usage?.InputTokenCount;
        var cost = produced.GetCost()?.Total;
        var weights = new long[sent.Length];
        long weightSum = 0;
        for (var j = 0; j < sent.Length; j++)
        {
            weights[j] = EmbeddingTokenEstimator.Count(sent[j]);
            weightSum += weights[j];
        }

        var tokens = new long[sent.Length];
        if (total is { } count and >= 0)
        {
            long given = 0;
            var remainders = new (long Remainder, int Index)[sent.Length];
            for (var j = 0; j < sent.Length; j++)
            {
                var product = (Int128)count * weights[j];
                tokens[j] = (long)(product / weightSum);
                remainders[j] = ((long)(product % weightSum), j);
                given += tokens[j];
            }

            Array.Sort(remainders, (a, b) => a.Remainder != b.Remainder ? b.Remainder.CompareTo(a.Remainder) : a.Index.CompareTo(b.Index));
            for (var k = 0; given < count; k++, given++)
            {
                tokens[remainders[k % sent.Length].Index]++;
            }
        }

        decimal costGiven = 0m;
        for (var j = 0; j < sent.Length; j++)
        {
            decimal? share = null;
            if (cost is { } c)
            {
                // By tokens when known, else by size; the last input takes the rounding remainder so the shares sum exactly.
                share = j == sent.Length - 1
                    ? c - costGiven
                    : total is > 0 ? c * tokens[j] / total.Value : c * weights[j] / weightSum;
                costGiven += share.Value;
            }

            entries[j] = new Entry(produced[j].Vector.ToArray(), total is >= 0 ? tokens[j] : -1, share);
        }

        return entries;
    }

    /// <summary>One cached vector with its share of what it cost. Stored as bytes: version, expiry, tokens, cost, floats.</summary>
    private sealed record Entry(float[] Vector, long Tokens, decimal? Cost)
    {
        public Embedding<float> ToEmbedding(string? modelId) => new(Vector) { ModelId = modelId };

        public byte[] Serialize(DateTimeOffset expires)
        {
            var floats = MemoryMarshal.AsBytes(Vector.AsSpan());
            var bytes = new byte[1 + 8 + 8 + 1 + 16 + 4 + floats.Length];
            var span = bytes.AsSpan();
            span[0] = EntryVersion;
            BinaryPrimitives.WriteInt64LittleEndian(span[1..], expires.ToUnixTimeMilliseconds());
            BinaryPrimitives.WriteInt64LittleEndian(span[9..], Tokens);
            span[17] = Cost is null ? (byte)0 : (byte)1;
            if (Cost is { } cost)
            {
                Span<int> parts = stackalloc int[4];
                decimal.GetBits(cost, parts);
                for (var i = 0; i < 4; i++)
                {
                    BinaryPrimitives.WriteInt32LittleEndian(span[(18 + (4 * i))..], parts[i]);
                }
            }

            BinaryPrimitives.WriteInt32LittleEndian(span[34..], Vector.Length);
            var target = span[38..];
            for (var i = 0; i < Vector.Length; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(target[(4 * i)..], Vector[i]);
            }

            return bytes;
        }

        /// <summary>The entry in <paramref name="bytes"/>, or null when there is none, it expired, or it is not an entry of this version.</summary>
        public static Entry? Deserialize(byte[]? bytes, DateTimeOffset now)
        {
            if (bytes is null || bytes.Length < 38 || bytes[0] != EntryVersion)
            {
                return null;
            }

            var span = bytes.AsSpan();
            if (DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64LittleEndian(span[1..])) <= now)
            {
                return null;
            }

            var tokens = BinaryPrimitives.ReadInt64LittleEndian(span[9..]);
            decimal? cost = null;
            if (span[17] == 1)
            {
                Span<int> parts = stackalloc int[4];
                for (var i = 0; i < 4; i++)
                {
                    parts[i] = BinaryPrimitives.ReadInt32LittleEndian(span[(18 + (4 * i))..]);
                }

                cost = new decimal(parts);
            }

            var length = BinaryPrimitives.ReadInt32LittleEndian(span[34..]);
            if (length < 0 || bytes.Length != 38 + (4L * length))
            {
                return null;
            }

            var vector = new float[length];
            for (var i = 0; i < length; i++)
            {
                vector[i] = BinaryPrimitives.ReadSingleLittleEndian(span[(38 + (4 * i))..]);
            }

            return new Entry(vector, tokens, cost);
        }
    }
}
