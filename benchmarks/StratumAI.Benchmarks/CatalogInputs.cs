using System.Collections.Immutable;
using System.Reflection;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace StratumAI.Benchmarks;

/// <summary>Catalog files as a build hands them to the generator and analyzers: AdditionalFiles tagged as the default layer.</summary>
internal static class CatalogInputs
{
    public static AdditionalText Text(string path, string text) => new MemoryText(path, text);

    public static AnalyzerConfigOptionsProvider DefaultLayer(IEnumerable<AdditionalText> catalogFiles)
        => new LayerOptions(catalogFiles.Select(t => t.Path).ToImmutableHashSet(StringComparer.Ordinal));

    public static string RepoRoot()
    {
        var root = typeof(CatalogInputs).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "StratumRepoRoot")?.Value;
        if (root is not null && File.Exists(Path.Combine(root, "StratumAI.Generators.sln")))
        {
            return root;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "StratumAI.Generators.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Repository root not found.");
    }

    public static string Shared => Path.GetFullPath(Path.Combine(RepoRoot(), "..", "shared"));

    private sealed class MemoryText(string path, string text) : AdditionalText
    {
        private readonly SourceText _text = SourceText.From(text);

        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
    }

    private sealed class LayerOptions(ImmutableHashSet<string> catalogPaths) : AnalyzerConfigOptionsProvider
    {
        private static readonly AnalyzerConfigOptions Empty = new Options(ImmutableDictionary<string, string>.Empty);
        private static readonly AnalyzerConfigOptions Default = new Options(
            ImmutableDictionary<string, string>.Empty.Add("build_metadata.AdditionalFiles.StratumCatalog", "default"));

        public override AnalyzerConfigOptions GlobalOptions => Empty;

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Empty;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile)
            => catalogPaths.Contains(textFile.Path) ? Default : Empty;

        private sealed class Options(ImmutableDictionary<string, string> values) : AnalyzerConfigOptions
        {
            public override bool TryGetValue(string key, out string value) => values.TryGetValue(key, out value!);
        }
    }
}

/// <summary>Where the repository's <c>../shared</c> (fixtures, data) is.</summary>
internal static class BenchmarkPaths
{
    public static string Shared { get; } = CatalogInputs.Shared;
}

/// <summary>
/// Cold (the very first run in the process, one sample) and warm jobs, in-process: the child project BenchmarkDotNet
/// generates cannot load the catalog library that the generator and analyzer projects carry as analyzer dependencies.
/// </summary>
internal sealed class InProcessColdWarmConfig : ManualConfig
{
    public InProcessColdWarmConfig()
    {
        AddJob(Job.Default.WithStrategy(RunStrategy.ColdStart).WithLaunchCount(1).WithWarmupCount(0).WithIterationCount(1)
            .WithToolchain(InProcessEmitToolchain.Instance).WithId("ColdStart"));
        AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithId("Warm"));
    }
}
