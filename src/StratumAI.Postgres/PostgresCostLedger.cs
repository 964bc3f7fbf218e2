using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace StratumAI.Postgres;

/// <summary>
/// An <see cref="ICostLedger"/> in a PostgreSQL database, for many processes on many machines writing at once: exact
/// (<c>numeric</c>), idempotent by <see cref="CostRecord.Id"/>, with group commit and the report queries done in SQL.
/// </summary>
/// <remarks>
/// <para>
/// Durability: <see cref="AppendAsync"/> completes only after the transaction holding its record committed on the server.
/// A record is stored whole or not at all. Appending a record whose id is already stored, from this process or any
/// other, stores nothing new (<c>INSERT … ON CONFLICT (id) DO NOTHING</c>), so a writer may always append again when it
/// does not know whether an append went through.
/// </para>
/// <para>
/// Failures: while the server is unreachable, restarting, or fails with another transient error (a lost connection, a
/// command timeout, a serialization failure or deadlock), an append retries with exponential backoff for up to
/// <see cref="PostgresCostLedgerOptions.RetryTimeout"/>, and only then throws <see cref="NpgsqlException"/> — through cost
/// tracking, the call throws <see cref="CostLedgerException"/> carrying the record. A billed call is never dropped
/// silently. A record the server refuses (e.g. text holding a NUL character) fails only its own append. Queries do not
/// retry: they throw the server's error.
/// </para>
/// <para>
/// Money is stored exactly, every amount as <c>numeric</c>, and summed in SQL with <c>numeric</c> arithmetic. The
/// schema's version is kept in <see cref="VersionTable"/> (<see cref="SchemaVersion"/>); the first ledger to open a
/// database creates the schema and tables under an advisory lock, so many processes may start at once, and a database of
/// a newer version is refused.
/// </para>
/// <para>
/// Concurrency: thread-safe. In one process, appends go through one writer at a time; appends that arrive while a commit
/// is in progress are committed together by the next one, as one multi-row <c>INSERT</c> (group commit, at most
/// <see cref="MaxRecordsPerCommit"/> records), so a thousand concurrent calls share a few round trips and commits. Any
/// number of processes may append to the same database. Queries run on pooled connections of their own and each reads
/// one consistent snapshot.
/// </para>
/// </remarks>
public sealed class PostgresCostLedger : ICostLedger, IAsyncDisposable, IDisposable
{
    /// <summary>The schema version this ledger writes and reads, kept in <see cref="VersionTable"/>.</summary>
    public const int SchemaVersion = 1;

    /// <summary>The table of records, one row per record (its tags in a <c>text[]</c> column).</summary>
    public const string RecordsTable = "stratum_cost_records";

    /// <summary>The one-row table holding the schema version of the ledger's tables.</summary>
    public const string VersionTable = "stratum_cost_ledger_version";

    /// <summary>The most records one transaction commits when appends arrive together.</summary>
    public const int MaxRecordsPerCommit = 500;

    private const string Columns =
        "r.id, r.timestamp_utc_ticks, r.timestamp_offset_minutes, r.provider_id, r.model_id, r.caller, r.tags, " +
        "r.input_tokens, r.cached_input_tokens, r.cache_write_input_tokens, r.output_tokens, r.reasoning_tokens, r.has_usage, " +
        "r.cost_input, r.cost_cached_input, r.cost_cache_write, r.cost_output, r.cost_reasoning, r.is_priced, r.outcome, " +
        "r.error_type, r.is_cache_hit, r.saved, r.request_id, r.is_estimated";

    // Sums are read as text: numeric is exact, and its text always parses into a decimal (rounded only past 28 digits,
    // as decimal addition would be), where a numeric of more digits than a decimal holds would not convert.
    private const string TotalsColumns =
        "COALESCE(SUM(r.cost_total), 0)::text, COALESCE(SUM(r.saved), 0)::text, COUNT(*), COUNT(*) FILTER (WHERE r.outcome <> 0), " +
        "COUNT(*) FILTER (WHERE r.is_cache_hit), COALESCE(SUM(r.input_tokens), 0)::bigint, COALESCE(SUM(r.output_tokens), 0)::bigint, " +
        "COUNT(*) FILTER (WHERE r.is_estimated)";

    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(2);

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _schema;
    private readonly string _records;
    private readonly string _version;
    private readonly string _insert;
    private readonly long _retryTicks;
    private readonly LedgerGroupCommit _groupCommit;
    private readonly SemaphoreSlim _initGate = new(1, 1);
    private readonly CancellationTokenSource _disposing = new();
    private long _commits;
    private long _retries;
    private volatile bool _initialized;
    private volatile bool _disposed;
    private int _disposeStarted;

