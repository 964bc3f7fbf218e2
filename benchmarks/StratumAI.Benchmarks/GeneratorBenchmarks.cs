using System.Collections.Immutable;
using System.Reflection;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using BenchmarkDotNet.Engines;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using StratumAI.Catalog;
using StratumAI.Catalog.LiteLlm;
using StratumAI.Generator;

namespace StratumAI.Benchmarks;

/// <summary>
/// The generator over a catalog made by importing the whole LiteLLM price list (thousands of models),
/// as a build would run it: catalog files as AdditionalFiles, one fresh driver per run.
/// <c>ColdStart</c> is the very first run in the process (the generator's code not yet JIT-compiled:
/// what a first build pays); <c>Warm</c> is the steady state of a long-lived compiler server.
/// Both run in-process: BenchmarkDotNet's generated child project does not resolve the catalog
/// library that the generator project hands over as an analyzer dependency.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(InProcessColdWarmConfig))]
public class GeneratorBenchmarks
{
    private CSharpCompilation _compilation = null!;
    private ImmutableArray<AdditionalText> _texts;
    private AnalyzerConfigOptionsProvider _options = null!;

    /// <summary>Number of imported models (for the report).</summary>
    public int ModelCount { get; private set; }

    [GlobalSetup]
    public void Setup()
    {
        var json = File.ReadAllText(Path.Combine(CatalogInputs.Shared, "data", "litellm_model_prices_latest_mirror.json"));
        var imported = LiteLlmImporter.Import(json);
        var files = imported.Files.Where(f => f.Provider is not null && f.Models.Count > 0).ToList();
        ModelCount = files.Sum(f => f.Models.Count);
        _texts = files
            .Select(f => CatalogInputs.Text("/litellm/" + f.Provider!.Id + ".yaml", CatalogYamlWriter.Write(f)))
            .ToImmutableArray();
        _options = CatalogInputs.DefaultLayer(_texts);
        _compilation = CSharpCompilation.Create(
            "Bench",
            [CSharpSyntaxTree.ParseText("internal static class Nothing { }")],
            References(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        Console.WriteLine($"// {files.Count} catalog files, {ModelCount} models imported from LiteLLM");
    }

    /// <summary>Parse every catalog file, merge, and emit all generated sources.</summary>
    [Benchmark]
    public int GenerateWholeLiteLlmCatalog()
    {
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            [new StratumGenerator().AsSourceGenerator()], _texts, (CSharpParseOptions)_compilation.SyntaxTrees[0].Options, _options);
        driver = driver.RunGenerators(_compilation);
        var result = driver.GetRunResult();
        return result.GeneratedTrees.Length + result.Diagnostics.Length;
    }

    private static MetadataReference[] References()
    {
        var dir = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var paths = new List<string>
        {
            Path.Combine(dir, "System.Runtime.dll"),
            Path.Combine(dir, "System.Private.CoreLib.dll"),
            Path.Combine(dir, "System.Collections.dll"),
            Path.Combine(dir, "System.Threading.Tasks.dll"),
            typeof(ModelInfo).Assembly.Location,
            typeof(Microsoft.Extensions.AI.IChatClient).Assembly.Location,
        };
        return paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToArray();
    }
}
