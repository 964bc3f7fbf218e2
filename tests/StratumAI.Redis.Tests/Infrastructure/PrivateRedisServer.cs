using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace StratumAI.Redis.Tests;

/// <summary>
/// A redis-server of the test's own, on a free loopback port with its data in a temp folder, for tests that stop, kill or
/// restart a server (never the shared one on 6391, which other sessions use). Disposing stops it and deletes the folder.
/// </summary>
internal sealed class PrivateRedisServer : IDisposable
{
    private readonly string _directory;
    private readonly bool _appendOnly;
    private readonly string? _password;
    private Process? _process;

    private PrivateRedisServer(string directory, int port, bool appendOnly, string? password)
    {
        _directory = directory;
        Port = port;
        _appendOnly = appendOnly;
        _password = password;
    }

    /// <summary>The port it listens on (127.0.0.1).</summary>
    public int Port { get; }

    /// <summary>The StackExchange.Redis configuration to reach it.</summary>
    public string Configuration => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port}") + (_password is null ? string.Empty : ",password=" + _password);

    /// <summary>True while the server process runs.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts a server and waits until it answers PING.</summary>
    /// <param name="appendOnly">Persist every write to an append-only file (<c>appendfsync always</c>), so a restart keeps the data.</param>
    /// <param name="password">A password clients must give (<c>requirepass</c>), or null for none.</param>
    /// <returns>The running server.</returns>
    public static async Task<PrivateRedisServer> StartAsync(bool appendOnly, string? password = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "stratum-redis-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var server = new PrivateRedisServer(directory, FreePort(), appendOnly, password);
        await server.StartAsync();
        return server;
    }

    /// <summary>Starts the server again on the same port and folder (after <see cref="Stop"/> or <see cref="Kill"/>).</summary>
    /// <returns>A task that completes when it answers PING.</returns>
    public async Task StartAsync()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException("The private Redis server is already running.");
        }

        var start = new ProcessStartInfo(File.Exists("/usr/bin/redis-server") ? "/usr/bin/redis-server" : "redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _directory,
        };
        foreach (var argument in new[]
                 {
                     "--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", _directory,
                     "--save", string.Empty, "--appendonly", _appendOnly ? "yes" : "no", "--appendfsync", "always",
                     "--protected-mode", "yes", "--daemonize", "no",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        if (_password is not null)
        {
            start.ArgumentList.Add("--requirepass");
            start.ArgumentList.Add(_password);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("redis-server cannot be started (install the Debian package redis-server; `bash .ci/services start` does).", ex);
        }

        _process = process;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The private redis-server on port {Port} exited at start ({process.ExitCode}).");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                await using var stream = client.GetStream();
                await stream.WriteAsync("PING\r\n"u8.ToArray());
                var buffer = new byte[64];
                var read = await stream.ReadAsync(buffer);
                if (read > 0 && (buffer[0] == (byte)'+' || System.Text.Encoding.ASCII.GetString(buffer, 0, read).StartsWith("-NOAUTH", StringComparison.Ordinal)))
                {
                    return;
                }
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new InvalidOperationException($"The private redis-server on port {Port} did not answer PING within 30 s.");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Stops the server with SIGKILL (no shutdown save: what the append-only file holds is what survives).</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        _process?.Dispose();
        _process = null;
    }

    /// <summary>Stops the server (SIGKILL); the same as <see cref="Kill"/>, named for readability at a planned stop.</summary>
    public void Stop() => Kill();

    /// <summary>Connects to the server.</summary>
    /// <param name="configure">Adjusts the options (timeouts, reconnects), or null.</param>
    /// <returns>The connection.</returns>
    public Task<ConnectionMultiplexer> ConnectAsync(Action<ConfigurationOptions>? configure = null)
    {
        var options = ConfigurationOptions.Parse(Configuration);
        configure?.Invoke(options);
        return ConnectionMultiplexer.ConnectAsync(options);
    }

    public void Dispose()
    {
        Kill();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
