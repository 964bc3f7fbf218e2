using StratumAI.Scale.Worker;

// Usage: StratumAI.Scale.Worker <command> [arguments...]; see each IWorkerCommand for its arguments and the lines it prints.
var commands = typeof(IWorkerCommand).Assembly.GetTypes()
    .Where(type => type is { IsClass: true, IsAbstract: false } && typeof(IWorkerCommand).IsAssignableFrom(type))
    .Select(type => (IWorkerCommand)Activator.CreateInstance(type)!)
    .ToDictionary(command => command.Name, StringComparer.Ordinal);

if (args.Length == 0 || !commands.TryGetValue(args[0], out var selected))
{
    Console.Error.WriteLine("usage: StratumAI.Scale.Worker <command> [arguments...]");
    foreach (var command in commands.Values.OrderBy(c => c.Name, StringComparer.Ordinal))
    {
        Console.Error.WriteLine($"  {command.Name} {command.Usage}");
    }

    return 2;
}

var output = new WorkerOutput(Console.Out);
try
{
    return await selected.RunAsync(args[1..], output);
}
catch (Exception ex) when (ex is not OutOfMemoryException)
{
    Console.Error.WriteLine($"{selected.Name} failed: {ex}");
    return 1;
}
