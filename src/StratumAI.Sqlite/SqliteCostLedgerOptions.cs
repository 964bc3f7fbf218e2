using System.ComponentModel.DataAnnotations;

namespace StratumAI.Sqlite;

/// <summary>Options of a <see cref="SqliteCostLedger"/>.</summary>
public sealed class SqliteCostLedgerOptions
{
    /// <summary>The path of the database file; created (with its schema) when missing. Ignored when <see cref="ConnectionString"/> is set.</summary>
    /// <value>Null by default; either this or <see cref="ConnectionString"/> must be set.</value>
    public string? DatabasePath { get; set; }

    /// <summary>A full Microsoft.Data.Sqlite connection string, for settings beyond the path (e.g. a read-write mode or a password with SQLCipher).</summary>
    /// <value>Null by default. It must name a file database: WAL journaling needs one.</value>
    public string? ConnectionString { get; set; }

    /// <summary>How long a statement waits for a lock held by another connection or process (SQLite <c>busy_timeout</c>) before it fails.</summary>
    /// <value>30 seconds by default; from zero to about 24 days.</value>
    [Range(typeof(TimeSpan), "00:00:00", "24.00:00:00")]
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>When a committed append is safe.</summary>
    /// <value><see cref="SqliteLedgerDurability.PowerLossSafe"/> by default.</value>
    public SqliteLedgerDurability Durability { get; set; } = SqliteLedgerDurability.PowerLossSafe;
}

/// <summary>How hard a <see cref="SqliteCostLedger"/> works to keep a committed append (the SQLite <c>synchronous</c> setting, with WAL).</summary>
public enum SqliteLedgerDurability
{
    /// <summary>
    /// <c>synchronous=FULL</c>: the write-ahead log is synced to disk at every commit, so a committed record survives a crash of the
    /// process and a loss of power or an operating-system crash. The default: a ledger holds money.
    /// </summary>
    PowerLossSafe = 0,

    /// <summary>
    /// <c>synchronous=NORMAL</c>: faster commits; a committed record survives a crash or kill of the process (the log is in the
    /// operating system's cache), but the last commits before a power loss or operating-system crash may be rolled back.
    /// The database is never corrupted either way.
    /// </summary>
    ProcessCrashSafe = 1,
}
