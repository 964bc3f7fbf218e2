namespace StratumAI;

/// <summary>A budget's settled spend reached one of its alert thresholds in a window. Immutable.</summary>
/// <param name="Policy">The policy.</param>
/// <param name="ScopeKey">The caller, for a <see cref="BudgetScopeKind.EachCaller"/> policy; otherwise null.</param>
/// <param name="WindowStart">The start of the window (UTC).</param>
/// <param name="WindowEnd">The end of the window, or null for <see cref="BudgetPeriod.Total"/>.</param>
/// <param name="Threshold">The threshold reached, a fraction of the limit (0.8 = 80 %).</param>
/// <param name="Spent">What was spent in the window when the threshold was reached, in USD.</param>
public sealed record BudgetAlert(BudgetPolicy Policy, string? ScopeKey, DateTimeOffset WindowStart, DateTimeOffset? WindowEnd, decimal Threshold, decimal Spent)
{
    /// <summary>The policy's limit in USD.</summary>
    public decimal Limit => Policy.Limit;
}

/// <summary>Data of <see cref="BudgetManager.AlertRaised"/>.</summary>
/// <param name="alert">The alert.</param>
public sealed class BudgetAlertEventArgs(BudgetAlert alert) : EventArgs
{
    /// <summary>The alert.</summary>
    public BudgetAlert Alert { get; } = alert;
}

/// <summary>Where a budget stands in its current window. Immutable.</summary>
/// <param name="Policy">The policy.</param>
/// <param name="ScopeKey">The caller, for a <see cref="BudgetScopeKind.EachCaller"/> policy; otherwise null.</param>
/// <param name="WindowStart">The start of the current window (UTC).</param>
/// <param name="WindowEnd">Its end, or null for <see cref="BudgetPeriod.Total"/>.</param>
/// <param name="Spent">What settled calls spent in the window, in USD.</param>
/// <param name="Reserved">What calls in flight have reserved, in USD.</param>
public sealed record BudgetStatus(BudgetPolicy Policy, string? ScopeKey, DateTimeOffset WindowStart, DateTimeOffset? WindowEnd, decimal Spent, decimal Reserved)
{
    /// <summary>The limit in USD.</summary>
    public decimal Limit => Policy.Limit;

    /// <summary>What a new call may still reserve: the limit minus spent and reserved, never below zero.</summary>
    public decimal Remaining => Math.Max(0m, Policy.Limit - Spent - Reserved);
}
