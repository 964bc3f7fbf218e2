using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;

namespace StratumAI;

/// <summary>
/// Middleware that answers a repeated request from a cache instead of the model: on <see cref="HybridCache"/> or a plain
/// <see cref="IDistributedCache"/>, keyed by <see cref="ResponseCacheKey"/> (model, messages and the options that change the answer).
/// </summary>
/// <remarks>
/// <para><b>Which calls are cached.</b> Opt-in: a call whose options carry a TTL
/// (<see cref="StratumChatOptionsExtensions.WithCacheTtl"/>, key <see cref="StratumOptionKeys.CacheTtl"/>) is cached for that long;
/// <see cref="StratumChatOptionsExtensions.WithCache"/>(<see langword="true"/>) (key <see cref="StratumOptionKeys.CacheEnabled"/>)
/// caches it for <see cref="ResponseCacheOptions.DefaultTtl"/>; with <see cref="ResponseCacheOptions.CacheEveryCall"/> every call is.
/// <c>WithCache(false)</c> always bypasses the cache. Calls that depend on state outside the request
/// (<see cref="ChatOptions.ConversationId"/>, <see cref="ChatOptions.ContinuationToken"/>, background responses, a
/// <see cref="ChatOptions.RawRepresentationFactory"/>), whose model cannot be named, or whose content cannot be serialised, are
/// never cached.</para>
/// <para><b>Which responses are stored.</b> Only a complete answer: finish reason <see cref="ChatFinishReason.Stop"/> or
/// <see cref="ChatFinishReason.ToolCalls"/>, at least one non-empty content, no <see cref="ErrorContent"/>. Failures (exceptions),
/// empty answers and answers cut by <see cref="ChatFinishReason.Length"/> or <see cref="ChatFinishReason.ContentFilter"/> are
/// returned to the caller and not stored. A stream is stored when it ran to its end; one that failed or that the caller disposed early is not.</para>
/// <para><b>A hit</b> never reaches the inner client. It carries <see cref="StratumUsageKeys.CacheHit"/> = <see langword="true"/>,
/// the original usage and finish reason, the cost the original call had under <see cref="StratumUsageKeys.Cost"/> and its
/// <see cref="ModelInfo"/>, so a <see cref="CostTrackingChatClient"/> placed outside this client records $0 and that cost as
/// saved. A streamed hit is replayed as the same updates. Streaming and non-streaming calls are stored apart.</para>
/// <para><b>Expiry</b> is stamped into each entry from <see cref="ResponseCacheOptions.TimeProvider"/> and checked on read, besides
/// the store's own expiration, so it follows the configured clock.</para>
/// <para><b>Thread-safety.</b> One instance serves concurrent calls. Identical non-streaming calls that overlap in this process
/// share one model call: the others wait for it and are served as hits when it produced a cacheable answer (else they make
/// their own call). Concurrent identical streams are not coalesced.</para>
/// </remarks>
public sealed class ResponseCacheChatClient : DelegatingChatClient
{
    private readonly ResponseCacheStore _store;
    private readonly ResponseCacheOptions _options;
    private readonly TimeProvider _time;
    private readonly ModelRegistry _models;
    private readonly ConcurrentDictionary<string, Task<byte[]?>> _inFlight = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ModelInfo> _seenModels = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Decoded>? _local;
    private int _localCount;
#if NET9_0_OR_GREATER
    private readonly ConcurrentDictionary<string, Decoded>.AlternateLookup<ReadOnlySpan<char>> _localByText;
#endif
    private readonly ConcurrentDictionary<string, ModelKeyEntry> _modelKeys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<ModelInfo, string> _contextModelKeys = new(ReferenceEqualityComparer.Instance);

    /// <summary>Caches responses of <paramref name="innerClient"/> in a <see cref="HybridCache"/>.</summary>
    /// <param name="innerClient">The client whose responses are cached.</param>
    /// <param name="cache">The cache; its local and distributed tiers both serve hits.</param>
    /// <param name="options">Settings, or null for the defaults. The instance is kept; do not change it while calls run.</param>
    /// <exception cref="ArgumentNullException"><paramref name="innerClient"/> or <paramref name="cache"/> is null.</exception>
    public ResponseCacheChatClient(IChatClient innerClient, HybridCache cache, ResponseCacheOptions? options = null)
        : this(innerClient, new HybridResponseCacheStore(cache ?? throw new ArgumentNullException(nameof(cache))), options)
    {
    }