    /// <summary>Creates a ledger in the <c>public</c> schema of a database, with the default options.</summary>
    /// <param name="connectionString">The Npgsql connection string.</param>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is null, empty, white space or not valid.</exception>
    public PostgresCostLedger(string connectionString)
        : this(new PostgresCostLedgerOptions { ConnectionString = connectionString })
    {
    }

    /// <summary>Creates a ledger. Nothing is opened until the first append or query.</summary>
    /// <param name="options">The options.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">The connection string is missing or not valid, or the schema name is empty, longer than 63 characters or holds a NUL character.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="PostgresCostLedgerOptions.RetryTimeout"/> is negative or longer than a day.</exception>
    public PostgresCostLedger(PostgresCostLedgerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            throw new ArgumentException("Set PostgresCostLedgerOptions.ConnectionString (an Npgsql connection string).", nameof(options));
        }

        if (string.IsNullOrWhiteSpace(options.Schema) || options.Schema.Length > 63 || options.Schema.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("PostgresCostLedgerOptions.Schema must be a PostgreSQL identifier of 1 to 63 characters.", nameof(options));
        }

        if (options.RetryTimeout < TimeSpan.Zero || options.RetryTimeout > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.RetryTimeout, "PostgresCostLedgerOptions.RetryTimeout must be between zero and one day.");
        }

        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"PostgresCostLedgerOptions.ConnectionString is not a valid Npgsql connection string: {ex.Message}", nameof(options), ex);
        }

        _dataSource = NpgsqlDataSource.Create(builder);
        _groupCommit = new LedgerGroupCommit(CommitQueuedAsync);
        Schema = options.Schema;
        RetryTimeout = options.RetryTimeout;
        _retryTicks = (long)(options.RetryTimeout.TotalSeconds * Stopwatch.Frequency);
        _schema = QuoteIdentifier(options.Schema);
        _records = $"{_schema}.{RecordsTable}";
        _version = $"{_schema}.{VersionTable}";
        _insert = $"""
            INSERT INTO {_records} (
                id, timestamp_utc, timestamp_utc_ticks, timestamp_offset_minutes, utc_day, provider_id, model_id, caller, tags,
                input_tokens, cached_input_tokens, cache_write_input_tokens, output_tokens, reasoning_tokens, has_usage,
                cost_input, cost_cached_input, cost_cache_write, cost_output, cost_reasoning, cost_total, is_priced, outcome,
                error_type, is_cache_hit, saved, request_id, is_estimated)
            SELECT u.id, u.timestamp_utc, u.ticks, u.offset_minutes, u.utc_day, u.provider_id, u.model_id, u.caller,
                ARRAY(SELECT jsonb_array_elements_text(u.tags::jsonb)),
                u.input_tokens, u.cached_input_tokens, u.cache_write_input_tokens, u.output_tokens, u.reasoning_tokens, u.has_usage,
                u.cost_input, u.cost_cached_input, u.cost_cache_write, u.cost_output, u.cost_reasoning, u.cost_total, u.is_priced, u.outcome,
                u.error_type, u.is_cache_hit, u.saved, u.request_id, u.is_estimated
            FROM unnest(
                $1::uuid[], $2::timestamptz[], $3::bigint[], $4::integer[], $5::date[], $6::text[], $7::text[], $8::text[], $9::text[],
                $10::bigint[], $11::bigint[], $12::bigint[], $13::bigint[], $14::bigint[], $15::boolean[],
                $16::numeric[], $17::numeric[], $18::numeric[], $19::numeric[], $20::numeric[], $21::numeric[], $22::boolean[], $23::integer[],
                $24::text[], $25::boolean[], $26::numeric[], $27::text[], $28::boolean[])
                WITH ORDINALITY AS u(
                    id, timestamp_utc, ticks, offset_minutes, utc_day, provider_id, model_id, caller, tags,
                    input_tokens, cached_input_tokens, cache_write_input_tokens, output_tokens, reasoning_tokens, has_usage,
                    cost_input, cost_cached_input, cost_cache_write, cost_output, cost_reasoning, cost_total, is_priced, outcome,
                    error_type, is_cache_hit, saved, request_id, is_estimated, position)
            ORDER BY u.position
            ON CONFLICT (id) DO NOTHING;
            """;
    }

    /// <summary>The schema that holds the ledger's tables, as given.</summary>
    public string Schema { get; }

    /// <summary>How long an append retries transient failures before it throws.</summary>
    public TimeSpan RetryTimeout { get; }

    /// <inheritdoc />
    /// <remarks>
    /// Cancellation is honoured while the append waits for the writer; once its record is being written, the append completes
    /// with the write's outcome (a billed call is not dropped half-way). Concurrent appends share a transaction (see the class
    /// remarks); transient failures are retried for up to <see cref="PostgresCostLedgerOptions.RetryTimeout"/>.
    /// </remarks>
    /// <exception cref="NpgsqlException">The record could not be stored: the server stayed unreachable or kept failing
    /// transiently for <see cref="PostgresCostLedgerOptions.RetryTimeout"/>, or refused this record. After a lost connection the
    /// record may have been committed all the same; appending it again is safe.</exception>
    /// <exception cref="InvalidOperationException">The database holds the ledger's tables at a newer schema version.</exception>
    public async ValueTask AppendAsync(CostRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();

        await _groupCommit.AppendAsync(new PendingAppend(record, Stopwatch.GetTimestamp() + _retryTicks), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>How many transactions appends have committed (each holds one or more records); for tests and diagnostics.</summary>
    internal long Commits => Interlocked.Read(ref _commits);

    /// <summary>How many times a commit was retried after a transient failure; for tests and diagnostics.</summary>
    internal long Retries => Interlocked.Read(ref _retries);

    /// <summary>Appends waiting for a writer to take them; for tests.</summary>
    internal int QueuedAppends => _groupCommit.Queued;

    /// <summary>Whether an append is committing (holds the writer); for tests.</summary>
    internal bool WriterBusy => _groupCommit.WriterBusy;

    /// <inheritdoc />
    /// <exception cref="NpgsqlException">The database could not be read.</exception>
    /// <exception cref="InvalidOperationException">The database holds the ledger's tables at a newer schema version.</exception>
    public async ValueTask<IReadOnlyList<CostRecord>> GetRecordsAsync(DateTimeOffset? since = null, DateTimeOffset? until = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var records = new List<CostRecord>();
        var command = Command($"SELECT {Columns} FROM {_records} r WHERE TRUE{Range(since, until)} ORDER BY r.timestamp_utc_ticks, r.seq;", since, until);
        await using (command.ConfigureAwait(false))
        {
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    records.Add(ReadRecord(reader));
                }
            }
        }

        return records;
    }

    /// <inheritdoc />
    /// <remarks>The sum of a ledger's spend over a window is <c>(await ledger.GetTotalAsync(since, until)).Cost</c>, computed in SQL.</remarks>
    /// <exception cref="NpgsqlException">The database could not be read.</exception>
    /// <exception cref="InvalidOperationException">The database holds the ledger's tables at a newer schema version.</exception>
    public async ValueTask<CostTotals> GetTotalAsync(DateTimeOffset? since = null, DateTimeOffset? until = null, CancellationToken cancellationToken = default)
    {
        var totals = await QueryTotalsAsync($"SELECT '', {TotalsColumns} FROM {_records} r WHERE TRUE{Range(since, until)};", since, until, cancellationToken).ConfigureAwait(false);
        return totals.TryGetValue(string.Empty, out var total) && total.Calls > 0 ? total : CostTotals.Empty;
    }

    /// <inheritdoc />
    /// <exception cref="NpgsqlException">The database could not be read.</exception>
    /// <exception cref="InvalidOperationException">The database holds the ledger's tables at a newer schema version.</exception>
    public async ValueTask<IReadOnlyDictionary<string, CostTotals>> GetTotalsAsync(CostGrouping groupBy, DateTimeOffset? since = null, DateTimeOffset? until = null, CancellationToken cancellationToken = default)
    {
        var range = Range(since, until);
        var sql = groupBy switch
        {
            CostGrouping.Day => $"SELECT to_char(r.utc_day, 'YYYY-MM-DD'), {TotalsColumns} FROM {_records} r WHERE TRUE{range} GROUP BY r.utc_day;",
            CostGrouping.Model => $"SELECT COALESCE(r.model_id, ''), {TotalsColumns} FROM {_records} r WHERE TRUE{range} GROUP BY 1;",
            CostGrouping.Provider => $"SELECT COALESCE(r.provider_id, ''), {TotalsColumns} FROM {_records} r WHERE TRUE{range} GROUP BY 1;",
            CostGrouping.Caller => $"SELECT r.caller, {TotalsColumns} FROM {_records} r WHERE r.caller IS NOT NULL{range} GROUP BY r.caller;",

            // A record counts once under each distinct tag, however often the tag is repeated on it.
            CostGrouping.Tag => $"SELECT t.tag, {TotalsColumns} FROM {_records} r CROSS JOIN LATERAL (SELECT DISTINCT u.tag FROM unnest(r.tags) AS u(tag)) t WHERE TRUE{range} GROUP BY t.tag;",
            _ => throw new ArgumentOutOfRangeException(nameof(groupBy), groupBy, "Not a defined CostGrouping value."),
        };
        return await QueryTotalsAsync(sql, since, until, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Closes the ledger's connections.</summary>
    /// <remarks>
    /// Waits for an append in progress to finish; an append still retrying an unreachable server stops retrying and throws.
    /// Appends and queries after disposal throw <see cref="ObjectDisposedException"/>.
    /// </remarks>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Closes the ledger's connections.</summary>
    /// <returns>Completes when closed.</returns>
    /// <remarks>
    /// Waits for an append in progress to finish; an append still retrying an unreachable server stops retrying and throws.
    /// Appends and queries after disposal throw <see cref="ObjectDisposedException"/>.
    /// </remarks>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposeStarted, 1) == 1)
        {
            return;
        }

        _disposed = true;
        await _disposing.CancelAsync().ConfigureAwait(false);
        await _groupCommit.EnterWriterAsync().ConfigureAwait(false);
        try
        {
            // Appends that queued after the last commit: no writer will take them now.
            var disposed = new ObjectDisposedException(GetType().FullName, "The PostgreSQL cost ledger was disposed before the record was stored.");
            var abandoned = new List<PendingAppend>();
            _groupCommit.TakeQueued(abandoned, int.MaxValue);
            abandoned.ForEach(pending => pending.Fail(disposed));

            await _dataSource.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _groupCommit.ExitWriter();
        }

        _disposing.Dispose();
    }

    /// <summary>Whether a failure may pass when tried again: the server unreachable, restarting or overloaded, a lost connection, a timeout, a serialization failure or a deadlock.</summary>
    internal static bool IsTransient(Exception error) => error switch
    {
        PostgresException postgres => postgres.IsTransient
            || postgres.SqlState.StartsWith("08", StringComparison.Ordinal) // connection exception
            || postgres.SqlState.StartsWith("53", StringComparison.Ordinal) // insufficient resources
            || postgres.SqlState.StartsWith("57P", StringComparison.Ordinal) // admin/crash shutdown, cannot connect now
            || postgres.SqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.LockNotAvailable,
        NpgsqlException npgsql => npgsql.IsTransient || npgsql.InnerException is IOException or SocketException or TimeoutException,
        IOException or SocketException or TimeoutException => true,
        _ => false,
    };

    private static string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string Range(DateTimeOffset? since, DateTimeOffset? until) =>
        (since is null ? string.Empty : " AND r.timestamp_utc_ticks >= @since") + (until is null ? string.Empty : " AND r.timestamp_utc_ticks < @until");

    private NpgsqlCommand Command(string sql, DateTimeOffset? since = null, DateTimeOffset? until = null)
    {
        var command = _dataSource.CreateCommand(sql);
        if (since is not null)
        {
            command.Parameters.AddWithValue("since", since.Value.UtcTicks);
        }

        if (until is not null)
        {
            command.Parameters.AddWithValue("until", until.Value.UtcTicks);
        }

        return command;
    }

    private static decimal ParseDecimal(string text) =>
        decimal.Parse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);

    private async Task<Dictionary<string, CostTotals>> QueryTotalsAsync(string sql, DateTimeOffset? since, DateTimeOffset? until, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var groups = new Dictionary<string, CostTotals>(StringComparer.Ordinal);
        var command = Command(sql, since, until);
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

        return groups;
    }

    private static CostRecord ReadRecord(NpgsqlDataReader reader) => new()
    {
        Id = reader.GetGuid(0),
        Timestamp = new DateTimeOffset(reader.GetInt64(1), TimeSpan.Zero).ToOffset(TimeSpan.FromMinutes(reader.GetInt32(2))),
        ProviderId = reader.IsDBNull(3) ? null : reader.GetString(3),
        ModelId = reader.IsDBNull(4) ? null : reader.GetString(4),
        Caller = reader.IsDBNull(5) ? null : reader.GetString(5),
        Tags = reader.GetFieldValue<string[]>(6),
        InputTokens = reader.GetInt64(7),
        CachedInputTokens = reader.GetInt64(8),
        CacheWriteInputTokens = reader.GetInt64(9),
        OutputTokens = reader.GetInt64(10),
        ReasoningTokens = reader.GetInt64(11),
        HasUsage = reader.GetBoolean(12),
        Cost = new CallCost(reader.GetDecimal(13), reader.GetDecimal(14), reader.GetDecimal(15), reader.GetDecimal(16), reader.GetDecimal(17)),
        IsPriced = reader.GetBoolean(18),
        Outcome = (CostOutcome)reader.GetInt32(19),
        ErrorType = reader.IsDBNull(20) ? null : reader.GetString(20),
        IsCacheHit = reader.GetBoolean(21),
        Saved = reader.GetDecimal(22),
        RequestId = reader.IsDBNull(23) ? null : reader.GetString(23),
        IsEstimated = reader.GetBoolean(24),
    };

    /// <summary>Takes up to <see cref="MaxRecordsPerCommit"/> queued appends and commits them, retrying transient failures. Called under the write gate.</summary>
    private async Task CommitQueuedAsync()
    {
        var batch = new List<PendingAppend>();
        TakeQueued(batch);
        if (batch.Count == 0)
        {
            return;
        }

        if (_disposed)
        {
            var disposed = new ObjectDisposedException(GetType().FullName, "The PostgreSQL cost ledger was disposed before the record was stored.");
            batch.ForEach(pending => pending.Fail(disposed));
            return;
        }

        await CommitWithRetriesAsync(batch, topUp: true).ConfigureAwait(false);
    }

    private void TakeQueued(List<PendingAppend> batch) => _groupCommit.TakeQueued(batch, MaxRecordsPerCommit);

    /// <summary>
    /// Commits a batch; after a transient failure, waits (backoff) and tries again with what is left of it (plus, when
    /// <paramref name="topUp"/>, appends queued meanwhile), failing each record whose retry time is over. After any other
    /// failure, commits the records one by one so that one record's failure is only its own.
    /// </summary>
    private async Task CommitWithRetriesAsync(List<PendingAppend> batch, bool topUp)
    {
        var backoff = FirstBackoff;
        var attempts = 0;
        while (batch.Count > 0)
        {
            attempts++;

            // The records of other callers are in this transaction: no one caller's token cancels it.
            var error = await TryCommitAsync(batch).ConfigureAwait(false);
            if (error is null)
            {
                batch.ForEach(static pending => pending.Complete());
                return;
            }

            if (!IsTransient(error))
            {
                if (batch.Count == 1)
                {
                    batch[0].Fail(error);
                    return;
                }

                // Nothing of the batch was stored. Commit each record alone: a record the server refuses fails only its own append.
                foreach (var pending in batch)
                {
                    await CommitWithRetriesAsync([pending], topUp: false).ConfigureAwait(false);
                }

                return;
            }

            var now = Stopwatch.GetTimestamp();
            var expired = batch.FindAll(pending => now >= pending.Deadline);
            if (expired.Count > 0)
            {
                var unavailable = new NpgsqlException(
                    $"The PostgreSQL cost ledger could not store the record: the server kept failing for {RetryTimeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s " +
                    $"({attempts.ToString(CultureInfo.InvariantCulture)} attempts). It may have been committed before the connection was lost; appending it again is safe. Last error: {error.Message}",
                    error);
                expired.ForEach(pending => pending.Fail(unavailable));
                batch.RemoveAll(pending => now >= pending.Deadline);
                if (batch.Count == 0)
                {
                    return;
                }
            }

            Interlocked.Increment(ref _retries);
            try
            {
                await Task.Delay(Jitter(backoff), _disposing.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                var disposed = new ObjectDisposedException(GetType().FullName, $"The PostgreSQL cost ledger was disposed while retrying the record (last error: {error.Message}).");
                batch.ForEach(pending => pending.Fail(disposed));
                return;
            }

            backoff = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, backoff.Ticks * 2));
            if (topUp)
            {
                TakeQueued(batch);
            }
        }
    }

    private static TimeSpan Jitter(TimeSpan backoff) =>
