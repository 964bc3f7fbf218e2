using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace StratumAI;

/// <summary>
/// Middleware that keeps calls within the limits of a <see cref="BudgetManager"/>: before a call is passed on (before any
/// HTTP request), it reserves the call's worst-case cost in every policy that covers it, or throws
/// <see cref="BudgetExceededException"/>; after the call it settles the reservation to the actual cost.
/// </summary>
/// <remarks>
/// <para>The model of a call is <see cref="ChatOptions.ModelId"/> resolved through <see cref="Models"/> (by default the catalog of the
/// <see cref="StratumClient"/> below, else <see cref="ModelRegistry.Default"/>), else the inner client's
/// <see cref="ModelInfo"/> (<c>GetService</c>); a call for a model neither knows is refused with
/// <see cref="StratumModelNotFoundException"/>, since its worst case cannot be priced. The worst case is described on
/// <see cref="BudgetEstimate"/>; <see cref="Estimate"/> shows it for a request.</para>
/// <para>Settling: a response is charged <see cref="ChatResponseStratumExtensions.GetCost"/>, else its usage priced with
/// <see cref="CostCalculator"/>, else (no usage reported, so the cost is unknown) its whole reservation; a cache hit is
/// charged nothing. A failure that carries <see cref="StratumException.UsageSoFar"/> is charged that usage. A failure without
/// usage after the request was sent — the caller's cancellation, a timeout, a connection lost after sending, a 200 whose body
/// could not be read — is charged its whole reservation: the provider may have billed it in full. A failure before anything was
/// sent, an HTTP error status (4xx, 5xx) and a connection never established release the reservation. A stream settles when it
/// ends, fails or is disposed: to the usage it reported, else — once its request was sent — to its whole reservation.</para>
/// <para>"Sent" is what the StratumAI dialects below report for the call (they mark a request handed to
/// <see cref="HttpClient"/> and one answered with an error status); the marks are compared per attempt, so retries below
/// are each charged. Below a client that is not a StratumAI dialect nothing is marked: a cancellation or a timeout is then
/// charged (it may have come after sending), any other failure released. The charged worst case is handed down to a
/// <see cref="CostTrackingChatClient"/> below, which records it as <see cref="CostRecord.IsEstimated"/>.</para>
/// <para>Tags and caller are the call's (<see cref="StratumChatOptionsExtensions.WithTags"/>,
/// <see cref="StratumChatOptionsExtensions.WithCaller"/>), else the caller is <see cref="DefaultCaller"/>. Place it inside retries and fallbacks
/// (so each attempt reserves for the model it calls) and outside cost tracking.</para>
/// <para>Thread-safe: one instance serves concurrent calls. Set the properties before use.</para>
/// </remarks>
public sealed class BudgetChatClient : DelegatingChatClient
{
    private readonly BudgetManager _budgets;
    private int _tokensPerAttachment = DefaultTokensPerAttachment;

    /// <summary>The default of <see cref="TokensPerAttachment"/>: above what one image costs at OpenAI (high detail) or Anthropic.</summary>
    public const int DefaultTokensPerAttachment = 2_000;

