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
/// <para>The model of a call is the one of its <see cref="StratumCallContext"/>: attached by the StratumAI client or middleware
/// above, else resolved here once from <see cref="ChatOptions.ModelId"/> through <see cref="StratumBudgetOptions.Models"/> (by
/// default the catalog of the <see cref="StratumClient"/> below, else <see cref="ModelRegistry.Default"/>) and passed down;
/// else the inner client's <see cref="ModelInfo"/> (<c>GetService</c>). A call for a model neither knows is refused with
/// <see cref="StratumModelNotFoundException"/>, since its worst case cannot be priced. The worst case is described on
/// <see cref="BudgetEstimate"/>; <see cref="Estimate"/> shows it for a request.</para>
/// <para>Settling: a response is charged its cost (<see cref="ChatResponseStratumExtensions.GetCost"/>, else its usage priced with
/// <see cref="CostCalculator"/>, as everywhere in StratumAI), else (no usage reported, so the cost is unknown) its whole reservation; a cache hit is
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
/// <see cref="StratumChatOptionsExtensions.WithCaller"/>), else the caller is <see cref="StratumBudgetOptions.DefaultCaller"/>. Place it inside retries and fallbacks
/// (so each attempt reserves for the model it calls) and outside cost tracking.</para>
/// <para>Thread-safe: one instance serves concurrent calls.</para>
/// </remarks>
public sealed class BudgetChatClient : DelegatingChatClient
{
    private readonly BudgetManager _budgets;
    private readonly StratumBudgetOptions _options;
    private readonly ModelRegistry _models;

