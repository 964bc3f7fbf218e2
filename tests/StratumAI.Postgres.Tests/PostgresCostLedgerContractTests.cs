using StratumAI.TestSupport;

namespace StratumAI.Postgres.Tests;

/// <summary>The <see cref="ICostLedger"/> contract on <see cref="PostgresCostLedger"/>: a fresh schema of the shared test server per test; a second writer is a second ledger (its own connection pool, as another process has).</summary>
public sealed class PostgresCostLedgerContractTests : CostLedgerContractTests
{
    private TestSchema? _schema;

    protected override async Task<ICostLedger> CreateLedgerAsync()
    {
        _schema = await TestSchema.CreateAsync("contract");
        return _schema.Open();
    }

    protected override Task<ICostLedger> OpenSecondWriterAsync() => Task.FromResult<ICostLedger>(_schema!.Open());

    protected override async Task DeleteStoreAsync()
    {
        if (_schema is not null)
        {
            await _schema.DisposeAsync();
        }
    }
}