    /// <summary>Wraps a chat client.</summary>
    /// <param name="innerClient">The client calls are passed to when they fit the budgets.</param>
    /// <param name="budgets">The budgets; may be shared by many pipelines.</param>
    /// <exception cref="ArgumentNullException"><paramref name="innerClient"/> or <paramref name="budgets"/> is null.</exception>
    public BudgetChatClient(IChatClient innerClient, BudgetManager budgets)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(budgets);
        _budgets = budgets;
    }

    /// <summary>The budgets calls are checked against.</summary>
    public BudgetManager Budgets => _budgets;

    /// <summary>
    /// The catalog <see cref="ChatOptions.ModelId"/> is resolved in, or null (the default) for the catalog of the
    /// <see cref="StratumClient"/> below (<c>GetService&lt;StratumClient&gt;()</c>, as in a <see cref="StratumClientOptions.Pipeline"/>),
    /// else <see cref="ModelRegistry.Default"/>.
    /// </summary>
    public ModelRegistry? Models { get; set; }

    /// <summary>The caller used when a call's options name none; null by default.</summary>
    public string? DefaultCaller { get; set; }

    /// <summary>Where a refused call is logged (<c>ChatBudgetRejected</c>, event 1013), or null for nowhere.</summary>
    /// <value>Null by default; <c>UseStratumBudget</c> sets the pipeline's <see cref="ILoggerFactory"/> logger when it finds one.</value>
    public ILogger? Logger { get; set; }

    /// <summary>Tokens counted for each image, file or URL in the prompt. Default <see cref="DefaultTokensPerAttachment"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int TokensPerAttachment
    {
        get => _tokensPerAttachment;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _tokensPerAttachment = value;
        }
    }

    /// <summary>The worst-case cost this client would reserve for a request.</summary>
    /// <param name="messages">The conversation.</param>
    /// <param name="options">The request's options (model, maximum output tokens, tools), or null.</param>
    /// <param name="cancellationToken">Stops counting the prompt's tokens (linear in its length, but a prompt may be megabytes).</param>
    /// <returns>The estimate.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is null.</exception>
    /// <exception cref="StratumModelNotFoundException">The call's model is not in <see cref="Models"/> and the inner client names none.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while counting.</exception>
    public BudgetEstimate Estimate(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return BudgetEstimate.For(ResolveModel(options), messages, options, _tokensPerAttachment, cancellationToken);
    }

    /// <inheritdoc />
    /// <exception cref="BudgetExceededException">The call would take a budget over its limit; nothing was sent.</exception>
    /// <exception cref="StratumModelNotFoundException">The call's model cannot be priced; nothing was sent.</exception>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var estimate = Estimate(messages, options, cancellationToken);
        using var reservation = Reserve(estimate, options);
        var scope = CallScope.Enter();
        scope.Estimate = estimate;
        var mark = scope.Snapshot();
        ChatResponse response;
        try
        {
            response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
        catch (StratumException ex) when (ex.UsageSoFar is not null)
        {
            reservation.Settle(Price(estimate.Model, ex.UsageSoFar) + Earlier(estimate, scope, mark));
            throw;
        }
        catch (CostLedgerException ex) when (ex.Record is not null)
        {
            // The provider billed the call but the ledger refused the record: the spend is real all the same.
            reservation.Settle(ex.Record.Total);
            throw;
        }
        catch (Exception ex) when (scope.MayBeBilled(mark, ex))
        {
            // Sent, and then cancelled, timed out or cut off: the provider may bill it in full, so the worst case stays charged.
            reservation.Settle(estimate.Cost + Earlier(estimate, scope, mark));
            throw;
        }

        decimal actual;
        if (response.IsCacheHit())
        {
            actual = 0m;
        }
        else if (response.GetCost() is { } cost)
        {
            actual = cost.Total;
        }
        else
        {
            actual = response.Usage is { } usage ? Price(response.GetModelInfo() ?? estimate.Model, usage) : estimate.Cost;
        }

        reservation.Settle(actual + Earlier(estimate, scope, mark));
        return response;
    }

    /// <inheritdoc />
    /// <exception cref="BudgetExceededException">The call would take a budget over its limit; nothing was sent.</exception>
    /// <exception cref="StratumModelNotFoundException">The call's model cannot be priced; nothing was sent.</exception>
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Runs at the first MoveNextAsync, before the inner stream is started, so a refusal sends nothing.
        var estimate = Estimate(messages, options, cancellationToken);
        using var reservation = Reserve(estimate, options);
        var scope = CallScope.Enter();
        scope.Estimate = estimate;
        var mark = scope.Snapshot();
        var stream = new StreamState(estimate);
        var enumerator = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
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
                catch (Exception ex)
                {
                    var billed = (ex as StratumException)?.UsageSoFar;
                    if (billed is not null)
                    {
                        reservation.Settle(Price(stream.Model, billed) + Earlier(estimate, scope, mark));
                    }
                    else if (stream.Answered || scope.MayBeBilled(mark, ex))
                    {
                        reservation.Settle(stream.Cost() + Earlier(estimate, scope, mark));
                    }

                    throw;
                }

                stream.Observe(update);
                yield return update;
            }

            reservation.Settle(stream.Cost() + Earlier(estimate, scope, mark));
        }
        finally
        {
            // Still open only when the caller stopped reading early: the provider billed what it had produced.
            if (!reservation.IsCompleted && (stream.Answered || scope.MayBeBilled(mark, error: null)))
            {
                reservation.Settle(stream.Cost() + Earlier(estimate, scope, mark));
            }

            await enumerator.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType == typeof(BudgetManager) ? _budgets : base.GetService(serviceType, serviceKey);
    }

    private static decimal Price(ModelInfo model, UsageDetails usage) => CostCalculator.Calculate(model.Pricing, usage).Total;

    /// <summary>
    /// The worst case of each request sent below since <paramref name="mark"/> with an unknown outcome, except the last one, which
    /// the caller charges itself: non-zero only when retries run below this middleware (placed outside them, against the advice).
    /// </summary>
    private static decimal Earlier(BudgetEstimate estimate, CallScope scope, CallScope.Mark mark) =>
        scope.Unsettled(mark) is var unsettled && unsettled > 1 ? estimate.Cost * (unsettled - 1) : 0m;

    private BudgetReservation Reserve(BudgetEstimate estimate, ChatOptions? options)
    {
        var tags = options.GetTags();
        var caller = options.GetCaller() ?? DefaultCaller;
        try
        {
            return _budgets.Reserve(estimate.Cost, tags, caller);
        }
        catch (BudgetExceededException ex) when (Logger is { } logger)
        {
            StratumLog.BudgetRejected(logger, ex.PolicyName ?? ex.Scope.ToString(), estimate.Model.Id, ex.Spent, ex.Limit, ex.Requested);
            throw;
        }
    }

    private ModelInfo ResolveModel(ChatOptions? options)
    {
        var id = options?.ModelId;
        var registry = Models ?? (InnerClient.GetService(typeof(StratumClient)) as StratumClient)?.Models ?? ModelRegistry.Default;
        if (!string.IsNullOrEmpty(id) && registry.TryGet(id, out var model))
        {
            return model;
        }

        return InnerClient.GetService(typeof(ModelInfo)) as ModelInfo
            ?? throw new StratumModelNotFoundException(
                $"The budget cannot price the model '{id}': it is not in the catalog the budget reads (BudgetChatClient.Models). "
                + "Add it to a catalog file, or set BudgetChatClient.Models to the registry your StratumClient uses. Nothing was sent.")
            {
                ModelId = id,
            };
    }

    /// <summary>What one stream has shown so far; used by one enumeration only.</summary>
    private sealed class StreamState(BudgetEstimate estimate)
    {
        private UsageDetails? _usage;
        private decimal? _cost;
        private bool _cacheHit;

        public ModelInfo Model { get; private set; } = estimate.Model;

        /// <summary>True once the provider sent anything: from then on it bills the call.</summary>
        public bool Answered { get; private set; }

        public void Observe(ChatResponseUpdate update)
        {
            Answered = true;
            if (update.AdditionalProperties is { } properties)
            {
                if (properties.TryGetValue(StratumUsageKeys.ModelInfo, out var model) && model is ModelInfo info)
                {
                    Model = info;
                }

                if (properties.TryGetValue(StratumUsageKeys.CacheHit, out var hit) && hit is true)
                {
                    _cacheHit = true;
                }

                // Usage updates add up (as ToChatResponse sums them), so their costs do too.
                if (properties.TryGetValue(StratumUsageKeys.Cost, out var cost) && cost is CallCost callCost)
                {
                    _cost = (_cost ?? 0m) + callCost.Total;
                }
            }

            foreach (var content in update.Contents)
            {
                if (content is UsageContent usage)
                {
                    (_usage ??= new UsageDetails()).Add(usage.Details);
                }
            }
        }

        /// <summary>The cost of what was seen: priced usage, else (unknown cost) the whole reservation.</summary>
        public decimal Cost()
        {
            if (_cacheHit)
            {
                return 0m;
            }

            return _cost ?? (_usage is not null ? Price(Model, _usage) : estimate.Cost);
        }
    }
}

