using StratumAI.Catalog;

namespace StratumAI.Generator.Model;

/// <summary>
/// The <c>Model</c> enum member names of the merged catalog, the only part of the catalog the
/// <c>[LlmCall]</c> step needs; equal by names, so a price change does not re-run it.
/// </summary>
internal sealed class ModelNameSet : IEquatable<ModelNameSet>
{
    private readonly HashSet<string> _set;

    public ModelNameSet(EquatableArray<string> names)
    {
        Names = names;
        _set = new HashSet<string>(names, StringComparer.Ordinal);
    }

    public EquatableArray<string> Names { get; }

    public bool Contains(string name) => _set.Contains(name);

    /// <summary>The closest name by edit distance, when one is close enough to be a likely typo.</summary>
    public string? Closest(string name)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in Names)
        {
            if (Math.Abs(candidate.Length - name.Length) >= bestDistance)
            {
                continue;
            }

            var distance = EditDistance(name, candidate);
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = candidate;
            }
        }

        return best is not null && bestDistance <= Math.Max(2, name.Length / 3) ? best : null;
    }

    public bool Equals(ModelNameSet? other) => other is not null && Names.Equals(other.Names);

    public override bool Equals(object? obj) => obj is ModelNameSet other && Equals(other);

    public override int GetHashCode() => Names.GetHashCode();

    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = char.ToUpperInvariant(a[i - 1]) == char.ToUpperInvariant(b[j - 1]) ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
