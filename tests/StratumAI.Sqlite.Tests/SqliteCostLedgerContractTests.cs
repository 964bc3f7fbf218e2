using StratumAI.TestSupport;

namespace StratumAI.Sqlite.Tests;

/// <summary>The <see cref="ICostLedger"/> contract on <see cref="SqliteCostLedger"/>: a fresh file per test; a second writer is a second ledger on the file.</summary>
public sealed class SqliteCostLedgerContractTests : CostLedgerContractTests
{
    private readonly TempDirectory _temp = new();
    private readonly List<SqliteCostLedger> _ledgers = [];

    protected override Task<ICostLedger> CreateLedgerAsync() => Task.FromResult<ICostLedger>(Open());

    protected override Task<ICostLedger> OpenSecondWriterAsync() => Task.FromResult<ICostLedger>(Open());

    protected override async Task DeleteStoreAsync()
    {
        foreach (var ledger in _ledgers)
        {
            await ledger.DisposeAsync();
        }

        _temp.Dispose();
    }

    private SqliteCostLedger Open()
    {
        var ledger = new SqliteCostLedger(_temp.File("ledger.db"));
        _ledgers.Add(ledger);
        return ledger;
    }
}
