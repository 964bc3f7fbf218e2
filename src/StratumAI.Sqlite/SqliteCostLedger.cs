using System.Globalization;
using Microsoft.Data.Sqlite;

namespace StratumAI.Sqlite;

/// <summary>
/// An <see cref="ICostLedger"/> in an embedded SQLite database file: durable, WAL-journaled, exact, idempotent by
/// <see cref="CostRecord.Id"/>, with the report queries done in SQL.
/// </summary>
/// <remarks>
/// <para>
/// Durability: <see cref="AppendAsync"/> completes only after its transaction committed. With WAL and the default
/// <see cref="SqliteLedgerDurability.PowerLossSafe"/> a committed record survives a killed process and a power loss; a record
/// whose append did not complete is either wholly there or not at all, never half-written. Appending the same record again
/// (a restarted writer replaying what it may have written) stores nothing new.
/// </para>
/// <para>
/// Money is stored exactly: every <see cref="decimal"/> as TEXT in invariant culture (never REAL), and sums are computed in SQL
/// with a <see cref="decimal"/> aggregate function the ledger registers on its connections (<c>stratum_decimal_sum</c>).
/// The schema version is the database's <c>user_version</c> (<see cref="SchemaVersion"/>); a database of a newer version is refused.
/// </para>
/// <para>
/// Concurrency: thread-safe. Appends in one process go through one writer connection (SQLite has one writer at a time
/// anyway), so they never contend with each other for the file lock. Appends that arrive while a commit is in progress are
/// committed together in the next transaction (group commit, at most <see cref="MaxRecordsPerCommit"/> records): each still
/// completes only after the transaction holding its record committed, but many concurrent calls share one disk flush instead
/// of queueing for one flush each. Other processes may append to the same file, and then
/// waits for the lock are bounded by <see cref="SqliteCostLedgerOptions.BusyTimeout"/>. Queries use their own pooled connections
/// and, under WAL, never block or are blocked by writers; each query reads one consistent snapshot.
/// Microsoft.Data.Sqlite runs statements synchronously, so an append or query holds its thread for the duration of the disk I/O.
/// </para>
/// </remarks>
public sealed class SqliteCostLedger : ICostLedger, IAsyncDisposable, IDisposable
{
    /// <summary>
    /// The schema version this ledger writes and reads, stored in the database's <c>user_version</c>. A file of version 1 is
    /// migrated when first opened (version 2 added <c>is_estimated</c>, <see cref="CostRecord.IsEstimated"/>).
    /// </summary>
    public const int SchemaVersion = 2;

    /// <summary>The table of records.</summary>
    public const string RecordsTable = "stratum_cost_records";

    /// <summary>The table of record tags, one row per tag and position.</summary>
    public const string TagsTable = "stratum_cost_record_tags";

    private const string DecimalSum = "stratum_decimal_sum";

    private const string Columns =
        "r.seq, r.id, r.timestamp_utc_ticks, r.timestamp_offset_minutes, r.provider_id, r.model_id, r.caller, " +
        "r.input_tokens, r.cached_input_tokens, r.cache_write_input_tokens, r.output_tokens, r.reasoning_tokens, r.has_usage, " +
        "r.cost_input, r.cost_cached_input, r.cost_cache_write, r.cost_output, r.cost_reasoning, r.is_priced, r.outcome, " +
        "r.error_type, r.is_cache_hit, r.saved, r.request_id, r.is_estimated";

    private const string TotalsColumns =
        DecimalSum + "(r.cost_total), " + DecimalSum + "(r.saved), COUNT(*), COALESCE(SUM(r.outcome <> 0), 0), " +
        "COALESCE(SUM(r.is_cache_hit), 0), COALESCE(SUM(r.input_tokens), 0), COALESCE(SUM(r.output_tokens), 0), COALESCE(SUM(r.is_estimated), 0)";

