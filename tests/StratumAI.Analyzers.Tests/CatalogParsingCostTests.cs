using System.Collections.Immutable;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using StratumAI.Analyzers.Tests.Infrastructure;

namespace StratumAI.Analyzers.Tests;

public class CatalogParsingCostTests
{
    [Fact]
    public async Task ManyLlmCallMethods_EachAnalyzerReadsEveryCatalogFileOncePerCompilation()
    {
        var sources = Enumerable.Range(0, 10).Select(i => ClassWithCalls(i, 10)).ToArray();
        var compilation = CSharpCompilation.Create(
            "Many",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, new CSharpParseOptions(LanguageVersion.Latest), path: $"/src/Calls{i}.cs")),
            TestReferences.All,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var (_, generated) = GeneratorRunner.Run(compilation);
        var texts = TestCatalogs.Defaults.Select(f => new CountingText(f.Path, f.Text)).ToArray();
        var options = new AnalyzerOptions(texts.Cast<AdditionalText>().ToImmutableArray(), new DefaultLayer(texts.Select(t => t.Path).ToImmutableHashSet()));

        var diagnostics = await generated
            .WithAnalyzers([new LlmCallAnalyzer(), new ModelIdArgumentAnalyzer()], options)
            .GetAnalyzerDiagnosticsAsync(CancellationToken.None);

        // 100 methods without a fallback and 100 typo'd runtime ids: the analyzers did look at every call.
        Assert.Equal(100, diagnostics.Count(d => d.Id == DiagnosticIds.MissingFallback));
        Assert.Equal(100, diagnostics.Count(d => d.Id == DiagnosticIds.UnknownModelString));
        // One read per analyzer (each has its own compilation-start action), not one per method.
        Assert.All(texts, t => Assert.Equal(2, t.Reads));
    }

    private static string ClassWithCalls(int index, int count)
    {
        var builder = new StringBuilder()
            .AppendLine("using System.Threading.Tasks;")
            .AppendLine("using Microsoft.Extensions.AI;")
            .AppendLine("using StratumAI;")
            .Append("internal partial class Calls").Append(index).AppendLine("(StratumClient llm)")
            .AppendLine("{");
        for (var i = 0; i < count; i++)
        {
            builder.Append("    [LlmCall(Model.Gpt4o, Prompt = \"Q {q}\")] public partial Task<string> Ask").Append(i).AppendLine("Async(string q);");
            builder.Append("    public Task<ChatResponse> Raw").Append(i).AppendLine("Async(string q) => llm.GetResponseAsync(\"gpt-4oo\", q);");
        }

        return builder.AppendLine("}").ToString();
    }

    private sealed class CountingText(string path, string text) : AdditionalText
    {
        private readonly SourceText _text = SourceText.From(text);
        private int _reads;

        public int Reads => _reads;

        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _reads);
            return _text;
        }
    }

    private sealed class DefaultLayer(ImmutableHashSet<string> paths) : AnalyzerConfigOptionsProvider
    {
        private static readonly Options None = new(ImmutableDictionary<string, string>.Empty);
        private static readonly Options Layer = new(ImmutableDictionary<string, string>.Empty.Add("build_metadata.AdditionalFiles.StratumCatalog", "default"));

        public override AnalyzerConfigOptions GlobalOptions => None;

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => None;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => paths.Contains(textFile.Path) ? Layer : None;

        private sealed class Options(ImmutableDictionary<string, string> values) : AnalyzerConfigOptions
        {
            public override bool TryGetValue(string key, out string value) => values.TryGetValue(key, out value!);
        }
    }
}
