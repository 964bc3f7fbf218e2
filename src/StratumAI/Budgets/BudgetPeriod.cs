namespace StratumAI;

/// <summary>The window a <see cref="BudgetPolicy"/>'s limit applies to. Day and month windows are UTC calendar windows.</summary>
public enum BudgetPeriod
{
    /// <summary>Each call on its own: no call's worst-case cost may exceed the limit. Nothing accumulates; no alerts.</summary>
    PerCall = 0,

    /// <summary>A UTC calendar day, from 00:00 to the next 00:00.</summary>
    Day = 1,

    /// <summary>A UTC calendar month, from the 1st at 00:00 to the 1st of the next month.</summary>
    Month = 2,

    /// <summary>One window that never ends: the limit applies to everything spent since the budget was created.</summary>
    Total = 3,
}