    private static readonly string Schema = $"""
        CREATE TABLE {RecordsTable} (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            timestamp_utc_ticks INTEGER NOT NULL,
            timestamp_offset_minutes INTEGER NOT NULL,
            utc_day TEXT NOT NULL,
            provider_id TEXT,
            model_id TEXT,
            caller TEXT,
            input_tokens INTEGER NOT NULL,
            cached_input_tokens INTEGER NOT NULL,
            cache_write_input_tokens INTEGER NOT NULL,
            output_tokens INTEGER NOT NULL,
            reasoning_tokens INTEGER NOT NULL,
            has_usage INTEGER NOT NULL,
            cost_input TEXT NOT NULL,
            cost_cached_input TEXT NOT NULL,
            cost_cache_write TEXT NOT NULL,
            cost_output TEXT NOT NULL,
            cost_reasoning TEXT NOT NULL,
            cost_total TEXT NOT NULL,
            is_priced INTEGER NOT NULL,
            outcome INTEGER NOT NULL,
            error_type TEXT,
            is_cache_hit INTEGER NOT NULL,
            saved TEXT NOT NULL,
            request_id TEXT,
            is_estimated INTEGER NOT NULL DEFAULT 0
        ) STRICT;
        CREATE INDEX ix_{RecordsTable}_timestamp ON {RecordsTable} (timestamp_utc_ticks);
        CREATE INDEX ix_{RecordsTable}_day ON {RecordsTable} (utc_day);
        CREATE TABLE {TagsTable} (
            record_seq INTEGER NOT NULL REFERENCES {RecordsTable} (seq),
            position INTEGER NOT NULL,
            tag TEXT NOT NULL,
            PRIMARY KEY (record_seq, position)
        ) STRICT;
        CREATE INDEX ix_{TagsTable}_tag ON {TagsTable} (tag);
        PRAGMA user_version = {SchemaVersion.ToString(CultureInfo.InvariantCulture)};
        """;

    private const string Insert = $"""
        INSERT OR IGNORE INTO {RecordsTable} (
            id, timestamp_utc_ticks, timestamp_offset_minutes, utc_day, provider_id, model_id, caller,
            input_tokens, cached_input_tokens, cache_write_input_tokens, output_tokens, reasoning_tokens, has_usage,
            cost_input, cost_cached_input, cost_cache_write, cost_output, cost_reasoning, cost_total, is_priced, outcome,
            error_type, is_cache_hit, saved, request_id, is_estimated)
        VALUES (
            $id, $ticks, $offset, $day, $provider, $model, $caller,
            $input, $cached, $cacheWrite, $output, $reasoning, $hasUsage,
            $costInput, $costCached, $costCacheWrite, $costOutput, $costReasoning, $costTotal, $isPriced, $outcome,
            $errorType, $cacheHit, $saved, $requestId, $isEstimated)
        RETURNING seq;
        """;

    private static readonly string Migration1To2 = $"""
        ALTER TABLE {RecordsTable} ADD COLUMN is_estimated INTEGER NOT NULL DEFAULT 0;
        PRAGMA user_version = 2;
        """;

    private readonly string _connectionString;
    private readonly int _busyTimeoutMilliseconds;
    private readonly string _synchronous;
    /// <summary>The most records one transaction commits when appends arrive together.</summary>
    public const int MaxRecordsPerCommit = 256;

    private readonly LedgerGroupCommit _groupCommit;
    private long _commits;
    private readonly SemaphoreSlim _initGate = new(1, 1);
    private SqliteConnection? _writer;
    private volatile bool _initialized;
    private volatile bool _disposed;

    /// <summary>Creates a ledger in a database file with the default options.</summary>
    /// <param name="databasePath">The path of the database file; created when missing.</param>
    /// <exception cref="ArgumentException"><paramref name="databasePath"/> is null, empty or white space.</exception>
    public SqliteCostLedger(string databasePath)
        : this(new SqliteCostLedgerOptions { DatabasePath = databasePath })
    {
    }

