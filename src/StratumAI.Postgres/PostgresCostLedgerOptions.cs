using System.ComponentModel.DataAnnotations;

namespace StratumAI.Postgres;

/// <summary>Options of a <see cref="PostgresCostLedger"/>.</summary>
public sealed class PostgresCostLedgerOptions
{
    /// <summary>The Npgsql connection string of the database, e.g. <c>Host=db;Username=stratum;Password=…;Database=billing</c>.</summary>
    /// <value>Null by default; required.</value>
    public string? ConnectionString { get; set; }

    /// <summary>The PostgreSQL schema that holds the ledger's tables; created (with the tables) when missing.</summary>
    /// <value><c>public</c> by default. Every process that shares a ledger names the same schema.</value>
    public string Schema { get; set; } = "public";

    /// <summary>
    /// How long an append keeps retrying, with backoff, while the server is unreachable, restarting or fails with another
    /// transient error, before it gives up and throws (and a call's cost tracking reports <see cref="CostLedgerException"/>).
    /// </summary>
    /// <value>30 seconds by default; zero tries once. At most one day.</value>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan RetryTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
