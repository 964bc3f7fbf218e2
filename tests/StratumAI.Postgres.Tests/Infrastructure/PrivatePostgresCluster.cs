using System.Diagnostics;
using System.Globalization;
using StratumAI.TestSupport;

namespace StratumAI.Postgres.Tests;

/// <summary>
/// A PostgreSQL cluster of one test's own, in a temp folder on a free port, that the test may stop and start: the shared
/// test server is never stopped (other sessions use it). As root, the cluster runs as the postgres user (PostgreSQL
/// refuses root), through runuser; otherwise as the current user. A missing binary or a failed start fails the test.
/// </summary>
internal sealed class PrivatePostgresCluster : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _data;
    private readonly string _log;

    private PrivatePostgresCluster(string bin, string directory, int port)
    {
        _bin = bin;
        Directory = directory;
        _data = Path.Combine(directory, "data");
        _log = Path.Combine(directory, "postgres.log");
        Port = port;
    }

    public string Directory { get; }

    public int Port { get; }

    /// <summary>The connection string of the cluster's postgres database.</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={Port.ToString(CultureInfo.InvariantCulture)};Username=postgres;Database=postgres;Timeout=3";

    /// <summary>Creates the cluster (initdb) and starts it.</summary>
    public static async Task<PrivatePostgresCluster> StartNewAsync()
    {
        var bin = FindBin();
        var directory = Path.Combine(Path.GetTempPath(), "stratum-pg-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        var cluster = new PrivatePostgresCluster(bin, directory, TestServers.FreeTcpPort());
        try
        {
            if (Environment.IsPrivilegedProcess)
            {
                await RunAsync("chown", ["postgres:postgres", directory], asPostgres: false);
            }

            await cluster.RunPgAsync("initdb", ["-D", cluster._data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"]);
            var settings = $"""

                listen_addresses = '127.0.0.1'
                port = {cluster.Port.ToString(CultureInfo.InvariantCulture)}
                unix_socket_directories = '{directory}'
                max_connections = 50
                shared_buffers = 16MB
                """;
            await cluster.RunPgAsync("sh", ["-c", $"printf '%s\\n' \"$0\" >> '{Path.Combine(cluster._data, "postgresql.conf")}'", settings]);
            await cluster.StartAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the (stopped) server and waits until it accepts connections.</summary>
    public Task StartAsync() => RunPgAsync("pg_ctl", ["-D", _data, "-l", _log, "-w", "-t", "60", "start"]);

    /// <summary>Stops the server as a crash would (immediate mode: no checkpoint, connections cut).</summary>
    public Task StopAsync() => RunPgAsync("pg_ctl", ["-D", _data, "-m", "immediate", "-w", "-t", "60", "stop"]);

    public async ValueTask DisposeAsync()
    {
        if (File.Exists(Path.Combine(_data, "postmaster.pid")))
        {
            try
            {
                await StopAsync();
            }
            catch (InvalidOperationException)
            {
                // Already stopped.
            }
        }

        System.IO.Directory.Delete(Directory, recursive: true);
    }

    private static string FindBin()
    {
        var configured = Environment.GetEnvironmentVariable("STRATUM_PG_BIN");
        var candidates = !string.IsNullOrEmpty(configured)
            ? [configured]
            : System.IO.Directory.Exists("/usr/lib/postgresql")
                ? System.IO.Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).OrderByDescending(d => d, StringComparer.Ordinal).ToArray()
                : [];
        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")))
            ?? throw new InvalidOperationException("PostgreSQL's initdb and pg_ctl were not found under /usr/lib/postgresql/*/bin (or STRATUM_PG_BIN): install them with `apt-get install -y postgresql` (.ci/run does).");
    }

    private Task RunPgAsync(string tool, string[] arguments) =>
        RunAsync(tool == "sh" ? "sh" : Path.Combine(_bin, tool), arguments, asPostgres: Environment.IsPrivilegedProcess);

    private static async Task RunAsync(string file, string[] arguments, bool asPostgres)
    {
        var start = new ProcessStartInfo(asPostgres ? "runuser" : file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asPostgres)
        {
            foreach (var argument in new[] { "-u", "postgres", "--", file })
            {
                start.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode.ToString(CultureInfo.InvariantCulture)}: {await output}{await error}");
        }
    }
}
