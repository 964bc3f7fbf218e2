using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;

namespace StratumAI.Analyzers.Tests.Infrastructure;

/// <summary>
/// What a user project compiles against, taken from the running framework: the testing package's default
/// reference assemblies download from nuget.org, which these tests must not reach.
/// </summary>
internal static class TestReferences
{
    /// <summary>No reference package: every reference is added from <see cref="All"/>.</summary>
    public static ReferenceAssemblies None { get; } = new("net10.0");

    public static ImmutableArray<MetadataReference> All { get; } = Build();

    private static ImmutableArray<MetadataReference> Build()
    {
        var paths = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var frameworkDir = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        foreach (var dll in Directory.EnumerateFiles(frameworkDir, "*.dll"))
        {
            if (IsManagedAssembly(dll))
            {
                paths.Add(dll);
            }
        }

        var runtime = typeof(global::StratumAI.StratumClient).Assembly;
        paths.Add(runtime.Location);
        paths.Add(typeof(Microsoft.Extensions.AI.IChatClient).Assembly.Location);
        foreach (var name in runtime.GetReferencedAssemblies())
        {
            var candidate = Path.Combine(AppContext.BaseDirectory, name.Name + ".dll");
            if (File.Exists(candidate))
            {
                paths.Add(candidate);
            }
        }

        return paths.OrderBy(p => p, StringComparer.Ordinal)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToImmutableArray();
    }

    private static bool IsManagedAssembly(string path)
    {
        try
        {
            AssemblyName.GetAssemblyName(path);
            return true;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }
}
