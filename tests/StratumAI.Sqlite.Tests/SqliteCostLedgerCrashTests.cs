using System.Diagnostics;
using System.Reflection;
using Microsoft.Data.Sqlite;
using StratumAI.Sqlite.LedgerWriter;

namespace StratumAI.Sqlite.Tests;

/// <summary>A writer process killed with SIGKILL mid-run loses no committed record, corrupts nothing, and duplicates nothing on restart.</summary>
public sealed class SqliteCostLedgerCrashTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task WriterKilledMidRun_KeepsEveryReportedCommit_AndARestartReplayingTheSameIdsAddsNoDuplicate()
    {
        var database = _temp.File("crash.db");
        using var timeout = new CancellationTokenSource(Patience);

        // Far more records than it can write before the kill: the kill lands mid-run.
        var (reported, killed) = await RunWriterAsync(database, first: 0, count: 10_000_000, killAfter: 300, timeout.Token);

        Assert.True(killed);
        Assert.True(reported.Count >= 300);
        var afterKill = ReadIds(database);
        Assert.Equal("ok", IntegrityCheck(database));
        Assert.Empty(reported.Except(afterKill));
        Assert.Equal(afterKill.Count, afterKill.Distinct().Count());
        Assert.Equal(Enumerable.Range(0, afterKill.Count).Select(n => LedgerWriterRecords.IdOf(n)), afterKill);

        // Restart: the writer replays from the start, past where it was killed, and runs to its end.
        var total = afterKill.Count + 200;
        var (replayed, replayKilled) = await RunWriterAsync(database, first: 0, count: total, killAfter: null, timeout.Token);

        Assert.False(replayKilled);
        Assert.Equal(total, replayed.Count);
        var afterRestart = ReadIds(database);
        Assert.Equal(Enumerable.Range(0, total).Select(n => LedgerWriterRecords.IdOf(n)), afterRestart);
        Assert.Equal("ok", IntegrityCheck(database));
        await using var ledger = new SqliteCostLedger(database);
        var totals = await ledger.GetTotalAsync();
        Assert.Equal(total, totals.Calls);
        Assert.Equal(total * 0.0035m, totals.Cost);
    }

    [Fact]
    public async Task TwoWriterProcessesOnOneFile_BothRunToTheEnd_AndEveryRecordIsThereOnce()
    {
        var database = _temp.File("shared.db");
        using var timeout = new CancellationTokenSource(Patience);

        // Overlapping ranges: records 100..199 are appended by both processes at about the same time.
        var results = await Task.WhenAll(
            RunWriterAsync(database, first: 0, count: 200, killAfter: null, timeout.Token),
            RunWriterAsync(database, first: 100, count: 200, killAfter: null, timeout.Token));

        Assert.All(results, r => Assert.False(r.Killed));
        Assert.Equal(Enumerable.Range(0, 300).Select(n => LedgerWriterRecords.IdOf(n)), ReadIds(database));
        Assert.Equal("ok", IntegrityCheck(database));
    }

    /// <summary>Runs the writer; with <paramref name="killAfter"/>, SIGKILLs it once it reported that many commits.</summary>
    private static async Task<(List<Guid> Reported, bool Killed)> RunWriterAsync(string database, long first, long count, int? killAfter, CancellationToken cancellationToken)
    {
        var writer = typeof(SqliteCostLedgerCrashTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "LedgerWriterPath").Value!;
        Assert.True(File.Exists(writer), "the writer is built with the tests: " + writer);
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "exec", writer, database, first.ToString(System.Globalization.CultureInfo.InvariantCulture), count.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        var reported = new List<Guid>();
        var killed = false;
        try
        {
            while (await process.StandardOutput.ReadLineAsync(cancellationToken) is { } line)
            {
                if (line.StartsWith("committed ", StringComparison.Ordinal))
                {
                    reported.Add(Guid.ParseExact(line["committed ".Length..], "D"));
                }

                if (!killed && killAfter is not null && reported.Count >= killAfter)
                {
                    // SIGKILL on Unix: no cleanup runs in the writer. Lines it printed before dying are still read below.
                    process.Kill(entireProcessTree: true);
                    killed = true;
                }
            }

            await process.WaitForExitAsync(cancellationToken);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        if (!killed)
        {
            Assert.True(process.ExitCode == 0, $"the writer failed ({process.ExitCode}): {await errors}");
        }
        else if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            Assert.Equal(137, process.ExitCode);
        }

        return (reported, killed);
    }

    private static List<Guid> ReadIds(string database)
    {
        using var connection = Open(database);
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT id FROM {SqliteCostLedger.RecordsTable} ORDER BY timestamp_utc_ticks, seq;";
        using var reader = command.ExecuteReader();
        var ids = new List<Guid>();
        while (reader.Read())
        {
            ids.Add(Guid.ParseExact(reader.GetString(0), "D"));
        }

        return ids;
    }

    private static string IntegrityCheck(string database)
    {
        using var connection = Open(database);
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check;";
        return (string)command.ExecuteScalar()!;
    }

    private static SqliteConnection Open(string database)
    {
        var connection = new SqliteConnection($"Data Source={database};Mode=ReadWrite;Pooling=False");
        connection.Open();
        return connection;
    }
}
