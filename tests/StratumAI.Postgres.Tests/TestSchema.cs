using Npgsql;
using StratumAI.TestSupport;

namespace StratumAI.Postgres.Tests;

/// <summary>
/// A schema of the shared test database (<see cref="TestServers.PostgresConnectionString"/>) unique to one test, with the
/// ledgers opened on it; disposing drops the schema. Tests never touch another test's schema, so they run beside other
/// sessions' tests on the same server.
/// </summary>
internal sealed class TestSchema : IAsyncDisposable
{
    private readonly List<PostgresCostLedger> _ledgers = [];

    private TestSchema(string connectionString, string name)
    {
        ConnectionString = connectionString;
        Name = name;
    }

    public string ConnectionString { get; }

    public string Name { get; }

    /// <summary>The schema's name as a quoted SQL identifier.</summary>
    public string Quoted => "\"" + Name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>A fresh schema name on the shared server, which must answer (the test fails naming it otherwise).</summary>
    public static async Task<TestSchema> CreateAsync(string prefix = "ledger") =>
        new(await TestServers.RequirePostgresAsync(), TestServers.UniqueName(prefix));

    public PostgresCostLedgerOptions Options(TimeSpan? retryTimeout = null) => new()
    {
        ConnectionString = ConnectionString,
        Schema = Name,
        RetryTimeout = retryTimeout ?? TimeSpan.FromSeconds(30),
    };

    /// <summary>A ledger on this schema, disposed with it.</summary>
    public PostgresCostLedger Open(TimeSpan? retryTimeout = null)
    {
        var ledger = new PostgresCostLedger(Options(retryTimeout));
        _ledgers.Add(ledger);
        return ledger;
    }

    /// <summary>Runs SQL on the shared database (outside any ledger).</summary>
    public async Task<object?> ScalarAsync(string sql)
    {
        await using var source = NpgsqlDataSource.Create(ConnectionString);
        await using var command = source.CreateCommand(sql);
        var value = await command.ExecuteScalarAsync();
        return value is DBNull ? null : value;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var ledger in _ledgers)
        {
            await ledger.DisposeAsync();
        }

        await ScalarAsync($"DROP SCHEMA IF EXISTS {Quoted} CASCADE;");
    }
}
