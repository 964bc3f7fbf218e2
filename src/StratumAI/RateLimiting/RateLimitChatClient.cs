using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace StratumAI;

/// <summary>
/// Middleware that keeps calls within rate limits before they are sent: each call takes a permit for one request and its
/// tokens from every limit that covers it (the model's and the provider's, per API key), waiting in line up to
/// <see cref="StratumRateLimitOptions.MaxWait"/>; and a provider's 429 pauses the call's key for its <c>Retry-After</c> for
/// every caller that shares the <see cref="RateLimitStore"/>.
/// </summary>
/// <remarks>
/// <para>Limits, most specific first: a model's limit from <see cref="StratumRateLimitOptions.Limit(string, string, RateLimit)"/>,
/// else the catalog model's <see cref="ModelInfo.RequestsPerMinute"/> / <see cref="ModelInfo.TokensPerMinute"/>; and the provider's from
/// <see cref="StratumRateLimitOptions.Limit(string, RateLimit)"/>, else <see cref="ProviderOptions.RequestsPerMinute"/> /
/// <see cref="ProviderOptions.TokensPerMinute"/> of the <see cref="StratumClient"/> below, else the catalog's
/// <see cref="ProviderInfo.RequestsPerMinute"/> / <see cref="ProviderInfo.TokensPerMinute"/>. A call counts against both when both exist.</para>
/// <para>Keys are <c>provider/model/key-identity</c>, where the identity is <c>k-</c> and the first eight hex digits of the
/// API key's SHA-256 (<c>token</c> for a bearer-token provider, <c>client</c> for a bound client, <c>none</c> without a key):
/// two processes with the same key share a window, the key itself never appears.</para>
/// <para>Tokens counted: the prompt's estimate (the budget's tokenizer) plus <see cref="ChatOptions.MaxOutputTokens"/> when the
/// call sets it — what providers themselves count against a tokens-per-minute limit when the request arrives. The count is not
/// corrected by the usage reported afterwards.</para>
/// <para>Place it below the cache (a hit takes no permit) and below resilience and fallbacks (every attempt, retries included,
/// takes a permit for the model it calls), above the budget (a call does not hold a reservation while it queues).
/// Thread-safe.</para>
/// </remarks>
public sealed class RateLimitChatClient : DelegatingChatClient
{
    private readonly RateLimitStore _store;
    private readonly StratumRateLimitOptions _options;
    private readonly ModelRegistry _models;
    private readonly StratumClient? _client;
    private readonly ConcurrentDictionary<ModelInfo, Plan> _plans = new();

