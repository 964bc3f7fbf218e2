using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using StratumAI.Generator;

namespace StratumAI.Docs.Tests;

/// <summary>
/// Compiles a documentation block as a user's project compiles it: a console app (or a library, when the block has no
/// statements) with the SDK's implicit usings and nullable on, referencing what a user of the packages has, with the real
/// generator over the default catalog and the real analyzers.
/// </summary>
internal static class DocCompiler
{
    /// <summary>"Today" for deprecation warnings: pinned so that the calendar cannot break the build; move it deliberately.</summary>
    public const string Today = "2026-12-07";

    // What `dotnet new console` gives (ImplicitUsings=enable).
    private const string ImplicitUsings = """
        global using global::System;
        global using global::System.Collections.Generic;
        global using global::System.IO;
        global using global::System.Linq;
        global using global::System.Net.Http;
        global using global::System.Threading;
        global using global::System.Threading.Tasks;
        """;

    // The packages a user of the examples installs, by assembly name prefix; the catalog library, the generator and
    // the analyzers ship only as analyzers, so a block cannot call them.
    private static readonly string[] UserAssemblyPrefixes =
    [
        "StratumAI.dll", "StratumAI.Sqlite.dll", "StratumAI.Postgres.dll", "StratumAI.Testing.dll", "Npgsql.dll",
        "StratumAI.Redis.dll", "StackExchange.Redis.dll", "RESPite.dll",
        "Microsoft.Extensions.", "Microsoft.Data.Sqlite", "SQLitePCLRaw.", "Polly.Core", "Microsoft.ML.Tokenizers",
        "System.Net.ServerSentEvents", "OpenTelemetry", "Microsoft.AspNetCore.", "Azure.Core.dll", "System.ClientModel.dll",
    ];

    // What the Web and Worker SDKs add, for blocks written as an app's start-up (the "services" context).
    private const string AppUsings = """
        global using global::Microsoft.Extensions.Configuration;
        global using global::Microsoft.Extensions.DependencyInjection;
        global using global::Microsoft.Extensions.Logging;
        """;

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(BuildReferences);

    // A program inside this repository may also use the catalog library (the LiteLLM importer), which no package ships.
    private static readonly Lazy<ImmutableArray<MetadataReference>> RepositoryReferences = new(() =>
        References.Value.Add(MetadataReference.CreateFromFile(typeof(StratumAI.Catalog.CatalogParser).Assembly.Location)));

    private static readonly Lazy<ImmutableArray<AdditionalText>> Catalog = new(() =>
        Directory.GetFiles(Path.Combine(DocBlock.RepoRoot, "catalog"), "*.yaml")
            .Order(StringComparer.Ordinal)
            .Select(p => (AdditionalText)new FileText(p))
            .ToImmutableArray());