#pragma warning disable CA5394 // Not security: spreads the retries of many processes after a restart.
        TimeSpan.FromTicks(backoff.Ticks / 2 + Random.Shared.NextInt64(backoff.Ticks / 2 + 1));
#pragma warning restore CA5394

    /// <summary>Commits the records in one transaction; the exception when it failed (nothing of it stored, or a commit whose outcome is unknown), else null.</summary>
    private async Task<Exception?> TryCommitAsync(List<PendingAppend> batch)
    {
        try
        {
            await EnsureInitializedAsync(CancellationToken.None).ConfigureAwait(false);
            var insert = _dataSource.CreateCommand(_insert);
            await using (insert.ConfigureAwait(false))
            {
                AddBatchParameters(insert, batch);

                // One statement is one transaction: the whole batch is stored, or none of it.
                await insert.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
            }

            Interlocked.Increment(ref _commits);
            return null;
        }
        catch (Exception ex)
        {
            // Any failure: the other callers in the batch wait on this outcome and must get one.
            return ex;
        }
    }

    private static void AddBatchParameters(NpgsqlCommand command, List<PendingAppend> batch)
    {
        var n = batch.Count;
        var ids = new Guid[n];
        var times = new DateTime[n];
        var ticks = new long[n];
        var offsets = new int[n];
        var days = new DateOnly[n];
        var providers = new string?[n];
        var models = new string?[n];
        var callers = new string?[n];
        var tags = new string[n];
        var input = new long[n];
        var cached = new long[n];
        var cacheWrite = new long[n];
        var output = new long[n];
        var reasoning = new long[n];
        var hasUsage = new bool[n];
        var costInput = new decimal[n];
        var costCached = new decimal[n];
        var costCacheWrite = new decimal[n];
        var costOutput = new decimal[n];
        var costReasoning = new decimal[n];
        var costTotal = new decimal[n];
        var isPriced = new bool[n];
        var outcomes = new int[n];
        var errorTypes = new string?[n];
        var cacheHits = new bool[n];
        var saved = new decimal[n];
        var requestIds = new string?[n];
        var estimated = new bool[n];
        for (var i = 0; i < n; i++)
        {
            var record = batch[i].Record;
            ids[i] = record.Id;
            times[i] = record.Timestamp.UtcDateTime;
            ticks[i] = record.Timestamp.UtcTicks;
            offsets[i] = (int)record.Timestamp.Offset.TotalMinutes;
            days[i] = DateOnly.FromDateTime(record.Timestamp.UtcDateTime);
            providers[i] = record.ProviderId;
            models[i] = record.ModelId;
            callers[i] = record.Caller;
            tags[i] = TagsJson(record.Tags);
            input[i] = record.InputTokens;
            cached[i] = record.CachedInputTokens;
            cacheWrite[i] = record.CacheWriteInputTokens;
            output[i] = record.OutputTokens;
            reasoning[i] = record.ReasoningTokens;
            hasUsage[i] = record.HasUsage;
            costInput[i] = record.Cost.Input;
            costCached[i] = record.Cost.CachedInput;
            costCacheWrite[i] = record.Cost.CacheWrite;
            costOutput[i] = record.Cost.Output;
            costReasoning[i] = record.Cost.Reasoning;
            costTotal[i] = record.Total;
            isPriced[i] = record.IsPriced;
            outcomes[i] = (int)record.Outcome;
            errorTypes[i] = record.ErrorType;
            cacheHits[i] = record.IsCacheHit;
            saved[i] = record.Saved;
            requestIds[i] = record.RequestId;
            estimated[i] = record.IsEstimated;
        }

        object[] values =
        [
            ids, times, ticks, offsets, days, providers, models, callers, tags, input, cached, cacheWrite, output, reasoning, hasUsage,
            costInput, costCached, costCacheWrite, costOutput, costReasoning, costTotal, isPriced, outcomes, errorTypes, cacheHits, saved,
            requestIds, estimated,
        ];
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }
    }

    /// <summary>A record's tags as a JSON array of strings: one text per record, so the batch's tags travel as one <c>text[]</c>.</summary>
    private static string TagsJson(IReadOnlyList<string> tags)
    {
        if (tags.Count == 0)
        {
            return "[]";
        }

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var tag in tags)
            {
                writer.WriteStringValue(tag);
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
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

            var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    // Serializes the processes that open the same schema at once: one creates, the others find it created.
                    await ExecuteAsync(connection, "SELECT pg_advisory_xact_lock(hashtext('stratum_cost_ledger:' || @schema));", cancellationToken, ("schema", Schema)).ConfigureAwait(false);
                    var version = await ReadVersionAsync(connection, cancellationToken).ConfigureAwait(false);
                    if (version == 0)
                    {
                        // CREATE SCHEMA needs CREATE on the database even with IF NOT EXISTS: only when the schema is missing.
                        if (!await SchemaExistsAsync(connection, cancellationToken).ConfigureAwait(false))
                        {
                            await ExecuteAsync(connection, $"CREATE SCHEMA {_schema};", cancellationToken).ConfigureAwait(false);
                        }

                        await ExecuteAsync(connection, CreateTablesSql(), cancellationToken).ConfigureAwait(false);
                    }
                    else if (version != SchemaVersion)
                    {
                        throw new InvalidOperationException(
                            $"The PostgreSQL cost ledger in schema '{Schema}' has schema version {version.ToString(CultureInfo.InvariantCulture)}; this version of StratumAI.Postgres reads version {SchemaVersion.ToString(CultureInfo.InvariantCulture)} only.");
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

    private async Task<bool> SchemaExistsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var exists = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = @schema);", connection);
        await using (exists.ConfigureAwait(false))
        {
            exists.Parameters.AddWithValue("schema", Schema);
            return await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true;
        }
    }

    private async Task<int> ReadVersionAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var exists = new NpgsqlCommand("SELECT to_regclass(@table) IS NOT NULL;", connection);
        await using (exists.ConfigureAwait(false))
        {
            exists.Parameters.AddWithValue("table", _version);
            if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not true)
            {
                return 0;
            }
        }

        var read = new NpgsqlCommand($"SELECT max(version) FROM {_version};", connection);
        await using (read.ConfigureAwait(false))
        {
            return await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is int version ? version : 0;
        }
    }

    private string CreateTablesSql() => $"""
        CREATE TABLE {_records} (
            seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            id uuid NOT NULL UNIQUE,
            timestamp_utc timestamptz NOT NULL,
            timestamp_utc_ticks bigint NOT NULL,
            timestamp_offset_minutes integer NOT NULL,
            utc_day date NOT NULL,
            provider_id text,
            model_id text,
            caller text,
            tags text[] NOT NULL,
            input_tokens bigint NOT NULL,
            cached_input_tokens bigint NOT NULL,
            cache_write_input_tokens bigint NOT NULL,
            output_tokens bigint NOT NULL,
            reasoning_tokens bigint NOT NULL,
            has_usage boolean NOT NULL,
            cost_input numeric NOT NULL,
            cost_cached_input numeric NOT NULL,
            cost_cache_write numeric NOT NULL,
            cost_output numeric NOT NULL,
            cost_reasoning numeric NOT NULL,
            cost_total numeric NOT NULL,
            is_priced boolean NOT NULL,
            outcome integer NOT NULL,
            error_type text,
            is_cache_hit boolean NOT NULL,
            saved numeric NOT NULL,
            request_id text,
            is_estimated boolean NOT NULL
        );
        CREATE INDEX ix_{RecordsTable}_ticks ON {_records} (timestamp_utc_ticks);
        CREATE INDEX ix_{RecordsTable}_day ON {_records} (utc_day);
        COMMENT ON COLUMN {_records}.timestamp_utc_ticks IS 'The exact instant (.NET ticks, UTC); timestamp_utc is the same to the microsecond, for reading.';
        CREATE TABLE {_version} (version integer NOT NULL);
        INSERT INTO {_version} (version) VALUES ({SchemaVersion.ToString(CultureInfo.InvariantCulture)});
        """;

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        await using (command.ConfigureAwait(false))
        {
            foreach (var (name, value) in parameters)
            {
                command.Parameters.AddWithValue(name, value);
            }

            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
