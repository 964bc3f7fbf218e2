using Npgsql;
using StratumAI.TestSupport;

namespace StratumAI.Postgres.Tests;

/// <summary>The shared PostgreSQL test server that <c>.ci/services</c> starts answers with the settings every test assumes.</summary>
public sealed class TestServerTests
{
    [Fact]
    public async Task The_shared_test_database_answers_as_postgres_on_stratum_test()
    {
        var connectionString = await TestServers.RequirePostgresAsync();
        await using var source = NpgsqlDataSource.Create(connectionString);
        await using var command = source.CreateCommand("SELECT current_user, current_database(), current_setting('server_version_num')::int;");
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal("postgres", reader.GetString(0));
        Assert.Equal("stratum_test", reader.GetString(1));
        Assert.True(reader.GetInt32(2) >= 150000, "PostgreSQL 15 or later");
    }

    [Fact]
    public async Task An_unreachable_server_fails_with_how_to_start_it()
    {
        var port = TestServers.FreeTcpPort();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => TestServers.RequirePostgresAsync($"Host=127.0.0.1;Port={port};Username=postgres;Database=stratum_test"));

        Assert.Contains("PostgreSQL", error.Message, StringComparison.Ordinal);
        Assert.Contains(TestServers.PostgresVariable, error.Message, StringComparison.Ordinal);
        Assert.Contains("bash .ci/services start", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unique_names_are_valid_postgres_identifiers()
    {
        var a = TestServers.UniqueName("ledger_contract");
        var b = TestServers.UniqueName("ledger_contract");
        Assert.NotEqual(a, b);
        Assert.Matches("^[a-z][a-z0-9_]{0,62}$", a);
    }
}
