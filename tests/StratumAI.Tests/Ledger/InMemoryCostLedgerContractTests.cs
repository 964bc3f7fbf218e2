using StratumAI.TestSupport;

namespace StratumAI.Tests.Ledger;

/// <summary>The <see cref="ICostLedger"/> contract on <see cref="InMemoryCostLedger"/>; a second writer is the same instance (one process).</summary>
public sealed class InMemoryCostLedgerContractTests : CostLedgerContractTests
{
    private readonly InMemoryCostLedger _ledger = new();

    protected override Task<ICostLedger> CreateLedgerAsync() => Task.FromResult<ICostLedger>(_ledger);

    protected override Task<ICostLedger> OpenSecondWriterAsync() => Task.FromResult<ICostLedger>(_ledger);

    protected override Task DeleteStoreAsync() => Task.CompletedTask;
}
