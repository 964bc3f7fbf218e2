using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace StratumAI;

/// <summary>Adds <see cref="BudgetChatClient"/> to a <see cref="ChatClientBuilder"/> pipeline.</summary>
/// <remarks>
/// Place it inside retry and fallback middleware (each attempt reserves for its own model) and outside cost tracking.
/// Refusals are logged (event 1013) with <see cref="StratumBudgetOptions.Logger"/>, else a logger of the pipeline's
/// <see cref="ILoggerFactory"/>; that logger also becomes the <see cref="BudgetManager.Logger"/> for alerts (event 1014) if it has none.
/// </remarks>
public static class BudgetChatClientBuilderExtensions
{
    /// <summary>Keeps the pipeline's calls within <paramref name="budgets"/>: reserves each call's worst case before it is sent, settles after.</summary>
    /// <param name="builder">The pipeline.</param>
    /// <param name="budgets">The budgets; may be shared by many pipelines.</param>
    /// <param name="configure">Sets the options (catalog, default caller, logger, tokens per attachment), or null for the defaults.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="budgets"/> is null.</exception>
    public static ChatClientBuilder UseStratumBudget(this ChatClientBuilder builder, BudgetManager budgets, Action<StratumBudgetOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(budgets);
        return builder.Use((inner, services) => Create(inner, budgets, configure, services));
    }

    /// <summary>Keeps the pipeline's calls within the <see cref="BudgetManager"/> registered in the pipeline's services.</summary>
    /// <param name="builder">The pipeline.</param>
    /// <param name="configure">Sets the options (catalog, default caller, logger, tokens per attachment), or null for the defaults.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    /// <exception cref="InvalidOperationException">When the pipeline is built: no <see cref="BudgetManager"/> is registered.</exception>
    public static ChatClientBuilder UseStratumBudget(this ChatClientBuilder builder, Action<StratumBudgetOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            var budgets = services.GetService(typeof(BudgetManager)) as BudgetManager
                ?? throw new InvalidOperationException("UseStratumBudget() needs a BudgetManager registered in the services, or pass one to UseStratumBudget(budgets).");
            return Create(inner, budgets, configure, services);
        });
    }

    private static BudgetChatClient Create(IChatClient inner, BudgetManager budgets, Action<StratumBudgetOptions>? configure, IServiceProvider services)
    {
        var options = new StratumBudgetOptions();
        configure?.Invoke(options);
        options.Logger ??= (services.GetService(typeof(ILoggerFactory)) as ILoggerFactory)?.CreateLogger<BudgetChatClient>();
        budgets.Logger ??= options.Logger;
        return new BudgetChatClient(inner, budgets, options);
    }
}