    /// <summary>Wraps a chat client.</summary>
    /// <param name="innerClient">The client calls are passed to when they fit the budgets.</param>
    /// <param name="budgets">The budgets; may be shared by many pipelines.</param>
    /// <param name="options">Settings, or null for the defaults. The instance is kept; do not change it while calls run.</param>
    /// <exception cref="ArgumentNullException"><paramref name="innerClient"/> or <paramref name="budgets"/> is null.</exception>
    public BudgetChatClient(IChatClient innerClient, BudgetManager budgets, StratumBudgetOptions? options = null)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(budgets);
        _budgets = budgets;
        _options = options ?? new StratumBudgetOptions();
        _models = CallModel.RegistryFor(innerClient, _options.Models);
    }

    /// <summary>The budgets calls are checked against.</summary>
    public BudgetManager Budgets => _budgets;

    /// <summary>The settings this client uses.</summary>
    public StratumBudgetOptions Options => _options;

    /// <summary>The worst-case cost this client would reserve for a request.</summary>
    /// <param name="messages">The conversation.</param>
    /// <param name="options">The request's options (model, maximum output tokens, tools), or null.</param>
    /// <param name="cancellationToken">Stops counting the prompt's tokens (linear in its length, but a prompt may be megabytes).</param>
    /// <returns>The estimate.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is null.</exception>
    /// <exception cref="StratumModelNotFoundException">The call's model is not in <see cref="StratumBudgetOptions.Models"/> and the inner client names none.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while counting.</exception>
    public BudgetEstimate Estimate(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return EstimateFor(StratumCallContext.Resolve(options, InnerClient, _models), messages, options, cancellationToken);
    }

    /// <inheritdoc />
    /// <exception cref="BudgetExceededException">The call would take a budget over its limit; nothing was sent.</exception>
    /// <exception cref="StratumModelNotFoundException">The call's model cannot be priced; nothing was sent.</exception>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        (var context, options) = CallContexts.Enter(options, InnerClient, _models);
        var estimate = EstimateFor(context, messages, options, cancellationToken);
        var reservation = await ReserveAsync(estimate, context, options, cancellationToken).ConfigureAwait(false);
        await using var releaseIfOpen = reservation.ConfigureAwait(false);
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
            await reservation.SettleAsync(Price(estimate.Model, ex.UsageSoFar) + Earlier(estimate, scope, mark)).ConfigureAwait(false);
            throw;
        }
        catch (CostLedgerException ex) when (ex.Record is not null)
        {
            // The provider billed the call but the ledger refused the record: the spend is real all the same.
            await reservation.SettleAsync(ex.Record.Total).ConfigureAwait(false);
            throw;
        }
        catch (Exception ex) when (scope.MayBeBilled(mark, ex))
        {
            // Sent, and then cancelled, timed out or cut off: the provider may bill it in full, so the worst case stays charged.
            await reservation.SettleAsync(estimate.Cost + Earlier(estimate, scope, mark)).ConfigureAwait(false);
            throw;
        }

        // A cache hit cost nothing; a response that reported no usage may have cost the whole worst case.
        var actual = response.IsCacheHit() ? 0m : CallCosts.Of(response, estimate.Model)?.Total ?? estimate.Cost;

        await reservation.SettleAsync(actual + Earlier(estimate, scope, mark)).ConfigureAwait(false);
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
        ArgumentNullException.ThrowIfNull(messages);
        (var context, options) = CallContexts.Enter(options, InnerClient, _models);
        var estimate = EstimateFor(context, messages, options, cancellationToken);
        var reservation = await ReserveAsync(estimate, context, options, cancellationToken).ConfigureAwait(false);
        await using var releaseIfOpen = reservation.ConfigureAwait(false);
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
                        await reservation.SettleAsync(Price(stream.Served, billed) + Earlier(estimate, scope, mark)).ConfigureAwait(false);
                    }
                    else if (stream.Answered || scope.MayBeBilled(mark, ex))
                    {
                        await reservation.SettleAsync(stream.Charge() + Earlier(estimate, scope, mark)).ConfigureAwait(false);
                    }

                    throw;
                }

                stream.Observe(update);
                yield return update;
            }

            await reservation.SettleAsync(stream.Charge() + Earlier(estimate, scope, mark)).ConfigureAwait(false);
        }
        finally
        {
            // Still open only when the caller stopped reading early: the provider billed what it had produced.
            if (!reservation.IsCompleted && (stream.Answered || scope.MayBeBilled(mark, error: null)))
            {
                await reservation.SettleAsync(stream.Charge() + Earlier(estimate, scope, mark)).ConfigureAwait(false);
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

    private static decimal Price(ModelInfo model, UsageDetails usage) => CallCosts.Price(model, usage)!.Total;

    /// <summary>
    /// The worst case of each request sent below since <paramref name="mark"/> with an unknown outcome, except the last one, which
    /// the caller charges itself: non-zero only when retries run below this middleware (placed outside them, against the advice).
    /// </summary>
    private static decimal Earlier(BudgetEstimate estimate, CallScope scope, CallScope.Mark mark) =>
        scope.Unsettled(mark) is var unsettled && unsettled > 1 ? estimate.Cost * (unsettled - 1) : 0m;

    private async ValueTask<BudgetReservation> ReserveAsync(BudgetEstimate estimate, StratumCallContext? context, ChatOptions? options, CancellationToken cancellationToken)
    {
        var tags = context?.Tags ?? options.GetTags();
        var caller = (context is null ? options.GetCaller() : context.Caller) ?? _options.DefaultCaller;
        try
        {
            return await _budgets.ReserveAsync(estimate.Cost, tags, caller, cancellationToken).ConfigureAwait(false);
        }
        catch (BudgetExceededException ex) when (_options.Logger is { } logger)
        {
            StratumLog.BudgetRejected(logger, ex.PolicyName ?? ex.Scope.ToString(), estimate.Model.Id, ex.Spent, ex.Limit, ex.Requested);
            throw;
        }
    }

    private BudgetEstimate EstimateFor(StratumCallContext? context, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken) =>
        BudgetEstimate.For(ModelOf(context, options), messages, options, _options.TokensPerAttachment, cancellationToken);

    /// <summary>The model of the call's context, else (a model id the catalog does not know) the inner client's own model.</summary>
    private ModelInfo ModelOf(StratumCallContext? context, ChatOptions? options)
    {
        if (context is not null)
        {
            return context.Model;
        }

        var id = options?.ModelId;
        return InnerClient.GetService(typeof(ModelInfo)) as ModelInfo
            ?? throw new StratumModelNotFoundException(
                $"The budget cannot price the model '{id}': it is not in the catalog the budget reads (StratumBudgetOptions.Models). "
                + "Add it to a catalog file, or set StratumBudgetOptions.Models to the registry your StratumClient uses. Nothing was sent.")
            {
                ModelId = id,
            };
    }

    /// <summary>What one stream has shown so far (read as cost tracking and telemetry read it); used by one enumeration only.</summary>
    private sealed class StreamState(BudgetEstimate estimate) : StreamTally
    {
        /// <summary>True once the provider sent anything: from then on it bills the call.</summary>
        public bool Answered => Updates > 0;

        /// <summary>The model that served the stream, else the one the reservation priced.</summary>
        public ModelInfo Served => Model ?? estimate.Model;

        /// <summary>What the stream cost so far: nothing for a cache hit, else its priced usage, else (unknown cost) the whole reservation.</summary>
        public decimal Charge() => CacheHit ? 0m : CallCosts.Of(Cost, Served, Usage)?.Total ?? estimate.Cost;
    }
}
