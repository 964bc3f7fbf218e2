using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace StratumAI;

/// <summary>
/// Middleware that keeps embedding calls within the limits of a <see cref="BudgetManager"/>, as <see cref="BudgetChatClient"/>
/// does for chat: before a call is passed on, it reserves the call's worst case in every policy that covers it, or throws
/// <see cref="BudgetExceededException"/> and sends nothing; after the call it settles the reservation to the actual cost.
/// </summary>
/// <remarks>
/// <para>The worst case: every input counted on the high side (one token per two UTF-8 bytes) at the highest input price of the
/// generator's model (<c>GetService&lt;ModelInfo&gt;()</c>); embeddings have no output. A generator that names no catalog model
/// is refused with <see cref="StratumModelNotFoundException"/>, since its worst case cannot be priced.</para>
/// <para>Settling: a result is charged its cost (<see cref="GeneratedEmbeddingsStratumExtensions.GetCost"/>, else its usage
/// priced), else (no usage reported) its whole reservation; a cache hit nothing. A failure with
/// <see cref="StratumException.UsageSoFar"/> is charged that usage; one after a request was sent without usage (cancelled, timed
/// out) its whole reservation; one before sending, an error status or a connection never established releases it. The charged
/// worst case is handed down to a <see cref="CostTrackingEmbeddingGenerator"/> below, which records it as estimated.</para>
/// <para>Tags and caller: <see cref="StratumEmbeddingOptionsExtensions.WithTags"/>, <see cref="StratumEmbeddingOptionsExtensions.WithCaller"/>,
/// else <see cref="StratumBudgetOptions.DefaultCaller"/>. Place it outside cost tracking. Thread-safe.</para>
/// </remarks>
public sealed class BudgetEmbeddingGenerator : DelegatingEmbeddingGenerator<string, Embedding<float>>
{
    private readonly BudgetManager _budgets;
    private readonly StratumBudgetOptions _options;

    /// <summary>Wraps an embedding generator.</summary>
    /// <param name="innerGenerator">The generator calls are passed to when they fit the budgets.</param>
    /// <param name="budgets">The budgets; may be shared with chat pipelines.</param>
    /// <param name="options">Settings, or null for the defaults. The instance is kept.</param>
    /// <exception cref="ArgumentNullException"><paramref name="innerGenerator"/> or <paramref name="budgets"/> is null.</exception>
    public BudgetEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> innerGenerator, BudgetManager budgets, StratumBudgetOptions? options = null)
        : base(innerGenerator)
    {
        ArgumentNullException.ThrowIfNull(budgets);
        _budgets = budgets;
        _options = options ?? new StratumBudgetOptions();
    }

    /// <summary>The budgets calls are checked against.</summary>
    public BudgetManager Budgets => _budgets;

    /// <summary>The worst-case cost this generator would reserve for embedding <paramref name="values"/>.</summary>
    /// <param name="values">The inputs.</param>
    /// <param name="cancellationToken">Stops counting.</param>
    /// <returns>The estimate.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="values"/> is null.</exception>
    /// <exception cref="StratumModelNotFoundException">The generator below names no catalog model.</exception>
    public BudgetEstimate Estimate(IEnumerable<string> values, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        return EmbeddingEstimate.For(Model(), values, cancellationToken);
    }

    /// <inheritdoc />
    /// <exception cref="BudgetExceededException">The call would take a budget over its limit; nothing was sent.</exception>
    /// <exception cref="StratumModelNotFoundException">The generator below names no catalog model; nothing was sent.</exception>
    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var inputs = EmbeddingEstimate.List(values);
        var estimate = EmbeddingEstimate.For(Model(), inputs, cancellationToken);
        var reservation = await ReserveAsync(estimate, options, cancellationToken).ConfigureAwait(false);
        await using var releaseIfOpen = reservation.ConfigureAwait(false);
        var scope = CallScope.Enter();
        scope.Estimate = estimate;
        var mark = scope.Snapshot();
        GeneratedEmbeddings<Embedding<float>> result;
        try
        {
            result = await base.GenerateAsync(inputs, options, cancellationToken).ConfigureAwait(false);
        }
        catch (StratumException ex) when (ex.UsageSoFar is { } billed)
        {
            await reservation.SettleAsync(CallCosts.Price(estimate.Model, billed)!.Total).ConfigureAwait(false);
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
            await reservation.SettleAsync(estimate.Cost).ConfigureAwait(false);
            throw;
        }

        await reservation.SettleAsync(result.IsCacheHit() ? 0m : (result.GetCost() ?? CallCosts.Price(result.GetModelInfo() ?? estimate.Model, result.Usage))?.Total ?? estimate.Cost).ConfigureAwait(false);
        return result;
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType == typeof(BudgetManager) ? _budgets : base.GetService(serviceType, serviceKey);
    }

    private ModelInfo Model() =>
        EmbeddingEstimate.ModelOf(InnerGenerator)
        ?? throw new StratumModelNotFoundException(
            "The budget cannot price this embedding generator: it names no catalog model (GetService<ModelInfo>()). "
            + "Use StratumClient.GetEmbeddingGenerator(model) below it. Nothing was sent.");

    private async ValueTask<BudgetReservation> ReserveAsync(BudgetEstimate estimate, EmbeddingGenerationOptions? options, CancellationToken cancellationToken)
    {
        var caller = options.GetCaller() ?? _options.DefaultCaller;
        try
        {
            return await _budgets.ReserveAsync(estimate.Cost, options.GetTags(), caller, cancellationToken).ConfigureAwait(false);
        }
        catch (BudgetExceededException ex) when (_options.Logger is { } logger)
        {
            StratumLog.BudgetRejected(logger, ex.PolicyName ?? ex.Scope.ToString(), estimate.Model.Id, ex.Spent, ex.Limit, ex.Requested);
            throw;
        }
    }
}
