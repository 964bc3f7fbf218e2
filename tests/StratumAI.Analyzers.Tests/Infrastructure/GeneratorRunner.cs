using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using StratumAI.Generator;

namespace StratumAI.Analyzers.Tests.Infrastructure;

/// <summary>
/// Runs the real generator over a compilation, fed the test catalog as MSBuild would: for diagnostics the generator
/// reports (STRAT105) that a code fix targets, which the code-fix test framework does not pass to fixes.
/// </summary>
internal static class GeneratorRunner
{
    public static (ImmutableArray<Diagnostic> Diagnostics, Compilation Output) Run(Compilation compilation)
    {
        var texts = TestCatalogs.Defaults.Select(f => (AdditionalText)new InMemoryAdditionalText(f.Path, f.Text)).ToImmutableArray();
        var driver = CSharpGeneratorDriver.Create(
            [new StratumGenerator().AsSourceGenerator()],
            texts,
            (CSharpParseOptions)compilation.SyntaxTrees.First().Options,
            new CatalogOptionsProvider(TestCatalogs.Defaults.Select(f => f.Path).ToImmutableHashSet()));
        driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        return (diagnostics, output);
    }

    private sealed class InMemoryAdditionalText(string path, string text) : AdditionalText
    {
        private readonly SourceText _text = SourceText.From(text);

        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
    }

    private sealed class DictionaryOptions(ImmutableDictionary<string, string> values) : AnalyzerConfigOptions
    {
        public override bool TryGetValue(string key, out string value) => values.TryGetValue(key, out value!);
    }

    private sealed class CatalogOptionsProvider(ImmutableHashSet<string> catalogPaths) : AnalyzerConfigOptionsProvider
    {
        private static readonly DictionaryOptions None = new(ImmutableDictionary<string, string>.Empty);
        private static readonly DictionaryOptions DefaultLayer = new(ImmutableDictionary<string, string>.Empty.Add("build_metadata.AdditionalFiles.StratumCatalog", "default"));

        public override AnalyzerConfigOptions GlobalOptions => None;

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => None;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => catalogPaths.Contains(textFile.Path) ? DefaultLayer : None;
    }
}
