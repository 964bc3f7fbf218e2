using System.Diagnostics;
using System.Reflection;
using System.Threading.Channels;

namespace StratumAI.Redis.Tests;

/// <summary>
/// One run of the StratumAI.Scale.Worker console program (built with the tests, run from its own output folder as
/// <c>dotnet exec</c>): its stdout lines arrive on <see cref="Lines"/>; <see cref="Kill"/> sends SIGKILL (no cleanup runs).
/// Disposing kills it if it still runs.
/// </summary>
internal sealed class ScaleWorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _errors;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly Task _reader;

    private ScaleWorkerProcess(Process process)
    {
        _process = process;
        _errors = process.StandardError.ReadToEndAsync();
        _reader = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                _lines.Writer.TryWrite(line);
            }

            _lines.Writer.TryComplete();
        });
    }

    /// <summary>The worker's stdout, line by line; completes when it exits.</summary>
    public ChannelReader<string> Lines => _lines.Reader;

    /// <summary>The worker's process id.</summary>
    public int Id => _process.Id;

    /// <summary>The path of the worker's dll, from the test assembly's metadata.</summary>
    public static string WorkerPath =>
        typeof(ScaleWorkerProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ScaleWorkerPath").Value!;

    /// <summary>Starts the worker with a command and its arguments.</summary>
    /// <param name="command">The subcommand.</param>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="environment">Extra environment variables, or null.</param>
    /// <returns>The running worker.</returns>
    public static ScaleWorkerProcess Start(string command, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var worker = WorkerPath;
        Assert.True(File.Exists(worker), "the worker is built with the tests: " + worker);
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(worker);
        start.ArgumentList.Add(command);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (environment is not null)
        {
            foreach (var (name, value) in environment)
            {
                start.Environment[name] = value;
            }
        }

        return new ScaleWorkerProcess(Process.Start(start)!);
    }

    /// <summary>Reads lines until one satisfies <paramref name="match"/>; fails when the worker ends first.</summary>
    /// <param name="match">The line wanted.</param>
    /// <param name="cancellationToken">The test's patience.</param>
    /// <returns>The line.</returns>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, CancellationToken cancellationToken)
    {
        while (await _lines.Reader.WaitToReadAsync(cancellationToken))
        {
            while (_lines.Reader.TryRead(out var line))
            {
                if (match(line))
                {
                    return line;
                }
            }
        }

        throw new InvalidOperationException($"The worker ended ({await ExitCodeAsync(cancellationToken)}) before the line the test waited for: {await _errors}");
    }

    /// <summary>Reads every remaining line until the worker exits, and checks it exited with 0.</summary>
    /// <param name="cancellationToken">The test's patience.</param>
    /// <returns>The lines.</returns>
    public async Task<List<string>> ReadToEndAsync(CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        await foreach (var line in _lines.Reader.ReadAllAsync(cancellationToken))
        {
            lines.Add(line);
        }

        var code = await ExitCodeAsync(cancellationToken);
        Assert.True(code == 0, $"the worker failed ({code}): {await _errors}");
        return lines;
    }

    /// <summary>Sends SIGKILL: the worker dies at once, running no cleanup.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    /// <summary>Waits for the worker to exit.</summary>
    /// <param name="cancellationToken">The test's patience.</param>
    /// <returns>Its exit code (137 after SIGKILL on Unix).</returns>
    public async Task<int> ExitCodeAsync(CancellationToken cancellationToken)
    {
        await _process.WaitForExitAsync(cancellationToken);
        await _reader.WaitAsync(cancellationToken);
        return _process.ExitCode;
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
