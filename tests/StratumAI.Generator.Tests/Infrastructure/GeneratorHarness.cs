using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace StratumAI.Generator.Tests.Infrastructure;

/// <summary>A catalog file as MSBuild would pass it: path, text and layer (<c>default</c> or <c>user</c>).</summary>
internal sealed record CatalogTestFile(string Path, string Text, string Layer = "default");

/// <summary>The outcome of one generator run.</summary>
internal sealed class GeneratorRun(
    GeneratorDriver driver,
    Compilation input,
    Compilation output,
    ImmutableArray<Diagnostic> generatorDiagnostics)
{
    public GeneratorDriver Driver { get; } = driver;

    public Compilation Input { get; } = input;

    public Compilation Output { get; } = output;

    /// <summary>Diagnostics the generator reported (and CS8784/CS8785 if it crashed).</summary>
    public ImmutableArray<Diagnostic> GeneratorDiagnostics { get; } = generatorDiagnostics;

    public GeneratorDriverRunResult Result => Driver.GetRunResult();

    public IEnumerable<GeneratedSourceResult> GeneratedSources => Result.Results.SelectMany(r => r.GeneratedSources);

    public string Source(string hintName)
    {
        var match = GeneratedSources.Where(s => s.HintName == hintName).ToList();
        Assert.True(match.Count == 1, $"Expected one generated file '{hintName}'; generated: {string.Join(", ", GeneratedSources.Select(s => s.HintName))}");
        return match[0].SourceText.ToString();
    }

    public string SourceStartingWith(string prefix)
    {
        var match = GeneratedSources.Where(s => s.HintName.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        Assert.True(match.Count == 1, $"Expected one generated file starting with '{prefix}'; generated: {string.Join(", ", GeneratedSources.Select(s => s.HintName))}");
        return match[0].SourceText.ToString();
    }

    /// <summary>Compiler errors of the final compilation (user code plus generated code).</summary>
    public IReadOnlyList<Diagnostic> CompileErrors()
        => Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();

    /// <summary>Errors and warnings located in generated files.</summary>
    public IReadOnlyList<Diagnostic> GeneratedCodeProblems()
    {
        var generatedTrees = Output.SyntaxTrees.Except(Input.SyntaxTrees).ToHashSet();
        return Output.GetDiagnostics()
            .Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Location.SourceTree is { } tree && generatedTrees.Contains(tree))
            .ToList();
    }
}

internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest, DocumentationMode.Diagnose);

    private static readonly Lazy<MetadataReference[]> References = new(BuildReferences);

    /// <summary>The framework, the StratumAI runtime and Microsoft.Extensions.AI.Abstractions: what a user project compiles against.</summary>
    private static MetadataReference[] BuildReferences()
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

        var runtime = typeof(global::StratumAI.ModelInfo).Assembly;
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

        return paths.OrderBy(p => p, StringComparer.Ordinal).Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToArray();
    }

    private static bool IsManagedAssembly(string path)
    {
        try
        {
            System.Reflection.AssemblyName.GetAssemblyName(path);
            return true;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }

    public static CSharpCompilation CreateCompilation(params string[] sources)
        => CSharpCompilation.Create(
            "UserAssembly",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"/src/File{i}.cs")),
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver CreateDriver(IEnumerable<CatalogTestFile> catalogs, IReadOnlyDictionary<string, string>? globalOptions = null)
        => CreateDriver(catalogs, globalOptions, out _);

    public static GeneratorDriver CreateDriver(IEnumerable<CatalogTestFile> catalogs, IReadOnlyDictionary<string, string>? globalOptions, out ImmutableArray<AdditionalText> texts)
    {
        var files = catalogs.ToList();
        texts = files.Select(f => (AdditionalText)new InMemoryAdditionalText(f.Path, f.Text)).ToImmutableArray();
        var layers = files.Where(f => f.Layer.Length > 0).ToImmutableDictionary(f => f.Path, f => f.Layer);
        var options = new TestOptionsProvider((globalOptions ?? new Dictionary<string, string>()).ToImmutableDictionary(), layers);
        return CSharpGeneratorDriver.Create(
            new[] { new StratumGenerator().AsSourceGenerator() },
            texts,
            ParseOptions,
            options,
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
    }

    public static GeneratorRun Run(
        IEnumerable<string> sources,
        IEnumerable<CatalogTestFile> catalogs,
        IReadOnlyDictionary<string, string>? globalOptions = null)
    {
        var compilation = CreateCompilation(sources.ToArray());
        var driver = CreateDriver(catalogs, globalOptions).RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        return new GeneratorRun(driver, compilation, output, diagnostics);
    }

    public static GeneratorRun Run(string source, params CatalogTestFile[] catalogs)
        => Run(new[] { source }, catalogs);

    /// <summary>Asserts the generator did not crash (CS8784/CS8785) and reported only STRAT diagnostics.</summary>
    public static void AssertNoGeneratorFailure(GeneratorRun run)
    {
        var foreign = run.GeneratorDiagnostics.Where(d => !d.Id.StartsWith("STRAT", StringComparison.Ordinal)).ToList();
        Assert.True(foreign.Count == 0, "Generator failed: " + string.Join(Environment.NewLine, foreign));
    }
}
