using System.Globalization;

namespace StratumAI.Scale.Worker;

/// <summary><c>--name value</c> pairs, read by name; a missing required one is an error naming it.</summary>
internal sealed class WorkerArguments
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public WorkerArguments(string[] args)
    {
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Expected --name value pairs, found '{args[i]}'.");
            }

            _values[args[i][2..]] = args[i + 1];
        }
    }

    public string Text(string name) =>
        _values.TryGetValue(name, out var value) ? value : throw new ArgumentException($"--{name} is required.");

    public string? Optional(string name) => _values.GetValueOrDefault(name);

    public int Int(string name, int? fallback = null) =>
        _values.TryGetValue(name, out var value) ? int.Parse(value, CultureInfo.InvariantCulture)
        : fallback ?? throw new ArgumentException($"--{name} is required.");

    public decimal Decimal(string name) => decimal.Parse(Text(name), CultureInfo.InvariantCulture);

    /// <summary>Builds the arguments of a command line, for tests that start a worker.</summary>
    public static IEnumerable<string> Of(params (string Name, object Value)[] pairs)
    {
        foreach (var (name, value) in pairs)
        {
            yield return "--" + name;
            yield return Convert.ToString(value, CultureInfo.InvariantCulture)!;
        }
    }
}
