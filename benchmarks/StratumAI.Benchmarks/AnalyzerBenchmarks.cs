using System.Collections.Immutable;
using System.Globalization;
using System.Reflection;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using StratumAI.Analyzers;
using StratumAI.Catalog;
using StratumAI.Generator;

namespace StratumAI.Benchmarks;

/// <summary>
/// IDE cost of the analyzers: both StratumAI analyzers over a project of 500 <c>[LlmCall]</c> methods (50 classes of
/// 10) and the shipped catalog, on the compilation the generator has completed (so <c>Model.X</c> binds, as in the IDE).
/// The methods mix enum and string models, fallbacks and none, typos, deprecated models, unused parameters,
/// images, plus runtime <c>GetResponseAsync("id", …)</c> calls, so every check runs. Each measurement analyses a
/// fresh clone of the compilation: nothing is reused from the previous one (no cached semantic models).
/// Target (issue 4): under 1 s on this machine.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(InProcessColdWarmConfig))]
public class AnalyzerBenchmarks
{
    private const int Classes = 50;
    private const int MethodsPerClass = 10;

    private Compilation _compilation = null!;
    private AnalyzerOptions _options = null!;
    private ImmutableArray<DiagnosticAnalyzer> _analyzers;

    /// <summary>Diagnostics found by the last setup run (printed, as a check that the analyzers really worked).</summary>
    public int DiagnosticCount { get; private set; }

    [GlobalSetup]
    public void Setup()
    {
        var catalogDir = Path.Combine(CatalogInputs.RepoRoot(), "catalog");
        var texts = Directory.EnumerateFiles(catalogDir, "*.yaml")
            .OrderBy(p => p, StringComparer.Ordinal)
            .Select(p => CatalogInputs.Text(p, File.ReadAllText(p)))
            .ToImmutableArray();
        var optionsProvider = CatalogInputs.DefaultLayer(texts);
        var models = CatalogMerger.Merge(texts.Select(t => CatalogParser.Parse(t.Path, t.GetText()!.ToString())), []).Models
            .Where(m => m.DeprecatedOn is null)
            .ToList();

        var parseOptions = new CSharpParseOptions(LanguageVersion.Latest);
        var trees = Enumerable.Range(0, Classes)
            .Select(i => CSharpSyntaxTree.ParseText(ClassSource(i, models), parseOptions, path: $"/bench/Calls{i}.cs"))
            .ToArray();
        var compilation = CSharpCompilation.Create(
            "AnalyzerBench",
            trees,
            References(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        // The analyzers see generator output in the IDE and in a build; run the generator once, outside the measurement.
        CSharpGeneratorDriver.Create([new StratumGenerator().AsSourceGenerator()], texts, parseOptions, optionsProvider)
            .RunGeneratorsAndUpdateCompilation(compilation, out var generated, out _);
        _compilation = generated;
        _options = new AnalyzerOptions(texts, optionsProvider);
        _analyzers = [new LlmCallAnalyzer(), new ModelIdArgumentAnalyzer()];
        DiagnosticCount = AnalyzeAllCallsAsync().GetAwaiter().GetResult();
        Console.WriteLine($"// {Classes * MethodsPerClass} [LlmCall] methods, {models.Count} catalog models, {DiagnosticCount} analyzer diagnostics");
    }

    /// <summary>Both analyzers over every file of the project, as a full-solution analysis or a build runs them.</summary>
    [Benchmark]
    public async Task<int> AnalyzeAllCallsAsync()
    {
        var withAnalyzers = _compilation.Clone().WithAnalyzers(
            _analyzers,
            new CompilationWithAnalyzersOptions(_options, onAnalyzerException: null, concurrentAnalysis: true, logAnalyzerExecutionTime: false));
        var diagnostics = await withAnalyzers.GetAnalyzerDiagnosticsAsync(CancellationToken.None).ConfigureAwait(false);
        return diagnostics.Length;
    }

    private static string ClassSource(int index, IReadOnlyList<CatalogModel> models)
    {
        var builder = new StringBuilder()
            .AppendLine("using System;")
            .AppendLine("using System.Threading;")
            .AppendLine("using System.Threading.Tasks;")
            .AppendLine("using Microsoft.Extensions.AI;")
            .AppendLine("using StratumAI;")
            .AppendLine("namespace Bench;")
            .Append("internal partial class Calls").Append(index.ToString(CultureInfo.InvariantCulture)).AppendLine("(StratumClient llm)")
            .AppendLine("{");
        for (var m = 0; m < MethodsPerClass; m++)
        {
            var n = (index * MethodsPerClass) + m;
            var primary = models[n % models.Count];
            var fallback = models[(n * 7 + 3) % models.Count];
            var model = (n % 3) switch
            {
                0 => "Model." + primary.EnumName,
                1 => "\"" + primary.Id + "\"",
                _ => "\"" + primary.Id + "x\"", // a typo: STRAT107 with suggestions
            };
            var fallbackPart = (n % 4) switch
            {
                0 => string.Empty, // STRAT108
                1 => ", Fallback = Model." + fallback.EnumName,
                2 => ", Fallback = \"" + fallback.Id + "\"",
                _ => ", Fallbacks = new object[] { Model." + fallback.EnumName + ", \"" + models[(n + 1) % models.Count].Id + "\" }",
            };
            var extra = n % 5 == 0 ? ", int unused" : string.Empty; // STRAT114
            var image = n % 6 == 0 ? ", DataContent image" : string.Empty;
            builder
                .Append("    [LlmCall(").Append(model).Append(fallbackPart)
                .AppendLine(", System = \"You are helper {who}.\", Prompt = \"Answer {question} in {words:N0} words\")]")
                .Append("    public partial Task<string> Ask").Append(m.ToString(CultureInfo.InvariantCulture))
                .Append("Async(string who, string question, int words").Append(extra).Append(image).AppendLine(", CancellationToken ct = default);");
            builder
                .Append("    public Task<ChatResponse> Raw").Append(m.ToString(CultureInfo.InvariantCulture))
                .Append("Async(string q) => llm.GetResponseAsync(\"").Append(primary.Id).Append(n % 2 == 0 ? string.Empty : "-typo").AppendLine("\", q);");
        }

        return builder.AppendLine("}").ToString();
    }

    private static MetadataReference[] References()
    {
        var dir = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var paths = Directory.EnumerateFiles(dir, "*.dll").Where(IsManaged).ToList();
        paths.Add(typeof(ModelInfo).Assembly.Location);
        paths.Add(typeof(Microsoft.Extensions.AI.IChatClient).Assembly.Location);
        return paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToArray();
    }

    private static bool IsManaged(string path)
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
