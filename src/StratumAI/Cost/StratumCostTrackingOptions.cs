using System.Globalization;

namespace StratumAI;

/// <summary>Settings of <see cref="CostTrackingChatClient"/>: the ledger records are appended to, the default caller, and the catalog estimates are priced with.</summary>
/// <remarks>The client reads the values when it is created and keeps the instance; do not change it while calls run.</remarks>
public sealed class StratumCostTrackingOptions
{
    /// <summary>
    /// The ledger every record is appended to after the <see cref="CostTracker"/> got it, awaited before the call returns.
    /// See the remarks of <see cref="CostTrackingChatClient"/> for what happens when an append fails.
    /// </summary>
    /// <value>
    /// Default null: no ledger, except that <c>UseStratumCostTracking()</c> without a tracker takes the <see cref="ICostLedger"/>
    /// registered in the pipeline's services when there is one (<c>AddInMemoryCostLedger</c>, <c>AddSqliteCostLedger</c>).
    /// </value>
    public ICostLedger? Ledger { get; set; }

    /// <summary>The caller recorded when a call's options name none (<see cref="StratumChatOptionsExtensions.WithCaller"/>).</summary>
    /// <value>Default null.</value>
    public string? DefaultCaller { get; set; }

    /// <summary>
    /// The catalog a call's <see cref="Microsoft.Extensions.AI.ChatOptions.ModelId"/> is resolved in, to price an attempt that was
    /// sent but reported no usage (as the budget does).
    /// </summary>
    /// <value>Default null: the <see cref="StratumClient.Models"/> of the <see cref="StratumClient"/> below, else <see cref="ModelRegistry.Default"/>.</value>
    public ModelRegistry? Models { get; set; }

    /// <inheritdoc />
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"StratumCostTrackingOptions {{ Ledger = {(Ledger is null ? "(none)" : Ledger.GetType().Name)}, DefaultCaller = {DefaultCaller ?? "(none)"}, Models = {(Models is null ? "(client)" : "set")} }}");
}