    private static readonly Lazy<ImmutableArray<DiagnosticAnalyzer>> Analyzers = new(() =>
        typeof(StratumAI.Analyzers.LlmCallAnalyzer).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null)
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
            .ToImmutableArray());

    /// <summary>The warnings and errors of the block (compiler, generator and analyzers).</summary>
    public static async Task<IReadOnlyList<Diagnostic>> CompileAsync(DocBlock block)
    {
        var source = Wrap(block);
        var tree = CSharpSyntaxTree.ParseText(source, ParseOptions, path: block.File);
        var hasStatements = tree.GetRoot().DescendantNodes(n => n is CompilationUnitSyntax).OfType<GlobalStatementSyntax>().Any();
        var usings = block.Context == "services" ? ImplicitUsings + "\n" + AppUsings : ImplicitUsings;
        var compilation = CSharpCompilation.Create(
            "DocExample",
            [CSharpSyntaxTree.ParseText(usings, ParseOptions, path: "ImplicitUsings.g.cs"), tree],
            block.Context == "repository" ? RepositoryReferences.Value : References.Value,
            new CSharpCompilationOptions(
                hasStatements ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable));

        var options = new CatalogOptions(Catalog.Value);
        var driver = CSharpGeneratorDriver.Create([new StratumGenerator().AsSourceGenerator()], Catalog.Value, ParseOptions, options);
        driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);

        var analyzed = output.WithAnalyzers(Analyzers.Value, new AnalyzerOptions(Catalog.Value, options));
        var all = await analyzed.GetAllDiagnosticsAsync().ConfigureAwait(false);
        return generatorDiagnostics.Concat(all)
            .Where(d => d.Severity >= DiagnosticSeverity.Warning && !d.IsSuppressed)
            .ToList();
    }

    /// <summary>The block as the file it stands for, in its context.</summary>
    internal static string Wrap(DocBlock block)
    {
        // A diagnostics page shows the attribute and method alone, unless it declares the class that holds them.
        var context = block.Context ?? (block.ExpectedDiagnostic is not null && !block.Code.Contains(" class Greeter", StringComparison.Ordinal) ? "members" : null);
        switch (context)
        {
            case null:
            case "repository":
                return block.Code;
            case "members":
                // Members of a class that has a StratumClient, as an [LlmCall] method is written.
                return "using Microsoft.Extensions.AI;\nusing StratumAI;\n\npublic sealed record Person(string Name, int Age);\n\npublic partial class Example(StratumClient llm)\n{\n"
                    + "    public StratumClient Client => llm;\n\n" + block.Code + "\n}\n";
            case "services":
                // An app's start-up (Web or Worker SDK): `services` and `configuration` are the host builder's.
                var (usings, body) = SplitUsings(block.Code);
                return usings
                    + "var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();\n"
                    + "Microsoft.Extensions.Configuration.IConfiguration configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build();\n"
                    + body;
            default:
                throw new InvalidOperationException($"{block}: unknown compile context '{context}' (known: members, services, repository).");
        }
    }

    private static (string Usings, string Body) SplitUsings(string code)
    {
        var lines = code.Split('\n');
        var i = 0;
        while (i < lines.Length && (lines[i].StartsWith("using ", StringComparison.Ordinal) && !lines[i].StartsWith("using var ", StringComparison.Ordinal) || lines[i].Trim().Length == 0))
        {
            i++;
        }

        return (string.Join('\n', lines[..i]) + "\n", string.Join('\n', lines[i..]));
    }

    private static ImmutableArray<MetadataReference> BuildReferences()
    {
        var paths = new SortedSet<string>(StringComparer.Ordinal);
        var frameworkDir = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        foreach (var dll in Directory.EnumerateFiles(frameworkDir, "*.dll"))
        {
            if (IsManagedAssembly(dll))
            {
                paths.Add(dll);
            }
        }

        foreach (var dll in Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll"))
        {
            var name = Path.GetFileName(dll);
            if (UserAssemblyPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal)) && IsManagedAssembly(dll))
            {
                paths.Add(dll);
            }
        }

        return paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
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

    private sealed class FileText(string path) : AdditionalText
    {
        private readonly SourceText _text = SourceText.From(File.ReadAllText(path));

        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
    }

    private sealed class DictionaryOptions(ImmutableDictionary<string, string> values) : AnalyzerConfigOptions
    {
        public override bool TryGetValue(string key, out string value) => values.TryGetValue(key, out value!);
    }

    /// <summary>What buildTransitive/StratumAI.targets tells the compiler: the default catalog layer, and a pinned "today".</summary>
    private sealed class CatalogOptions(ImmutableArray<AdditionalText> catalog) : AnalyzerConfigOptionsProvider
    {
        private static readonly DictionaryOptions None = new(ImmutableDictionary<string, string>.Empty);
        private static readonly DictionaryOptions DefaultLayer = new(ImmutableDictionary<string, string>.Empty.Add("build_metadata.AdditionalFiles.StratumCatalog", "default"));
        private readonly ImmutableHashSet<string> _paths = catalog.Select(t => t.Path).ToImmutableHashSet(StringComparer.Ordinal);

        public override AnalyzerConfigOptions GlobalOptions { get; } = new DictionaryOptions(ImmutableDictionary<string, string>.Empty.Add("stratum_ai.today", Today));

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => None;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => _paths.Contains(textFile.Path) ? DefaultLayer : None;
    }
}