    /// <summary>Creates a ledger. Nothing is opened until the first append or query.</summary>
    /// <param name="options">The options.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">Neither a database path nor a connection string is set, the connection string names an
    /// in-memory database, or the connection string is not valid.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="SqliteCostLedgerOptions.BusyTimeout"/> is negative or longer than 24 days.</exception>
    public SqliteCostLedger(SqliteCostLedgerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.BusyTimeout < TimeSpan.Zero || options.BusyTimeout > TimeSpan.FromDays(24))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.BusyTimeout, "SqliteCostLedgerOptions.BusyTimeout must be between zero and 24 days.");
        }

        SqliteConnectionStringBuilder builder;
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            builder = new SqliteConnectionStringBuilder(options.ConnectionString);
        }
        else if (!string.IsNullOrWhiteSpace(options.DatabasePath))
        {
            builder = new SqliteConnectionStringBuilder { DataSource = options.DatabasePath, Mode = SqliteOpenMode.ReadWriteCreate };
        }
        else
        {
            throw new ArgumentException("Set SqliteCostLedgerOptions.DatabasePath or SqliteCostLedgerOptions.ConnectionString.", nameof(options));
        }

        if (builder.Mode == SqliteOpenMode.Memory || string.IsNullOrEmpty(builder.DataSource) || string.Equals(builder.DataSource, ":memory:", StringComparison.Ordinal))
        {
            throw new ArgumentException("A SQLite cost ledger needs a database file (WAL journaling does not apply to in-memory databases); use InMemoryCostLedger for an in-memory ledger.", nameof(options));
        }

        builder.Pooling = true;

        // Microsoft.Data.Sqlite also retries SQLITE_BUSY until the command timeout; keep it in step with busy_timeout.
        builder.DefaultTimeout = Math.Max(1, (int)Math.Ceiling(options.BusyTimeout.TotalSeconds));
        _connectionString = builder.ToString();
        _busyTimeoutMilliseconds = (int)options.BusyTimeout.TotalMilliseconds;
        _synchronous = options.Durability == SqliteLedgerDurability.ProcessCrashSafe ? "NORMAL" : "FULL";
        DatabasePath = builder.DataSource;
        _groupCommit = new LedgerGroupCommit(CommitQueuedAsync);
    }

    /// <summary>The database file, as given.</summary>
    public string DatabasePath { get; }

    /// <inheritdoc />
    /// <remarks>
    /// Cancellation is honoured while the append waits for the writer; once its record is being written, the append completes
    /// with the write's outcome (a billed call is not dropped half-way). Concurrent appends share a transaction (see the class remarks).
    /// </remarks>
    /// <exception cref="SqliteException">The database could not be written, e.g. the disk is full or another process held the
    /// write lock for longer than <see cref="SqliteCostLedgerOptions.BusyTimeout"/>. Nothing was stored.</exception>
    /// <exception cref="InvalidOperationException">The database was written by a newer schema version, or WAL journaling could not be enabled.</exception>
    public async ValueTask AppendAsync(CostRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);

        await _groupCommit.AppendAsync(new PendingAppend(record), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>How many transactions appends have committed (each holds one or more records); for tests and diagnostics.</summary>
    internal long Commits => Interlocked.Read(ref _commits);

    /// <summary>Appends waiting for a writer to take them; for tests.</summary>
    internal int QueuedAppends => _groupCommit.Queued;

    /// <summary>Whether an append is committing (holds the writer); for tests.</summary>
    internal bool WriterBusy => _groupCommit.WriterBusy;

    /// <inheritdoc />
    /// <exception cref="SqliteException">The database could not be read.</exception>
    /// <exception cref="InvalidOperationException">The database was written by a newer schema version.</exception>
    public async ValueTask<IReadOnlyList<CostRecord>> GetRecordsAsync(DateTimeOffset? since = null, DateTimeOffset? until = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // One read transaction: the records and their tags come from the same snapshot.
            var transaction = connection.BeginTransaction(deferred: true);
            await using (transaction.ConfigureAwait(false))
            {
                var tags = new Dictionary<long, List<string>>();
                var tagCommand = Command(connection, $"SELECT t.record_seq, t.tag FROM {TagsTable} t JOIN {RecordsTable} r ON r.seq = t.record_seq WHERE 1 = 1{Range(since, until)} ORDER BY t.record_seq, t.position;", since, until);
                await using (tagCommand.ConfigureAwait(false))
                {
                    var reader = await tagCommand.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                        {
                            var seq = reader.GetInt64(0);
                            if (!tags.TryGetValue(seq, out var list))
                            {
                                tags[seq] = list = [];
                            }

                            list.Add(reader.GetString(1));
                        }
                    }
                }

                var records = new List<CostRecord>();
                var command = Command(connection, $"SELECT {Columns} FROM {RecordsTable} r WHERE 1 = 1{Range(since, until)} ORDER BY r.timestamp_utc_ticks, r.seq;", since, until);
                await using (command.ConfigureAwait(false))
                {
                    var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                        {
                            records.Add(ReadRecord(reader, tags));
                        }
                    }
                }

                return records;
            }
        }
    }

    /// <inheritdoc />
    /// <exception cref="SqliteException">The database could not be read.</exception>
    /// <exception cref="InvalidOperationException">The database was written by a newer schema version.</exception>
    public async ValueTask<CostTotals> GetTotalAsync(DateTimeOffset? since = null, DateTimeOffset? until = null, CancellationToken cancellationToken = default)
    {
        var totals = await QueryTotalsAsync($"SELECT '', {TotalsColumns} FROM {RecordsTable} r WHERE 1 = 1{Range(since, until)};", since, until, cancellationToken).ConfigureAwait(false);
        return totals.TryGetValue(string.Empty, out var total) && total.Calls > 0 ? total : CostTotals.Empty;
    }

    /// <inheritdoc />
    /// <exception cref="SqliteException">The database could not be read.</exception>
    /// <exception cref="InvalidOperationException">The database was written by a newer schema version.</exception>
    public async ValueTask<IReadOnlyDictionary<string, CostTotals>> GetTotalsAsync(CostGrouping groupBy, DateTimeOffset? since = null, DateTimeOffset? until = null, CancellationToken cancellationToken = default)
    {
        var range = Range(since, until);
        var sql = groupBy switch
        {
            CostGrouping.Day => $"SELECT r.utc_day, {TotalsColumns} FROM {RecordsTable} r WHERE 1 = 1{range} GROUP BY r.utc_day;",
            CostGrouping.Model => $"SELECT COALESCE(r.model_id, ''), {TotalsColumns} FROM {RecordsTable} r WHERE 1 = 1{range} GROUP BY COALESCE(r.model_id, '');",
            CostGrouping.Provider => $"SELECT COALESCE(r.provider_id, ''), {TotalsColumns} FROM {RecordsTable} r WHERE 1 = 1{range} GROUP BY COALESCE(r.provider_id, '');",
            CostGrouping.Caller => $"SELECT r.caller, {TotalsColumns} FROM {RecordsTable} r WHERE r.caller IS NOT NULL{range} GROUP BY r.caller;",

            // A record counts once under each distinct tag, however often the tag is repeated on it.
            CostGrouping.Tag => $"SELECT t.tag, {TotalsColumns} FROM {RecordsTable} r JOIN (SELECT DISTINCT record_seq, tag FROM {TagsTable}) t ON t.record_seq = r.seq WHERE 1 = 1{range} GROUP BY t.tag;",
            _ => throw new ArgumentOutOfRangeException(nameof(groupBy), groupBy, "Not a defined CostGrouping value."),
        };
        return await QueryTotalsAsync(sql, since, until, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Closes the writer connection and releases the database file (pooled connections included).</summary>
    /// <remarks>Waits for an append in progress to finish. Appends and queries after disposal throw <see cref="ObjectDisposedException"/>.</remarks>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _groupCommit.EnterWriter();
        try
        {
            _writer?.Dispose();
            _writer = null;
        }
        finally
        {
            _groupCommit.ExitWriter();
        }

        ClearPool();
    }

    /// <summary>Closes the writer connection and releases the database file (pooled connections included).</summary>
    /// <returns>Completes when closed.</returns>
    /// <remarks>Waits for an append in progress to finish. Appends and queries after disposal throw <see cref="ObjectDisposedException"/>.</remarks>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _groupCommit.EnterWriterAsync().ConfigureAwait(false);
        try
        {
            if (_writer is not null)
            {
                await _writer.DisposeAsync().ConfigureAwait(false);
                _writer = null;
            }
        }
        finally
        {
            _groupCommit.ExitWriter();
        }

        ClearPool();
    }

    private static string Range(DateTimeOffset? since, DateTimeOffset? until) =>
        (since is null ? string.Empty : " AND r.timestamp_utc_ticks >= $since") + (until is null ? string.Empty : " AND r.timestamp_utc_ticks < $until");

    private static SqliteCommand Command(SqliteConnection connection, string sql, DateTimeOffset? since = null, DateTimeOffset? until = null)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        if (since is not null)
        {
            command.Parameters.AddWithValue("$since", since.Value.UtcTicks);
        }

        if (until is not null)
        {
            command.Parameters.AddWithValue("$until", until.Value.UtcTicks);
        }

        return command;
    }

    private static string Text(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    private static decimal ParseDecimal(string text) =>
        decimal.Parse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);

    /// <summary>Takes up to <see cref="MaxRecordsPerCommit"/> queued appends and commits them in one transaction. Called under the write gate.</summary>
    private async Task CommitQueuedAsync()
    {
        var batch = new List<PendingAppend>();
        _groupCommit.TakeQueued(batch, MaxRecordsPerCommit);

        if (batch.Count == 0)
        {
            return;
        }

        if (_disposed)
        {
            var disposed = new ObjectDisposedException(GetType().FullName);
            batch.ForEach(pending => pending.Fail(disposed));
            return;
        }

        // The records of other callers are in this transaction: no one caller's token cancels it.
        if (await TryCommitAsync(batch).ConfigureAwait(false) is not { } error)
        {
            batch.ForEach(static pending => pending.Complete());
            return;
        }

        if (batch.Count == 1)
        {
            batch[0].Fail(error);
            return;
        }

        // Nothing of the batch was stored. Commit each record alone, so one record's failure is only its own.
        foreach (var pending in batch)
        {
            if (await TryCommitAsync([pending]).ConfigureAwait(false) is { } own)
            {
                pending.Fail(own);
            }
            else
            {
                pending.Complete();
            }
        }
    }

    /// <summary>Commits the records in one transaction; the exception when it failed (nothing of it stored), else null.</summary>
    private async Task<Exception?> TryCommitAsync(List<PendingAppend> batch)
    {
        try
        {
            _writer ??= await OpenAsync(CancellationToken.None).ConfigureAwait(false);
            await WriteAsync(_writer, batch, CancellationToken.None).ConfigureAwait(false);
            Interlocked.Increment(ref _commits);
            return null;
        }
        catch (Exception ex)
        {
            // Any failure, not only SQLite's: the other callers in the batch wait on this outcome and must get one.
            // The connection may be left in a bad state (an I/O error mid-transaction); the next commit opens a fresh one.
            if (_writer is not null)
            {
                await _writer.DisposeAsync().ConfigureAwait(false);
                _writer = null;
            }

            return ex;
        }
    }

    private static async Task WriteAsync(SqliteConnection connection, List<PendingAppend> batch, CancellationToken cancellationToken)
    {
        // BEGIN IMMEDIATE: takes the write lock up front, waiting (busy_timeout) for another process instead of failing on upgrade.
        var transaction = connection.BeginTransaction(deferred: false);
        await using (transaction.ConfigureAwait(false))
        {
            // One command per statement for the whole batch, prepared once: a new command per record made SQLite parse and
            // plan the insert again for every record, and most of the writer's time went there (issue 18).
            var insert = new InsertCommand(connection);
            await using (insert.ConfigureAwait(false))
            {
                foreach (var pending in batch)
                {
                    await insert.ExecuteAsync(pending.Record, cancellationToken).ConfigureAwait(false);
                }
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The record insert and the tag insert, with their parameters, reused for every record of a batch.</summary>
    private sealed class InsertCommand : IAsyncDisposable
    {
        private static readonly string[] RecordParameters =
        [
            "$id", "$ticks", "$offset", "$day", "$provider", "$model", "$caller", "$input", "$cached", "$cacheWrite", "$output",
            "$reasoning", "$hasUsage", "$costInput", "$costCached", "$costCacheWrite", "$costOutput", "$costReasoning",
            "$costTotal", "$isPriced", "$outcome", "$errorType", "$cacheHit", "$saved", "$requestId", "$isEstimated",
        ];

        private readonly SqliteCommand _record;
        private readonly SqliteParameter[] _values;
        private readonly SqliteCommand _tag;
        private readonly SqliteParameter _tagSeq;
        private readonly SqliteParameter _tagPosition;
        private readonly SqliteParameter _tagText;

        public InsertCommand(SqliteConnection connection)
        {
            _record = Command(connection, Insert);
            _values = new SqliteParameter[RecordParameters.Length];
            for (var i = 0; i < RecordParameters.Length; i++)
            {
                _values[i] = _record.Parameters.Add(new SqliteParameter { ParameterName = RecordParameters[i] });
            }

            _tag = Command(connection, $"INSERT INTO {TagsTable} (record_seq, position, tag) VALUES ($seq, $position, $tag);");
            _tagSeq = _tag.Parameters.Add("$seq", SqliteType.Integer);
            _tagPosition = _tag.Parameters.Add("$position", SqliteType.Integer);
            _tagText = _tag.Parameters.Add("$tag", SqliteType.Text);
        }

        public async Task ExecuteAsync(CostRecord record, CancellationToken cancellationToken)
        {
            object?[] values =
            [
                record.Id.ToString("D"), record.Timestamp.UtcTicks, (long)record.Timestamp.Offset.TotalMinutes,
                CostGroupingKeys.DayOf(record.Timestamp), record.ProviderId, record.ModelId, record.Caller,
                record.InputTokens, record.CachedInputTokens, record.CacheWriteInputTokens, record.OutputTokens,
                record.ReasoningTokens, record.HasUsage ? 1L : 0L, Text(record.Cost.Input), Text(record.Cost.CachedInput),
                Text(record.Cost.CacheWrite), Text(record.Cost.Output), Text(record.Cost.Reasoning), Text(record.Total),
                record.IsPriced ? 1L : 0L, (long)record.Outcome, record.ErrorType, record.IsCacheHit ? 1L : 0L,
                Text(record.Saved), record.RequestId, record.IsEstimated ? 1L : 0L,
            ];
            for (var i = 0; i < values.Length; i++)
            {
                _values[i].Value = values[i] ?? DBNull.Value;
            }

            // INSERT OR IGNORE ... RETURNING yields no row when the id is already stored (a replay): nothing to add.
            if (await _record.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not long seq)
            {
                return;
            }

            _tagSeq.Value = seq;
            for (var i = 0; i < record.Tags.Count; i++)
            {
                _tagPosition.Value = (long)i;
                _tagText.Value = record.Tags[i];
                await _tag.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _record.DisposeAsync().ConfigureAwait(false);
            await _tag.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static CostRecord ReadRecord(SqliteDataReader reader, Dictionary<long, List<string>> tags)
    {
        var seq = reader.GetInt64(0);
        var timestamp = new DateTimeOffset(reader.GetInt64(2), TimeSpan.Zero).ToOffset(TimeSpan.FromMinutes(reader.GetInt64(3)));
        return new CostRecord
        {
            Id = Guid.ParseExact(reader.GetString(1), "D"),
            Timestamp = timestamp,
            ProviderId = reader.IsDBNull(4) ? null : reader.GetString(4),
            ModelId = reader.IsDBNull(5) ? null : reader.GetString(5),
            Caller = reader.IsDBNull(6) ? null : reader.GetString(6),
            Tags = tags.TryGetValue(seq, out var list) ? list : [],
            InputTokens = reader.GetInt64(7),
            CachedInputTokens = reader.GetInt64(8),
            CacheWriteInputTokens = reader.GetInt64(9),
            OutputTokens = reader.GetInt64(10),
            ReasoningTokens = reader.GetInt64(11),
            HasUsage = reader.GetInt64(12) != 0,
            Cost = new CallCost(ParseDecimal(reader.GetString(13)), ParseDecimal(reader.GetString(14)), ParseDecimal(reader.GetString(15)), ParseDecimal(reader.GetString(16)), ParseDecimal(reader.GetString(17))),
            IsPriced = reader.GetInt64(18) != 0,
            Outcome = (CostOutcome)reader.GetInt64(19),
            ErrorType = reader.IsDBNull(20) ? null : reader.GetString(20),
            IsCacheHit = reader.GetInt64(21) != 0,
            Saved = ParseDecimal(reader.GetString(22)),
            RequestId = reader.IsDBNull(23) ? null : reader.GetString(23),
            IsEstimated = reader.GetInt64(24) != 0,
        };
    }

    private async Task<Dictionary<string, CostTotals>> QueryTotalsAsync(string sql, DateTimeOffset? since, DateTimeOffset? until, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var groups = new Dictionary<string, CostTotals>(StringComparer.Ordinal);
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = Command(connection, sql, since, until);
            await using (command.ConfigureAwait(false))
            {
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        groups[reader.GetString(0)] = new CostTotals(
                            ParseDecimal(reader.GetString(1)),
                            ParseDecimal(reader.GetString(2)),
                            reader.GetInt64(3),
                            reader.GetInt64(4),
                            reader.GetInt64(5),
                            reader.GetInt64(6),
                            reader.GetInt64(7))
                        {
                            EstimatedCalls = reader.GetInt64(8),
                        };
                    }
                }
            }
        }

        return groups;
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var pragmas = Command(connection, $"PRAGMA busy_timeout = {_busyTimeoutMilliseconds.ToString(CultureInfo.InvariantCulture)}; PRAGMA synchronous = {_synchronous}; PRAGMA foreign_keys = ON;");
            await using (pragmas.ConfigureAwait(false))
            {
                await pragmas.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            // Exact sums in SQL: SQLite's SUM would turn the TEXT amounts into REAL.
            connection.CreateAggregate(
                DecimalSum,
                0m,
                static (decimal sum, string value) => sum + ParseDecimal(value),
                static (decimal sum) => Text(sum),
                isDeterministic: true);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async ValueTask EnsureInitializedAsync(CancellationToken cancellationToken)
    {
        if (_initialized)
        {
            return;
        }

        await _initGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_initialized)
            {
                return;
            }

            var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                // WAL is a property of the file: set once, kept by every later connection and process.
                var wal = Command(connection, "PRAGMA journal_mode = WAL;");
                await using (wal.ConfigureAwait(false))
                {
                    var mode = (string?)await wal.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
                    if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
                    {
                        throw new InvalidOperationException($"The SQLite cost ledger could not enable WAL journaling on '{DatabasePath}' (journal mode is '{mode}'); it needs a local file system.");
                    }
                }

                // Under the write lock, so two processes opening a new file create the schema once.
                var transaction = connection.BeginTransaction(deferred: false);
                await using (transaction.ConfigureAwait(false))
                {
                    var versionCommand = Command(connection, "PRAGMA user_version;");
                    long version;
                    await using (versionCommand.ConfigureAwait(false))
                    {
                        version = (long)(await versionCommand.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
                    }

                    if (version == 0)
                    {
                        var create = Command(connection, Schema);
                        await using (create.ConfigureAwait(false))
                        {
                            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                        }
                    }
                    else if (version == 1)
                    {
                        // Version 2 added is_estimated; every record written before it reported its usage or cost nothing.
                        var migrate = Command(connection, Migration1To2);
                        await using (migrate.ConfigureAwait(false))
                        {
                            await migrate.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                        }
                    }
                    else if (version != SchemaVersion)
                    {
                        throw new InvalidOperationException(
                            $"The SQLite cost ledger '{DatabasePath}' has schema version {version.ToString(CultureInfo.InvariantCulture)}; this version of StratumAI.Sqlite reads versions 1 to {SchemaVersion.ToString(CultureInfo.InvariantCulture)} (migrating older ones) only.");
                    }

                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            _initialized = true;
        }
        finally
        {
            _initGate.Release();
        }
    }

    private void ClearPool()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }
}