/// <summary>Adds <see cref="BudgetChatClient"/> to a <see cref="ChatClientBuilder"/> pipeline.</summary>
public static class BudgetChatClientBuilderExtensions
{
    /// <summary>Keeps the pipeline's calls within <paramref name="budgets"/>: reserves each call's worst case before it is sent, settles after.</summary>
    /// <param name="builder">The pipeline.</param>
    /// <param name="budgets">The budgets; may be shared by many pipelines.</param>
    /// <param name="configure">Sets options of the middleware, e.g. <see cref="BudgetChatClient.Models"/>.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="budgets"/> is null.</exception>
    /// <remarks>
    /// Place it inside retry and fallback middleware (each attempt reserves for its own model) and outside cost tracking.
    /// Refusals are logged (event 1013) with <see cref="BudgetChatClient.Logger"/>, else the pipeline's <see cref="ILoggerFactory"/>;
    /// that logger also becomes <paramref name="budgets"/>' <see cref="BudgetManager.Logger"/> for alerts (event 1014) if it has none.
    /// </remarks>
    public static ChatClientBuilder UseStratumBudget(this ChatClientBuilder builder, BudgetManager budgets, Action<BudgetChatClient>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(budgets);
        return builder.Use((inner, services) =>
        {
            var client = new BudgetChatClient(inner, budgets);
            configure?.Invoke(client);
            client.Logger ??= LoggerFrom(services);
            budgets.Logger ??= client.Logger;
            return client;
        });
    }

    /// <summary>Keeps the pipeline's calls within the <see cref="BudgetManager"/> registered in the pipeline's services.</summary>
    /// <param name="builder">The pipeline.</param>
    /// <param name="configure">Sets options of the middleware, e.g. <see cref="BudgetChatClient.Models"/>.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    /// <exception cref="InvalidOperationException">When the pipeline is built: no <see cref="BudgetManager"/> is registered.</exception>
    public static ChatClientBuilder UseStratumBudget(this ChatClientBuilder builder, Action<BudgetChatClient>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            var budgets = services.GetService(typeof(BudgetManager)) as BudgetManager
                ?? throw new InvalidOperationException("UseStratumBudget() needs a BudgetManager registered in the services, or pass one to UseStratumBudget(budgets).");
            var client = new BudgetChatClient(inner, budgets);
            configure?.Invoke(client);
            client.Logger ??= LoggerFrom(services);
            budgets.Logger ??= client.Logger;
            return client;
        });
    }

    private static ILogger? LoggerFrom(IServiceProvider services) =>
        (services.GetService(typeof(ILoggerFactory)) as ILoggerFactory)?.CreateLogger<BudgetChatClient>();
}