    /// <summary>Wraps a chat client.</summary>
    /// <param name="innerClient">The client calls are passed to once they have their permits.</param>
    /// <param name="store">Where the windows and pauses live; <see cref="InProcessRateLimitStore.Shared"/> for this process.</param>
    /// <param name="options">Settings, or null for the defaults. Read when the client is created.</param>
    /// <exception cref="ArgumentNullException"><paramref name="innerClient"/> or <paramref name="store"/> is null.</exception>
    public RateLimitChatClient(IChatClient innerClient, RateLimitStore store, StratumRateLimitOptions? options = null)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _options = options ?? new StratumRateLimitOptions();
        _client = innerClient.GetService(typeof(StratumClient)) as StratumClient;
        _models = CallModel.RegistryFor(innerClient, _options.Models);
    }

    /// <summary>Where the windows and pauses live.</summary>
    public RateLimitStore Store => _store;

    /// <summary>The limits, key and tokens a call would count against, or null when its model is unknown (such a call is not limited).</summary>
    /// <param name="messages">The conversation.</param>
    /// <param name="options">The request's options (model, maximum output tokens).</param>
    /// <param name="cancellationToken">Stops counting the prompt's tokens.</param>
    /// <returns>The request this client would make of its store.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is null.</exception>
    public RateLimitRequest? Describe(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var model = StratumCallContext.Resolve(options, InnerClient, _models)?.Model;
        return model is null ? null : RequestFor(PlanFor(model), messages, options, cancellationToken);
    }

    /// <inheritdoc />
    /// <exception cref="RateLimitExceededException">No permit within <see cref="StratumRateLimitOptions.MaxWait"/>; nothing was sent.</exception>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        (var context, options) = CallContexts.Enter(options, InnerClient, _models);
        if (context?.Model is not { } model)
        {
            return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }

        var plan = PlanFor(model);
        await AcquireAsync(plan, model, messages, options, cancellationToken).ConfigureAwait(false);
        try
        {
            return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
        catch (StratumRateLimitException ex) when (PauseFor(ex) is { } pause)
        {
            await PauseAsync(plan, model, ex, pause).ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    /// <exception cref="RateLimitExceededException">No permit within <see cref="StratumRateLimitOptions.MaxWait"/>; nothing was sent.</exception>
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Runs at the first MoveNextAsync, before the inner stream starts, so a refusal sends nothing.
        ArgumentNullException.ThrowIfNull(messages);
        (var context, options) = CallContexts.Enter(options, InnerClient, _models);
        var model = context?.Model;
        Plan? plan = null;
        if (model is not null)
        {
            plan = PlanFor(model);
            await AcquireAsync(plan, model, messages, options, cancellationToken).ConfigureAwait(false);
        }

        var enumerator = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using var disposeEnumerator = enumerator.ConfigureAwait(false);
        while (true)
        {
            ChatResponseUpdate update;
            try
            {
                if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                {
                    break;
                }

                update = enumerator.Current;
            }
            catch (StratumRateLimitException ex) when (plan is not null && PauseFor(ex) is { } pause)
            {
                await PauseAsync(plan, model!, ex, pause).ConfigureAwait(false);
                throw;
            }

            yield return update;
        }
    }

    /// <summary>The pause a provider's 429 asks for: its <c>Retry-After</c> (or the reset of the limit it reported exhausted); none for an exhausted quota or our own refusal.</summary>
    private static TimeSpan? PauseFor(StratumRateLimitException exception) =>
        exception is RateLimitExceededException || !exception.IsRetryable ? null : TransientFailure.RequestedDelay(exception) is { } delay && delay > TimeSpan.Zero ? delay : null;

    private async ValueTask PauseAsync(Plan plan, ModelInfo model, StratumRateLimitException exception, TimeSpan pause)
    {
        await _store.PauseAsync(plan.Key, pause, CancellationToken.None).ConfigureAwait(false);
        if (_options.Logger is { } logger && logger.IsEnabled(LogLevel.Information))
        {
            var errorType = exception.GetType().Name;
            StratumLog.RateLimitPaused(logger, model.Provider.Id, plan.Key, pause, errorType);
        }
    }

    private async ValueTask AcquireAsync(Plan plan, ModelInfo model, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        var request = RequestFor(plan, messages, options, cancellationToken);
        if (await _store.AcquireAsync(request, _options.MaxWait, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (_options.Logger is { } logger && logger.IsEnabled(LogLevel.Warning))
        {
            StratumLog.RateLimitRejected(logger, plan.Key, model.Id, _options.MaxWait);
        }

        var limits = request.Buckets.Count == 0 ? "(a pause after a 429 only)" : string.Join("; ", request.Buckets);
        throw new RateLimitExceededException(string.Create(
            CultureInfo.InvariantCulture,
            $"The call to model '{model.Id}' was not sent: rate limit {plan.Key} had no permit for it within {_options.MaxWait.TotalSeconds} s (StratumRateLimitOptions.MaxWait), or the key is paused after a 429 until later. Limits: {limits}."))
        {
            ProviderId = model.Provider.Id,
            ModelId = model.Id,
            Key = plan.Key,
            MaxWait = _options.MaxWait,
            Limits = limits,
        };
    }

    private static RateLimitRequest RequestFor(Plan plan, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        if (!plan.CountsTokens)
        {
            return plan.WithoutTokens;
        }

        var tokens = PromptTokenEstimator.Count(messages, options, plan.O200k, StratumBudgetOptions.DefaultTokensPerAttachment, cancellationToken)
            + Math.Max(0, options?.MaxOutputTokens ?? 0);
        return new RateLimitRequest(plan.Key, plan.Buckets, tokens);
    }

    private Plan PlanFor(ModelInfo model) => _plans.GetOrAdd(model, static (m, self) => self.CreatePlan(m), this);

    private Plan CreatePlan(ModelInfo model)
    {
        var provider = model.Provider;
        var identity = KeyIdentity(provider);
        var buckets = new List<RateLimitBucket>(2);
        var modelLimit = _options.Limits.TryGetValue((provider.Id, model.Id), out var configured)
            ? configured
            : _options.UseCatalogLimits ? CatalogLimit(model.RequestsPerMinute, model.TokensPerMinute) : null;
        if (modelLimit is not null)
        {
            buckets.Add(new RateLimitBucket(provider.Id + "/" + model.Id + "/" + identity, modelLimit));
        }

        var providerLimit = ProviderLimit(provider);
        if (providerLimit is not null)
        {
            buckets.Add(new RateLimitBucket(provider.Id + "/*/" + identity, providerLimit));
        }

        var array = buckets.ToArray();
        var key = provider.Id + "/" + model.Id + "/" + identity;
        var countsTokens = Array.Exists(array, static b => b.Limit.Tokens is not null);
        return new Plan(key, array, countsTokens, PromptTokenEstimator.UsesO200k(model), new RateLimitRequest(key, array, 0));
    }

    private RateLimit? ProviderLimit(ProviderInfo provider)
    {
        if (_options.Limits.TryGetValue((provider.Id, null), out var configured))
        {
            return configured;
        }

        if (_client is not null && _client.Options.Providers.TryGetValue(provider.Id, out var settings)
            && (settings.RequestsPerMinute is not null || settings.TokensPerMinute is not null))
        {
            return RateLimit.PerMinute(settings.RequestsPerMinute, settings.TokensPerMinute);
        }

        return _options.UseCatalogLimits ? CatalogLimit(provider.RequestsPerMinute, provider.TokensPerMinute) : null;
    }

    private static RateLimit? CatalogLimit(int? requests, long? tokens) => requests is null && tokens is null ? null : RateLimit.PerMinute(requests, tokens);

    /// <summary>A non-secret identity of the key the provider's calls are sent with (see the remarks on the class).</summary>
    private string KeyIdentity(ProviderInfo provider)
    {
        if (_client is null)
        {
            return "none";
        }

        if (_client.Options.Providers.TryGetValue(provider.Id, out var settings))
        {
            if (settings.BoundChatClient() is not null)
            {
                return "client";
            }

            if (settings.AccessTokenProvider() is not null)
            {
                return "token";
            }
        }

        string? key;
        try
        {
            key = _client.ResolveApiKey(provider);
        }
        catch (StratumAuthenticationException)
        {
            key = null;
        }

        return key is null ? "none" : Identity(key);
    }

    /// <summary><c>k-</c> and the first eight hex digits of the key's SHA-256: enough to tell keys apart, nothing to recover one from.</summary>
    internal static string Identity(string apiKey)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(apiKey), hash);
        return "k-" + Convert.ToHexString(hash[..4]).ToLowerInvariant();
    }

    private sealed record Plan(string Key, RateLimitBucket[] Buckets, bool CountsTokens, bool O200k, RateLimitRequest WithoutTokens);
}
