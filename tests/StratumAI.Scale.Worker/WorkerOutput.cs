namespace StratumAI.Scale.Worker;

/// <summary>
/// The worker's stdout, one line per event, written whole and flushed at once so a test that kills the process has read every
/// line it printed before. Thread-safe.
/// </summary>
internal sealed class WorkerOutput
{
    private readonly TextWriter _writer;
    private readonly Lock _gate = new();

    public WorkerOutput(TextWriter writer) => _writer = writer;

    public void Line(string line)
    {
        lock (_gate)
        {
            _writer.WriteLine(line);
            _writer.Flush();
        }
    }
}
