namespace StratumAI;

/// <summary>What kind of calls a <see cref="BudgetPolicy"/> limits.</summary>
public enum BudgetScopeKind
{
    /// <summary>Every call.</summary>
    Global = 0,

    /// <summary>Calls carrying one tag (<see cref="StratumOptionKeys.Tags"/>).</summary>
    Tag = 1,

    /// <summary>Calls made by one caller (<see cref="StratumOptionKeys.Caller"/>).</summary>
    Caller = 2,

    /// <summary>Every caller separately: each caller key gets its own limit. Calls without a caller are not limited by it.</summary>
    EachCaller = 3,
}

/// <summary>Which calls a <see cref="BudgetPolicy"/> applies to: all, those with a tag, those of a caller, or each caller apart.</summary>
/// <remarks>
/// Tags are read from <see cref="Microsoft.Extensions.AI.ChatOptions.AdditionalProperties"/> under <see cref="StratumOptionKeys.Tags"/>
/// (any sequence of strings) and the caller under <see cref="StratumOptionKeys.Caller"/> (a string), the keys cost tracking
/// groups by. Values compare ordinally. Immutable.
/// </remarks>
public readonly record struct BudgetScope
{
    private BudgetScope(BudgetScopeKind kind, string? value)
    {
        Kind = kind;
        Value = value;
    }

    /// <summary>Every call.</summary>
    public static BudgetScope Global => new(BudgetScopeKind.Global, null);

    /// <summary>Each caller separately (a per-user budget): every caller key gets its own limit and window.</summary>
    public static BudgetScope EachCaller => new(BudgetScopeKind.EachCaller, null);

    /// <summary>The kind of scope.</summary>
    public BudgetScopeKind Kind { get; }

    /// <summary>The tag or caller for <see cref="BudgetScopeKind.Tag"/> and <see cref="BudgetScopeKind.Caller"/>; otherwise null.</summary>
    public string? Value { get; }

    /// <summary>Calls that carry <paramref name="tag"/>.</summary>
    /// <param name="tag">The tag, e.g. <c>summarize</c>.</param>
    /// <returns>The scope.</returns>
    /// <exception cref="ArgumentException"><paramref name="tag"/> is null or empty.</exception>
    public static BudgetScope Tag(string tag)
    {
        ArgumentException.ThrowIfNullOrEmpty(tag);
        return new(BudgetScopeKind.Tag, tag);
    }

    /// <summary>Calls made by <paramref name="caller"/> (a user or service key).</summary>
    /// <param name="caller">The caller key.</param>
    /// <returns>The scope.</returns>
    /// <exception cref="ArgumentException"><paramref name="caller"/> is null or empty.</exception>
    public static BudgetScope Caller(string caller)
    {
        ArgumentException.ThrowIfNullOrEmpty(caller);
        return new(BudgetScopeKind.Caller, caller);
    }

    /// <summary>Finds the key of the bucket a call is charged to under this scope.</summary>
    /// <param name="tags">The call's tags.</param>
    /// <param name="caller">The call's caller, or null.</param>
    /// <param name="key">The caller for <see cref="BudgetScopeKind.EachCaller"/>, otherwise the empty string.</param>
    /// <returns>True when the scope covers the call.</returns>
    internal bool TryGetKey(IReadOnlyCollection<string> tags, string? caller, out string key)
    {
        key = string.Empty;
        switch (Kind)
        {
            case BudgetScopeKind.Global:
                return true;
            case BudgetScopeKind.Tag:
                return tags.Contains(Value!, StringComparer.Ordinal);
            case BudgetScopeKind.Caller:
                return string.Equals(caller, Value, StringComparison.Ordinal);
            case BudgetScopeKind.EachCaller when !string.IsNullOrEmpty(caller):
                key = caller;
                return true;
            default:
                return false;
        }
    }

    /// <summary>A short description: <c>global</c>, <c>tag 'x'</c>, <c>caller 'y'</c> or <c>each caller</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => Kind switch
    {
        BudgetScopeKind.Tag => $"tag '{Value}'",
        BudgetScopeKind.Caller => $"caller '{Value}'",
        BudgetScopeKind.EachCaller => "each caller",
        _ => "global",
    };
}
