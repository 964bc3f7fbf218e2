using System.Globalization;

namespace StratumAI;

/// <summary>
/// A call was refused because its worst-case cost would take a budget over its limit. Thrown before any request is sent,
/// so the refused call cost nothing.
/// </summary>
/// <remarks>
/// The message names the policy, its scope and window, the limit, what is already spent and reserved by calls in flight,
/// and the refused call's worst case. It holds no API keys or prompt text. Not retryable: the same call fits again only
/// when the window rolls over, or with a cheaper model or a lower <see cref="Microsoft.Extensions.AI.ChatOptions.MaxOutputTokens"/>.
/// </remarks>
public class BudgetExceededException : StratumException
{
    /// <summary>Creates the exception with a generic message.</summary>
    public BudgetExceededException()
        : base("The call would exceed a budget.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public BudgetExceededException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public BudgetExceededException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The name of the policy that refused the call (<see cref="BudgetPolicy.Name"/>).</summary>
    public string? PolicyName { get; init; }

    /// <summary>The scope of that policy.</summary>
    public BudgetScope Scope { get; init; }

    /// <summary>The period of that policy.</summary>
    public BudgetPeriod Period { get; init; }

    /// <summary>The caller the limit was counted for, for a <see cref="BudgetScopeKind.EachCaller"/> policy; otherwise null.</summary>
    public string? ScopeKey { get; init; }

    /// <summary>The start of the window (UTC) the call would have been charged to; the call's time for <see cref="BudgetPeriod.PerCall"/>.</summary>
    public DateTimeOffset WindowStart { get; init; }

    /// <summary>The end of that window, or null for <see cref="BudgetPeriod.Total"/>.</summary>
    public DateTimeOffset? WindowEnd { get; init; }

    /// <summary>The policy's limit in USD.</summary>
    public decimal Limit { get; init; }

    /// <summary>What calls settled in the window spent, in USD.</summary>
    public decimal Spent { get; init; }

    /// <summary>What calls in flight have reserved in the window, in USD.</summary>
    public decimal Reserved { get; init; }

    /// <summary>The worst-case cost of the refused call, in USD.</summary>
    public decimal Requested { get; init; }

    /// <inheritdoc />
    public override bool IsRetryable => false;

    internal static BudgetExceededException Create(BudgetPolicy policy, string? scopeKey, DateTimeOffset windowStart, DateTimeOffset? windowEnd, decimal spent, decimal reserved, decimal requested)
    {
        var scope = scopeKey is null ? policy.Scope.ToString() : $"caller '{scopeKey}'";
        var window = policy.Period switch
        {
            BudgetPeriod.Day => string.Create(CultureInfo.InvariantCulture, $"the day {windowStart:yyyy-MM-dd} UTC"),
            BudgetPeriod.Month => string.Create(CultureInfo.InvariantCulture, $"the month {windowStart:yyyy-MM} UTC"),
            BudgetPeriod.Total => "all time",
            _ => "one call",
        };
        var message = policy.Period == BudgetPeriod.PerCall
            ? string.Create(CultureInfo.InvariantCulture, $"Budget '{policy.Name}' ({scope}, per call) refused the call before sending it: its worst-case cost ${requested} is above the limit ${policy.Limit}. Lower MaxOutputTokens or choose a cheaper model.")
            : string.Create(CultureInfo.InvariantCulture, $"Budget '{policy.Name}' ({scope}, {window}) refused the call before sending it: limit ${policy.Limit}, spent ${spent}, reserved by calls in flight ${reserved}, this call's worst case ${requested}.");
        return new BudgetExceededException(message)
        {
            PolicyName = policy.Name,
            Scope = policy.Scope,
            Period = policy.Period,
            ScopeKey = scopeKey,
            WindowStart = windowStart,
            WindowEnd = windowEnd,
            Limit = policy.Limit,
            Spent = spent,
            Reserved = reserved,
            Requested = requested,
        };
    }
}
