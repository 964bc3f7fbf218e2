using System.Diagnostics;

namespace StratumAI;

/// <summary>
/// Adds per-attempt events (retry, fallback, budget refusal) to the span of the <see cref="TelemetryChatClient"/> the
/// call runs under. Middleware inside the telemetry middleware calls these; outside a StratumAI span they do nothing,
/// so they never decorate someone else's activity.
/// </summary>
internal static class StratumActivityEvents
{
    /// <summary>The custom property that marks an activity as a StratumAI chat span.</summary>
    internal const string MarkerProperty = "stratum.chat";

    public static void Retry(string? model, string? providerId, int attempt, TimeSpan delay, string errorType) =>
        Add(StratumTelemetryNames.RetryEvent, new ActivityTagsCollection
        {
            [GenAI.RequestModel] = model,
            [StratumTelemetryNames.ProviderIdAttribute] = providerId,
            ["stratum.attempt"] = attempt,
            ["stratum.retry.delay_seconds"] = delay.TotalSeconds,
            [GenAI.ErrorType] = errorType,
        });

    public static void Fallback(string? fromModel, string toModel, string errorType) =>
        Add(StratumTelemetryNames.FallbackEvent, new ActivityTagsCollection
        {
            ["stratum.fallback.from_model"] = fromModel,
            ["stratum.fallback.to_model"] = toModel,
            [GenAI.ErrorType] = errorType,
        });

    public static void BudgetRejected(string scope, decimal limitUsd, decimal requestedUsd) =>
        Add(StratumTelemetryNames.BudgetRejectedEvent, new ActivityTagsCollection
        {
            ["stratum.budget.scope"] = scope,
            ["stratum.budget.limit_usd"] = (double)limitUsd,
            ["stratum.budget.requested_usd"] = (double)requestedUsd,
        });

    private static void Add(string name, ActivityTagsCollection tags)
    {
        if (Activity.Current is { } activity && activity.GetCustomProperty(MarkerProperty) is not null)
        {
            activity.AddEvent(new ActivityEvent(name, tags: tags));
        }
    }
}
