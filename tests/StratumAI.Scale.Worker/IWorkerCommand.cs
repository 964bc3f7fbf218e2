namespace StratumAI.Scale.Worker;

/// <summary>
/// One subcommand of the worker. Implementations are found by reflection: add a file with a class implementing this
/// interface (and a public parameterless constructor) and the worker runs it as <c>StratumAI.Scale.Worker &lt;Name&gt; ...</c>.
/// </summary>
internal interface IWorkerCommand
{
    /// <summary>The first argument that selects this command.</summary>
    string Name { get; }

    /// <summary>One line: the arguments after the name.</summary>
    string Usage { get; }

    /// <summary>Runs the command.</summary>
    /// <param name="args">The arguments after the name.</param>
    /// <param name="output">Where to write the lines the test reads (flushed after each line).</param>
    /// <returns>The exit code.</returns>
    Task<int> RunAsync(string[] args, WorkerOutput output);
}