    /// <summary>Caches responses of <paramref name="innerClient"/> in a plain <see cref="IDistributedCache"/> (Redis, SQL Server, memory, ...).</summary>
    /// <param name="innerClient">The client whose responses are cached.</param>
    /// <param name="cache">The cache. Its exceptions surface to the caller (<see cref="HybridCache"/> tolerates a failing distributed tier instead).</param>
    /// <param name="options">Settings, or null for the defaults. The instance is kept; do not change it while calls run.</param>
    /// <exception cref="ArgumentNullException"><paramref name="innerClient"/> or <paramref name="cache"/> is null.</exception>
    public ResponseCacheChatClient(IChatClient innerClient, IDistributedCache cache, ResponseCacheOptions? options = null)
        : this(innerClient, new DistributedResponseCacheStore(cache ?? throw new ArgumentNullException(nameof(cache))), options)
    {
    }

    private ResponseCacheChatClient(IChatClient innerClient, ResponseCacheStore store, ResponseCacheOptions? options)
        : base(innerClient)
    {
        _store = store;
        _options = options ?? new ResponseCacheOptions();
        _time = _options.TimeProvider ?? TimeProvider.System;
        _models = _options.Models ?? (innerClient.GetService(typeof(StratumClient)) as StratumClient)?.Models ?? ModelRegistry.Default;
        _local = _options.LocalEntryLimit > 0 ? new ConcurrentDictionary<string, Decoded>(StringComparer.Ordinal) : null;
#if NET9_0_OR_GREATER
        _localByText = _local?.GetAlternateLookup<ReadOnlySpan<char>>() ?? default;
#endif
    }

    /// <summary>The settings this client uses.</summary>
    public ResponseCacheOptions Options => _options;

    /// <inheritdoc />
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (!TryResolve(options, out var model, out var ttl) || !TryWriteCanonical(model, messages, options, streaming: false, out var canonical))
        {
            return base.GetResponseAsync(messages, options, cancellationToken);
        }

