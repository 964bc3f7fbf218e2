using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.IO.Compression;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace StratumAI.EndToEnd.Tests;

/// <summary>
/// What the package's analyzers/dotnet/cs folder holds, and proof that it is enough: the generator, loaded
/// from that folder the way a compiler host loads it, reads YAML and JSON catalogs with nothing else.
/// (A part of <see cref="PackagedConsumerTests"/>, to share its one pack.)
/// </summary>
public sealed partial class PackagedConsumerTests
{
    private const string AnalyzerFolder = "analyzers/dotnet/cs/";

    /// <summary>
    /// What every compiler host guarantees besides the framework (netstandard): Roslyn and the dependencies
    /// Microsoft.CodeAnalysis 4.14 declares for netstandard2.0, which csc, VBCSCompiler and Visual Studio all
    /// ship beside it. System.Text.Json is not among them: the host may have none, or a version of its own.
    /// </summary>
    private static readonly HashSet<string> HostProvided = new(StringComparer.Ordinal)
    {
        "netstandard",
        "Microsoft.CodeAnalysis",
        "Microsoft.CodeAnalysis.CSharp",
        "System.Collections.Immutable",
        "System.Reflection.Metadata",
        "System.Memory",
        "System.Buffers",
        "System.Numerics.Vectors",
        "System.Runtime.CompilerServices.Unsafe",
        "System.Text.Encoding.CodePages",
        "System.Threading.Tasks.Extensions",
    };

    [Fact]
    public void AnalyzerFolder_HoldsExactlyTheGeneratorAnalyzersCatalogAndYamlDotNet()
    {
        using var zip = ZipFile.OpenRead(package.PackageFile);
        var folder = zip.Entries
            .Where(e => e.FullName.StartsWith(AnalyzerFolder, StringComparison.Ordinal))
            .Select(e => e.FullName[AnalyzerFolder.Length..])
            .Order(StringComparer.Ordinal);

        // Nothing the compiler host already provides (Roslyn, System.Memory, System.Text.Encoding.CodePages…) and
        // no System.Text.Json: a new dependency must be added to this list, and to Packaging.targets, on purpose.
        Assert.Equal(
            [
                "StratumAI.Analyzers.CodeFixes.dll",
                "StratumAI.Analyzers.dll",
                "StratumAI.Catalog.dll",
                "StratumAI.Generator.dll",
                "YamlDotNet.dll",
            ],
            folder);
    }

