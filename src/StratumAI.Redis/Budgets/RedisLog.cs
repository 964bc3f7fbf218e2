using Microsoft.Extensions.Logging;

namespace StratumAI.Redis;

/// <summary>The log messages of StratumAI.Redis's budget store (events 1020–1024; docs/telemetry.md lists them).</summary>
internal static partial class RedisLog
{
    [LoggerMessage(EventId = 1020, EventName = "BudgetStoreUnavailable", Level = LogLevel.Warning,
        Message = "Budget store {Store} cannot be reached ({Reason}); calls under shared budgets are refused before sending until it answers (fail closed).")]
    public static partial void StoreUnavailable(ILogger logger, string store, string reason);

    [LoggerMessage(EventId = 1021, EventName = "BudgetStoreFailOpen", Level = LogLevel.Warning,
        Message = "Budget store {Store} cannot be reached ({Reason}); calls are admitted WITHOUT a shared budget check until it answers (FailOpen). Their costs are recorded when it is back.")]
    public static partial void FailOpen(ILogger logger, string store, string reason);

    [LoggerMessage(EventId = 1022, EventName = "BudgetSettlementDeferred", Level = LogLevel.Warning,
        Message = "Budget store {Store} cannot be reached ({Reason}); a settlement is kept in memory and retried until it answers ({Pending} waiting).")]
    public static partial void SettlementDeferred(ILogger logger, string store, string reason, int pending);

    [LoggerMessage(EventId = 1023, EventName = "BudgetStoreRecovered", Level = LogLevel.Information,
        Message = "Budget store {Store} answers again.")]
    public static partial void StoreRecovered(ILogger logger, string store);

    [LoggerMessage(EventId = 1024, EventName = "BudgetLeaseEnded", Level = LogLevel.Warning,
        Message = "A budget reservation of this process was completed after its lease in {Store} had ended (lease {Lease}); its cost was recorded, but for a while it was not reserved. Lengthen RedisBudgetOptions.Lease if calls stall this long.")]
    public static partial void LeaseEnded(ILogger logger, string store, TimeSpan lease);
}