        // A hit on a local copy is found by the request text in place and completes synchronously: no key string, no state machine, no store.
        return FindLocal(canonical, _time.GetUtcNow()) is { } local && Hit(local) is { } hit
            ? Task.FromResult(hit)
            : ReadOrProduceAsync(messages, options, new CacheKey(_options.KeyPrefix, new string(canonical)), ttl, cancellationToken);
    }

    private async Task<ChatResponse> ReadOrProduceAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, CacheKey key, TimeSpan ttl, CancellationToken cancellationToken)
    {
        if (await ReadAsync(key, cancellationToken).ConfigureAwait(false) is { } found && Hit(found) is { } hit)
        {
            return hit;
        }

        var mine = new TaskCompletionSource<byte[]?>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_inFlight.TryAdd(key.Local, mine.Task))
        {
            if (_inFlight.TryGetValue(key.Local, out var running))
            {
                // Someone is asking the model the same question right now: share their answer when it can be cached.
                var bytes = await running.WaitAsync(cancellationToken).ConfigureAwait(false);
                if (bytes is not null && ResponseCacheEntry.Deserialize(bytes, _options.JsonSerializerOptions) is { } shared && Hit(new Decoded(bytes, shared, shared.ExpiresAt) { Model = FindModel(shared) }) is { } sharedHit)
                {
                    return sharedHit;
                }
            }

            return (await ProduceAsync(messages, options, key, ttl, cancellationToken).ConfigureAwait(false)).Response;
        }

        try
        {
            var (response, stored) = await ProduceAsync(messages, options, key, ttl, cancellationToken).ConfigureAwait(false);
            mine.TrySetResult(stored);
            return response;
        }
        finally
        {
            // Failed or cancelled: waiters make their own call.
            mine.TrySetResult(null);
            _inFlight.TryRemove(new KeyValuePair<string, Task<byte[]?>>(key.Local, mine.Task));
        }
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (!TryPlan(messages, options, streaming: true, out var key, out var ttl))
        {
            await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
            {
                yield return update;
            }

            yield break;
        }

        if (await ReadAsync(key, cancellationToken).ConfigureAwait(false) is { } found && found.Entry(_options.JsonSerializerOptions).Updates is { Count: > 0 })
        {
            foreach (var update in Replay(found))
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return update;
            }

            yield break;
        }

        var seen = new List<ChatResponseUpdate>();
        (_, options) = EnterContext(options);
        await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            seen.Add(update);
            yield return update;
        }

        // Reached only when the stream ran to its end and the caller read all of it.
        await StoreStreamAsync(key, ttl, seen, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>True when the response is a complete answer worth replaying (see the class remarks).</summary>
    internal static bool IsCacheable(ChatResponse response)
    {
        if (response.FinishReason != ChatFinishReason.Stop && response.FinishReason != ChatFinishReason.ToolCalls)
        {
            return false;
        }

        var answered = false;
        foreach (var message in response.Messages)
        {
            foreach (var content in message.Contents)
            {
                switch (content)
                {
                    case ErrorContent:
                        return false;
                    case UsageContent:
                    case TextContent { Text.Length: 0 }:
                        break;
                    default:
                        answered = true;
                        break;
                }
            }
        }

        return answered;
    }

    private static bool DependsOnOutsideState(ChatOptions? options) =>
        options is not null
        && (options.ConversationId is not null || options.ContinuationToken is not null || options.AllowBackgroundResponses == true || options.RawRepresentationFactory is not null);

    /// <summary>The call's TTL: its context's (<see cref="StratumCallContext.CacheTtl"/>) when one is attached, else read (and type-checked) from its options.</summary>
    private TimeSpan? ResolveTtl(ChatOptions? options)
    {
        var properties = options?.AdditionalProperties;
        bool? enabled = null;
        if (properties is not null && properties.TryGetValue(StratumOptionKeys.CacheEnabled, out var flag))
        {
            enabled = flag as bool? ?? throw new ArgumentException($"ChatOptions.AdditionalProperties[\"{StratumOptionKeys.CacheEnabled}\"] must be a bool, not {flag?.GetType().Name ?? "null"}.", nameof(options));
        }

        if (enabled == false)
        {
            return null;
        }

        if (options.GetCallContext()?.CacheTtl is { } fromContext)
        {
            return fromContext > TimeSpan.Zero ? fromContext : null;
        }

        if (properties is not null && properties.TryGetValue(StratumOptionKeys.CacheTtl, out var value))
        {
            var ttl = value as TimeSpan? ?? throw new ArgumentException($"ChatOptions.AdditionalProperties[\"{StratumOptionKeys.CacheTtl}\"] must be a TimeSpan, not {value?.GetType().Name ?? "null"}.", nameof(options));
            return ttl > TimeSpan.Zero ? ttl : null;
        }

        return enabled == true || _options.CacheEveryCall ? _options.DefaultTtl : null;
    }

    private bool TryPlan(IEnumerable<ChatMessage> messages, ChatOptions? options, bool streaming, [NotNullWhen(true)] out CacheKey? key, out TimeSpan ttl)
    {
        key = TryResolve(options, out var model, out ttl) && TryWriteCanonical(model, messages, options, streaming, out var canonical)
            ? new CacheKey(_options.KeyPrefix, new string(canonical))
            : null;
        return key is not null;
    }

    /// <summary>Whether this call is cached, for how long and under which model.</summary>
    private bool TryResolve(ChatOptions? options, [NotNullWhen(true)] out string? model, out TimeSpan ttl)
    {
        model = null;
        ttl = default;
        if (ResolveTtl(options) is not { } resolved || DependsOnOutsideState(options) || ModelKey(options) is not { } named)
        {
            return false;
        }

        model = named;
        ttl = resolved;
        return true;
    }

    /// <summary>The canonical request text (<see cref="ResponseCacheKey.CanonicalSpan"/>); false when a value in it cannot be serialised.</summary>
    private bool TryWriteCanonical(string model, IEnumerable<ChatMessage> messages, ChatOptions? options, bool streaming, out ReadOnlySpan<char> canonical)
    {
        try
        {
            canonical = ResponseCacheKey.CanonicalSpan(model, messages, options, streaming, _options.JsonSerializerOptions);
            return true;
        }
        catch (NotSupportedException)
        {
            // A value the serializer does not know cannot be hashed soundly: the call goes through uncached.
            canonical = default;
            return false;
        }
    }

    /// <summary>
    /// The model part of the key: <c>provider/id</c> of the catalog model (so an alias shares entries with its id), else the id as
    /// given. The model of the call's context when one is attached; else the id is resolved once per id and remembered, so a hit
    /// costs no registry look-up, and a miss creates the call's context from the remembered model (<see cref="EnterContext"/>).
    /// </summary>
    private string? ModelKey(ChatOptions? options)
    {
        if (StratumCallContext.Current(options) is { } context)
        {
            return _contextModelKeys.GetOrAdd(context.Model, static model => model.Provider.Id + "/" + model.Id);
        }

        var id = options?.ModelId;
        if (!string.IsNullOrEmpty(id))
        {
            return _modelKeys.GetOrAdd(id, static (id, models) => models.TryGet(id, out var model) ? new(model.Provider.Id + "/" + model.Id, model) : new(id, null), _models).Key;
        }

        if (InnerModel() is { } fixedModel)
        {
            return fixedModel.Provider.Id + "/" + fixedModel.Id;
        }

        return (InnerClient.GetService(typeof(ChatClientMetadata)) as ChatClientMetadata)?.DefaultModelId;
    }

    private ModelInfo? InnerModel() => InnerClient.GetService(typeof(ModelInfo)) as ModelInfo;

    /// <summary>
    /// The call's context and the options a miss passes down: the attached context, else one for the model the key step
    /// remembered for this id (no second look-up), else resolved now (<see cref="CallContexts.Enter"/>).
    /// </summary>
    private (StratumCallContext? Context, ChatOptions? Options) EnterContext(ChatOptions? options)
    {
        var id = options?.ModelId;
        var known = !string.IsNullOrEmpty(id) && _modelKeys.TryGetValue(id, out var entry) ? entry.Model : null;
        return CallContexts.Enter(options, InnerClient, _models, known);
    }

    private async ValueTask<Decoded?> ReadAsync(CacheKey key, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (FindLocal(key, now) is { } local)
        {
            return local;
        }

        var bytes = await _store.GetAsync(key.Store, cancellationToken).ConfigureAwait(false);
        if (bytes is null || ResponseCacheEntry.Deserialize(bytes, _options.JsonSerializerOptions) is not { } entry)
        {
            return null;
        }

        if (now >= entry.ExpiresAt)
        {
            await _store.RemoveAsync(key.Store, cancellationToken).ConfigureAwait(false);
            return null;
        }

        var decoded = new Decoded(bytes, entry, entry.ExpiresAt) { Model = FindModel(entry) };
        Remember(key, decoded, now);
        return decoded;
    }

    /// <summary>Keeps a decoded entry in process memory until it expires or <see cref="ResponseCacheOptions.LocalDuration"/> passes.</summary>
    private void Remember(CacheKey key, Decoded decoded, DateTimeOffset now)
    {
        if (_local is null)
        {
            return;
        }

        var localFor = decoded.ExpiresAt - now;
        if (localFor > _options.LocalDuration)
        {
            localFor = _options.LocalDuration;
        }

        if (localFor <= TimeSpan.Zero)
        {
            return;
        }

        decoded.LocalUntil = now + localFor;
        var local = key.Local;
        while (true)
        {
            if (_local.TryGetValue(local, out var old))
            {
                if (_local.TryUpdate(local, decoded, old))
                {
                    return;
                }

                continue;
            }

            if (Volatile.Read(ref _localCount) >= _options.LocalEntryLimit)
            {
                MakeRoom(now);
            }

            if (_local.TryAdd(local, decoded))
            {
                Interlocked.Increment(ref _localCount);
                return;
            }
        }
    }

    /// <summary>
    /// The local copy for this request text while it is fresh, found without making a string of the text (on .NET 9 and
    /// later); null for a text longer than <see cref="CacheKey.MaxLocalKeyLength"/>, whose copy is kept under its hash.
    /// </summary>
    private Decoded? FindLocal(ReadOnlySpan<char> canonical, DateTimeOffset now)
    {
        if (_local is null || canonical.Length > CacheKey.MaxLocalKeyLength)
        {
            return null;
        }

#if NET9_0_OR_GREATER
        if (!_localByText.TryGetValue(canonical, out var key, out var local))
        {
            return null;
        }
#else
        var key = new string(canonical);
        if (!_local.TryGetValue(key, out var local))
        {
            return null;
        }
#endif

        if (now < local.LocalUntil)
        {
            return local;
        }

        DropLocal(key, local);
        return null;
    }

    /// <summary>The local copy for this key while it is fresh; a stale one is dropped.</summary>
    private Decoded? FindLocal(CacheKey key, DateTimeOffset now)
    {
        if (_local is null || !_local.TryGetValue(key.Local, out var local))
        {
            return null;
        }

        if (now < local.LocalUntil)
        {
            return local;
        }

        DropLocal(key.Local, local);
        return null;
    }

    /// <summary>
    /// Frees room when <see cref="ResponseCacheOptions.LocalEntryLimit"/> copies are kept: stale copies go first, then, if the
    /// table is still full, about a tenth of it in the table's own order (in effect at random, as Redis' <c>allkeys-random</c>).
    /// The store keeps every entry; a dropped copy is read from it again on its next hit.
    /// </summary>
    private void MakeRoom(DateTimeOffset now)
    {
        foreach (var (key, value) in _local!)
        {
            if (now >= value.LocalUntil)
            {
                DropLocal(key, value);
            }
        }

        var limit = _options.LocalEntryLimit;
        var excess = Volatile.Read(ref _localCount) - (limit - Math.Max(1, limit / 10));
        foreach (var (key, value) in _local)
        {
            if (excess <= 0)
            {
                break;
            }

            if (DropLocal(key, value))
            {
                excess--;
            }
        }
    }

    private bool DropLocal(string key, Decoded value)
    {
        if (!_local!.TryRemove(new KeyValuePair<string, Decoded>(key, value)))
        {
            return false;
        }

        Interlocked.Decrement(ref _localCount);
        return true;
    }

    private async Task<(ChatResponse Response, byte[]? Stored)> ProduceAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, CacheKey key, TimeSpan ttl, CancellationToken cancellationToken)
    {
        (var context, options) = EnterContext(options);
        var response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        if (!IsCacheable(response))
        {
            return (response, null);
        }

        var model = response.GetModelInfo() ?? context?.Model ?? InnerModel();
        var entry = NewEntry(ttl, model, CallCosts.Of(response, model)) with { Response = ResponseCacheEntry.Portable(response) };
        return (response, await WriteAsync(key, ttl, entry, model, cancellationToken).ConfigureAwait(false));
    }

    private async Task StoreStreamAsync(CacheKey key, TimeSpan ttl, List<ChatResponseUpdate> updates, CancellationToken cancellationToken)
    {
        if (!IsCacheable(updates.ToChatResponse()))
        {
            return;
        }

        ModelInfo? model = null;
        CallCost? attachedCost = null;
        foreach (var update in updates)
        {
            if (update.AdditionalProperties is not { } properties)
            {
                continue;
            }

            if (model is null && properties.TryGetValue(StratumUsageKeys.ModelInfo, out var info))
            {
                model = info as ModelInfo;
            }

            if (properties.TryGetValue(StratumUsageKeys.Cost, out var cost) && cost is CallCost callCost)
            {
                // Usage updates add up (as ToChatResponse sums them), so their costs do too.
                attachedCost = CallCosts.Add(attachedCost, callCost);
            }
        }

        model ??= InnerModel();
        var entry = NewEntry(ttl, model, CallCosts.Of(attachedCost, model, updates.ToChatResponse().Usage)) with
        {
            Updates = updates.Select(ResponseCacheEntry.Portable).ToList(),
        };
        await WriteAsync(key, ttl, entry, model, cancellationToken).ConfigureAwait(false);
    }

    private ResponseCacheEntry NewEntry(TimeSpan ttl, ModelInfo? model, CallCost? cost) => new()
    {
        ExpiresAt = _time.GetUtcNow() + ttl,
        ProviderId = model?.Provider.Id,
        ModelId = model?.Id,
        Cost = cost,
    };

    private async Task<byte[]?> WriteAsync(CacheKey key, TimeSpan ttl, ResponseCacheEntry entry, ModelInfo? model, CancellationToken cancellationToken)
    {
        byte[] bytes;
        try
        {
            bytes = entry.Serialize(_options.JsonSerializerOptions);
        }
        catch (NotSupportedException)
        {
            // Content the serializer does not know (a custom AIContent without registered metadata): answered, not stored.
            return null;
        }

        await _store.SetAsync(key.Store, bytes, ttl, cancellationToken).ConfigureAwait(false);

        // Not the entry in hand: it shares contents with the response its caller may change. Decoded from the bytes on first hit.
        Remember(key, new Decoded(bytes, null, entry.ExpiresAt) { Model = model ?? FindModel(entry) }, _time.GetUtcNow());

        if (model is not null)
        {
            _seenModels.TryAdd(model.Provider.Id + "/" + model.Id, model);
        }

        return bytes;
    }

    private ModelInfo? FindModel(ResponseCacheEntry entry)
    {
        if (entry.ModelId is null || entry.ProviderId is null)
        {
            return null;
        }

        if (_seenModels.TryGetValue(entry.ProviderId + "/" + entry.ModelId, out var seen))
        {
            return seen;
        }

        return _models.TryGet(entry.ModelId, out var model) && string.Equals(model.Provider.Id, entry.ProviderId, StringComparison.Ordinal) ? model : null;
    }

    /// <summary>
    /// The keys of one request. <see cref="Store"/> is what the shared store uses (the prefix and the SHA-256 of the canonical
    /// request, <see cref="ResponseCacheKey.Compute"/>), computed only when the store is reached. <see cref="Local"/> keys the
    /// in-process copies and in-flight calls: the canonical request itself when it is short — an exact match needs no hash,
    /// which is most of a hit's cost — else the store key, so a long conversation is not kept twice in memory.
    /// </summary>
    private sealed class CacheKey(string prefix, string canonical)
    {
        public const int MaxLocalKeyLength = 4096;
        private string? _store;

        public string Local => canonical.Length <= MaxLocalKeyLength ? canonical : Store;

        public string Store => _store ??= prefix + ResponseCacheKey.Hash(canonical);
    }

    /// <summary>A copy of the cached response for this caller, marked as a hit; null when the entry holds no response.</summary>
    private ChatResponse? Hit(Decoded decoded)
    {
        var entry = decoded.Entry(_options.JsonSerializerOptions);
        if (entry.Response is null)
        {
            return null;
        }

        if (_options.Logger is { } logger)
        {
            StratumLog.CacheHit(logger, entry.ModelId, entry.Cost?.Total ?? 0m);
        }

        // The template already carries the hit, cost and model properties, so a copy of it is the whole answer.
        return decoded.HitTemplate(_options.JsonSerializerOptions) is { } template && ResponseCacheEntry.Copy(template) is { } copy
            ? copy
            : MarkHit(decoded.Fresh(_options.JsonSerializerOptions).Response!, entry, decoded.Model);
    }

    /// <summary>Adds what every hit carries: <see cref="StratumUsageKeys.CacheHit"/>, and the original cost and model when known.</summary>
    private static ChatResponse MarkHit(ChatResponse response, ResponseCacheEntry entry, ModelInfo? model)
    {
        var properties = response.AdditionalProperties ??= [];
        properties[StratumUsageKeys.CacheHit] = true;
        if (entry.Cost is { } cost)
        {
            properties[StratumUsageKeys.Cost] = cost;
        }

        if (model is not null)
        {
            properties[StratumUsageKeys.ModelInfo] = model;
        }

        return response;
    }

    /// <summary>Copies of the cached updates for this caller, marked as a hit, with the model and the cost where the provider client put them.</summary>
    private List<ChatResponseUpdate> Replay(Decoded decoded)
    {
        var entry = decoded.Entry(_options.JsonSerializerOptions);
        if (_options.Logger is { } logger)
        {
            StratumLog.CacheHit(logger, entry.ModelId, entry.Cost?.Total ?? 0m);
        }

        var templates = entry.Updates!;
        var updates = new List<ChatResponseUpdate>(templates.Count);
        foreach (var template in templates)
        {
            if (ResponseCacheEntry.Copy(template) is not { } copy)
            {
                updates = [.. decoded.Fresh(_options.JsonSerializerOptions).Updates!];
                break;
            }

            updates.Add(copy);
        }

        // The cost rides on the last usage update, as the provider client attached it; the model on the first update.
        var costAt = updates.Count - 1;
        for (var i = updates.Count - 1; i >= 0; i--)
        {
            if (updates[i].Contents.Any(static c => c is UsageContent))
            {
                costAt = i;
                break;
            }
        }

        var model = decoded.Model;
        for (var i = 0; i < updates.Count; i++)
        {
            var properties = updates[i].AdditionalProperties ??= [];
            properties[StratumUsageKeys.CacheHit] = true;
            if (i == 0 && model is not null)
            {
                properties[StratumUsageKeys.ModelInfo] = model;
            }

            if (i == costAt && entry.Cost is { } cost)
            {
                properties[StratumUsageKeys.Cost] = cost;
            }
        }

        return updates;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _local?.Clear();
        }

        base.Dispose(disposing);
    }

    /// <summary>The model part of the key for a model id, and the catalog model it names (null when the catalog does not know it).</summary>
    private sealed record ModelKeyEntry(string Key, ModelInfo? Model);

    /// <summary>A stored entry, decoded at most once; callers get copies of it, never the entry itself.</summary>
    /// <remarks>An entry this process has just written is decoded only when it is first hit, so a miss pays no decoding.</remarks>
    private sealed class Decoded(byte[] bytes, ResponseCacheEntry? entry, DateTimeOffset expiresAt)
    {
        private static readonly ChatResponse NotCopyable = new();
        private ResponseCacheEntry? _entry = entry;
        private ChatResponse? _hitTemplate;

        public DateTimeOffset ExpiresAt => expiresAt;

        /// <summary>The catalog model of the entry, resolved when it was read or written.</summary>
        public ModelInfo? Model { get; init; }

        /// <summary>Until when this process serves the entry from memory (set when it is remembered).</summary>
        public DateTimeOffset LocalUntil { get; set; }

        public ResponseCacheEntry Entry(JsonSerializerOptions options)
        {
            var decoded = Volatile.Read(ref _entry);
            if (decoded is null)
            {
                // Two threads may decode at once; either result is the same, the first one is kept.
                Interlocked.CompareExchange(ref _entry, Fresh(options), null);
                decoded = _entry!;
            }

            return decoded;
        }

        /// <summary>
        /// The entry's response marked as a hit (<see cref="MarkHit"/>), built once and only ever copied; null when the entry
        /// holds no response or one that <see cref="ResponseCacheEntry.Copy(ChatResponse)"/> cannot copy.
        /// </summary>
        public ChatResponse? HitTemplate(JsonSerializerOptions options)
        {
            var template = Volatile.Read(ref _hitTemplate);
            if (template is null)
            {
                var entry = Entry(options);
                template = entry.Response is { } response && ResponseCacheEntry.Copy(response) is { } copy ? MarkHit(copy, entry, Model) : NotCopyable;
                template = Interlocked.CompareExchange(ref _hitTemplate, template, null) ?? template;
            }

            return ReferenceEquals(template, NotCopyable) ? null : template;
        }

        /// <summary>A new decoding of the stored bytes, for content that <see cref="ResponseCacheEntry.Copy(ChatResponse)"/> cannot copy.</summary>
        public ResponseCacheEntry Fresh(JsonSerializerOptions options) =>
            ResponseCacheEntry.Deserialize(bytes, options) ?? throw new InvalidOperationException("A cache entry written by this client could not be decoded.");
    }
}