    [Fact]
    public void PackagedGenerator_LoadedLikeACompilerHostLoadsIt_ReadsYamlAndJsonCatalogsWithNothingElse()
    {
        var folder = Path.Combine(package.WorkDir, "analyzers-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        string defaultCatalog;
        using (var zip = ZipFile.OpenRead(package.PackageFile))
        {
            foreach (var entry in zip.Entries.Where(e => e.FullName.StartsWith(AnalyzerFolder, StringComparison.Ordinal)))
            {
                entry.ExtractToFile(Path.Combine(folder, entry.Name));
            }

            using var reader = new StreamReader(zip.GetEntry("catalog/openai.yaml")!.Open());
            defaultCatalog = reader.ReadToEnd();
        }

        var host = new CompilerHostLoadContext(folder);
        var generatorAssembly = host.LoadFromAssemblyPath(Path.Combine(folder, "StratumAI.Generator.dll"));
        var generator = (IIncrementalGenerator)Activator.CreateInstance(generatorAssembly.GetType("StratumAI.Generator.StratumGenerator", throwOnError: true)!)!;

        // The user's JSON catalog: one good model, and one with a negative price on line 9.
        const string json = """
            {
              "provider": { "id": "acme", "name": "Acme", "dialect": "openai", "base_url": "https://llm.acme.example/v1" },
              "models": [
                { "id": "acme-chat-1", "context_window": 32000, "price": { "input": 0.40, "output": 1.60 } },
                {
                  "id": "acme-chat-2",
                  "context_window": 32000,
                  "price": {
                    "input": -0.40,
                    "output": 1.60
                  }
                }
              ]
            }
            """;
        AdditionalText[] catalogs = [new InMemoryText("/pkg/catalog/openai.yaml", defaultCatalog), new InMemoryText("/app/models.json", json)];
        var layers = new CatalogLayers(new Dictionary<string, string> { ["/pkg/catalog/openai.yaml"] = "default", ["/app/models.json"] = "user" });
        var compilation = CSharpCompilation.Create(
            "Consumer",
            [CSharpSyntaxTree.ParseText("internal static class Nothing { }")],
            [MetadataReference.CreateFromFile(typeof(object).Assembly.Location)],
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));

        var driver = CSharpGeneratorDriver.Create([generator.AsSourceGenerator()], catalogs, optionsProvider: layers)
            .RunGeneratorsAndUpdateCompilation(compilation, out _, out var diagnostics);

        Assert.Empty(host.Refused);
        // A diagnostic at the JSON file's line and column, not a generator crash (CS8784/CS8785).
        Assert.DoesNotContain(diagnostics, d => d.Id is "CS8784" or "CS8785");
        var negative = Assert.Single(diagnostics, d => d.Id == "STRAT004");
        var span = negative.Location.GetLineSpan();
        Assert.Equal(("/app/models.json", 8, 17), (span.Path, span.StartLinePosition.Line, span.StartLinePosition.Character));
        var generated = string.Concat(driver.GetRunResult().Results.SelectMany(r => r.GeneratedSources).Select(s => s.SourceText.ToString()));
        Assert.Contains("\"acme-chat-1\"", generated, StringComparison.Ordinal);
        Assert.Contains("\"gpt-4o\"", generated, StringComparison.Ordinal);
        // Everything the generator loaded came from the package folder (or, above, from the host).
        Assert.Equal(["StratumAI.Catalog", "StratumAI.Generator", "YamlDotNet"], host.Assemblies.Select(a => a.GetName().Name!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task BrokenJsonCatalog_FailsBuildWithDiagnosticAtFileLineAndColumn()
    {
        const string broken = """
            {
              "provider": {
                "id": "acme",
                "name": "Acme",
                "dialect": "openai",
                "base_url": "https://llm.acme.example/v1"
              },
              "models": [
                { "id": "acme-chat-1", "context_window": 32000,
                  "price": { "input": -0.40, "output": 1.60 } }
              ]
            }
            """;
        var dir = package.CreateConsumer("BrokenJsonConsumer");
        File.Delete(Path.Combine(dir, "models.yaml"));
        File.WriteAllText(Path.Combine(dir, "models.json"), broken);
        var build = await ProcessRunner.RunAsync("dotnet", "build -c Release", dir, timeout: TimeSpan.FromMinutes(6));

        Assert.NotEqual(0, build.ExitCode);
        // The negative price, at its own line and column of the user's JSON file, read without System.Text.Json.
        Assert.Contains("models.json(10,27): error STRAT004", build.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("CS8785", build.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("CS8784", build.Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// Loads an analyzer folder as a compiler host does: the folder's own assemblies from it, the host's
    /// from the host; any other name is a dependency the package would be missing in some host, and fails.
    /// </summary>
    private sealed class CompilerHostLoadContext(string folder) : AssemblyLoadContext("compiler-host-" + Path.GetFileName(folder))
    {
        public ConcurrentBag<string> Refused { get; } = [];

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            var name = assemblyName.Name!;
            var path = Path.Combine(folder, name + ".dll");
            if (File.Exists(path))
            {
                return LoadFromAssemblyPath(path);
            }

            if (HostProvided.Contains(name))
            {
                return null; // the host's copy
            }

            Refused.Add(name);
            throw new FileNotFoundException($"'{name}' is neither in the package's analyzer folder nor provided by the compiler host.", name);
        }
    }

    private sealed class InMemoryText(string path, string text) : AdditionalText
    {
        private readonly SourceText _text = SourceText.From(text);

        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
    }

    /// <summary>The StratumCatalog item metadata buildTransitive/StratumAI.targets gives each catalog file.</summary>
    private sealed class CatalogLayers(Dictionary<string, string> layerByPath) : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(ImmutableDictionary<string, string>.Empty);

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => GlobalOptions;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile)
            => new Options(layerByPath.TryGetValue(textFile.Path, out var layer)
                ? ImmutableDictionary<string, string>.Empty.Add("build_metadata.AdditionalFiles.StratumCatalog", layer)
                : ImmutableDictionary<string, string>.Empty);

        private sealed class Options(ImmutableDictionary<string, string> values) : AnalyzerConfigOptions
        {
            public override bool TryGetValue(string key, out string value) => values.TryGetValue(key, out value!);
        }
    }
}
