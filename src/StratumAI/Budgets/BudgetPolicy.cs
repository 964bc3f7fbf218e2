using System.Globalization;

namespace StratumAI;

/// <summary>A spending limit in USD for a <see cref="BudgetScope"/> over a <see cref="BudgetPeriod"/>, with alert thresholds.</summary>
/// <remarks>Immutable and thread-safe once created.</remarks>
public sealed class BudgetPolicy
{
    private static readonly decimal[] DefaultThresholds = [0.5m, 0.8m, 1m];

    /// <summary>Creates a policy.</summary>
    /// <param name="scope">Which calls it limits.</param>
    /// <param name="period">The window the limit applies to.</param>
    /// <param name="limit">The limit in USD; zero allows only free calls.</param>
    /// <param name="name">A name for messages and alerts; null gives a description such as <c>global per day</c>.</param>
    /// <param name="alertThresholds">
    /// Fractions of the limit at which an alert is raised once per window (0.5 = 50 %), or null for 50 %, 80 % and 100 %.
    /// Empty for no alerts.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is negative, a threshold is zero or negative,
    /// or <paramref name="period"/> is not a defined value.</exception>
    public BudgetPolicy(BudgetScope scope, BudgetPeriod period, decimal limit, string? name = null, IEnumerable<decimal>? alertThresholds = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        if (!Enum.IsDefined(period))
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, "Not a budget period.");
        }

        var thresholds = alertThresholds is null ? DefaultThresholds : alertThresholds.Distinct().Order().ToArray();
        foreach (var threshold in thresholds)
        {
            if (threshold <= 0m)
            {
                throw new ArgumentOutOfRangeException(nameof(alertThresholds), threshold, "Alert thresholds are fractions of the limit above zero (0.5 = 50 %).");
            }
        }

        Scope = scope;
        Period = period;
        Limit = limit;
        AlertThresholds = thresholds;
        Name = string.IsNullOrEmpty(name) ? Describe(scope, period) : name;
    }

    /// <summary>The name used in messages and alerts.</summary>
    public string Name { get; }

    /// <summary>Which calls the policy limits.</summary>
    public BudgetScope Scope { get; }

    /// <summary>The window the limit applies to.</summary>
    public BudgetPeriod Period { get; }

    /// <summary>The limit in USD.</summary>
    public decimal Limit { get; }

    /// <summary>Fractions of <see cref="Limit"/> at which alerts are raised, ascending. Default 0.5, 0.8 and 1.</summary>
    public IReadOnlyList<decimal> AlertThresholds { get; }

    /// <summary>A global limit per UTC day.</summary>
    /// <param name="limit">USD.</param>
    /// <returns>The policy.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is negative.</exception>
    public static BudgetPolicy Daily(decimal limit) => new(BudgetScope.Global, BudgetPeriod.Day, limit);

    /// <summary>A global limit per UTC calendar month.</summary>
    /// <param name="limit">USD.</param>
    /// <returns>The policy.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is negative.</exception>
    public static BudgetPolicy Monthly(decimal limit) => new(BudgetScope.Global, BudgetPeriod.Month, limit);

    /// <summary>A global limit on each call's worst-case cost.</summary>
    /// <param name="limit">USD.</param>
    /// <returns>The policy.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is negative.</exception>
    public static BudgetPolicy PerCall(decimal limit) => new(BudgetScope.Global, BudgetPeriod.PerCall, limit);

    /// <summary>The UTC window holding <paramref name="now"/>: its start and its end (null for <see cref="BudgetPeriod.Total"/>).</summary>
    /// <param name="now">The current time.</param>
    /// <returns>The window.</returns>
    public (DateTimeOffset Start, DateTimeOffset? End) WindowAt(DateTimeOffset now)
    {
        var utc = now.ToUniversalTime();
        switch (Period)
        {
            case BudgetPeriod.Day:
                var day = new DateTimeOffset(utc.Year, utc.Month, utc.Day, 0, 0, 0, TimeSpan.Zero);
                return (day, day.AddDays(1));
            case BudgetPeriod.Month:
                var month = new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero);
                return (month, month.AddMonths(1));
            case BudgetPeriod.PerCall:
                return (utc, utc);
            default:
                return (DateTimeOffset.MinValue, null);
        }
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name}: ${Limit} ({Describe(Scope, Period)})");

    private static string Describe(BudgetScope scope, BudgetPeriod period) => period switch
    {
        BudgetPeriod.PerCall => $"{scope} per call",
        BudgetPeriod.Day => $"{scope} per day",
        BudgetPeriod.Month => $"{scope} per month",
        _ => $"{scope} in total",
    };
}
