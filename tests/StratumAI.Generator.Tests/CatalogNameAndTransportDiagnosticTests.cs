using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using StratumAI.Catalog;
using StratumAI.Generator.Emitter;
using StratumAI.Generator.Model;
using StratumAI.Generator.Tests.Infrastructure;

namespace StratumAI.Generator.Tests;

/// <summary>
/// No model disappears silently: every model the generator cannot emit is a positioned diagnostic. And an API key bound
/// for plain http:// to a remote host is STRAT015 at the base_url.
/// </summary>
public class CatalogNameAndTransportDiagnosticTests
{
    private const string Nothing = "internal static class Nothing { }";

    /// <summary>The (zero-based) line and column of the marker ‸ in <paramref name="marked"/>, and the text without it.</summary>
    private static (string Text, int Line, int Column) Strip(string marked)
    {
        var offset = marked.IndexOf('‸', StringComparison.Ordinal);
        Assert.True(offset >= 0, "no marker");
        var before = marked[..offset];
        var line = before.Count(c => c == '\n');
        var column = offset - (before.LastIndexOf('\n') + 1);
        return (marked.Remove(offset, 1), line, column);
    }

    private static void AssertAt(Diagnostic diagnostic, string path, int line, int column)
    {
        var span = diagnostic.Location.GetLineSpan();
        Assert.True(
            (path, line, column) == (span.Path, span.StartLinePosition.Line, span.StartLinePosition.Character),
            $"expected {path}({line + 1},{column + 1}), got {span.Path}({span.StartLinePosition.Line + 1},{span.StartLinePosition.Character + 1}): {diagnostic.GetMessage()}");
    }

    [Theory]
    [InlineData("name: ‸Model")]
    [InlineData("name: ‸value__")]
    [InlineData("name: ‸'value__'")]
    public void ReservedModelName_IsStrat010AtTheNameAndTheOthersStay(string nameLine)
    {
        var (text, line, column) = Strip($"""
            provider:
              id: openai
            models:
              - id: acme-support
                {nameLine}
                context_window: 8192
                price: {"{"}input: 1, output: 2{"}"}
              - id: acme-kept
                context_window: 8192
                price: {"{"}input: 1, output: 2{"}"}
            """);

        var run = GeneratorHarness.Run([Nothing], [.. TestCatalogs.Defaults, new CatalogTestFile("/app/models.yaml", text, "user")]);

        GeneratorHarness.AssertNoGeneratorFailure(run);
        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("STRAT010", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Contains("acme-support", diagnostic.GetMessage(), StringComparison.Ordinal);
        AssertAt(diagnostic, "/app/models.yaml", line, column);
        Assert.Contains("AcmeKept = ", run.Source("Model.g.cs"), StringComparison.Ordinal);
        Assert.DoesNotContain("acme-support", run.Source("ModelCatalog.g.cs"), StringComparison.Ordinal);
        Assert.Empty(run.CompileErrors());
        Assert.Empty(run.GeneratedCodeProblems());
    }

    [Fact]
    public void ModelIdDerivingModel_IsStrat010AtTheId()
    {
        var (text, line, column) = Strip("""
            provider:
              id: openai
            models:
              - id: ‸model
                context_window: 8192
                price: {input: 1, output: 2}
            """);

        var run = GeneratorHarness.Run([Nothing], [.. TestCatalogs.Defaults, new CatalogTestFile("/app/models.yaml", text, "user")]);

        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("STRAT010", diagnostic.Id);
        Assert.Contains("add a 'name'", diagnostic.GetMessage(), StringComparison.Ordinal);
        AssertAt(diagnostic, "/app/models.yaml", line, column);
        Assert.Empty(run.CompileErrors());
    }

    [Theory]
    [InlineData("openai", "OpenAIModel")]
    [InlineData("anthropic", "AnthropicModel")]
    public void ModelNamedLikeItsProvidersTypedEnum_IsStrat010AtTheIdAndTheOutputCompiles(string provider, string name)
    {
        var (text, line, column) = Strip($"""
            provider:
              id: {provider}
            models:
              - id: ‸ft-acme-1
                name: {name}
                context_window: 8192
                price: {"{"}input: 1, output: 2{"}"}
            """);

        var run = GeneratorHarness.Run([Nothing], [.. TestCatalogs.Defaults, new CatalogTestFile("/app/models.yaml", text, "user")]);

        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("STRAT010", diagnostic.Id);
        Assert.Contains(name, diagnostic.GetMessage(), StringComparison.Ordinal);
        AssertAt(diagnostic, "/app/models.yaml", line, column);
        Assert.Empty(run.CompileErrors());
        Assert.Empty(run.GeneratedCodeProblems());
    }

    [Fact]
    public void ModelOfAUserProviderNamedLikeThatProvidersTypedEnum_IsStrat010()
    {
        var (text, line, column) = Strip("""
            provider:
              id: acme
              name: Acme
              dialect: openai
              base_url: https://llm.acme.example/v1
            models:
              - id: ‸acme-model
                context_window: 8192
                price: {input: 1, output: 2}
            """);

        var run = GeneratorHarness.Run([Nothing], [.. TestCatalogs.Defaults, new CatalogTestFile("/app/acme.yaml", text, "user")]);

        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("STRAT010", diagnostic.Id);
        AssertAt(diagnostic, "/app/acme.yaml", line, column);
        Assert.Contains("internal enum AcmeModel", run.Source("Providers.Acme.g.cs"), StringComparison.Ordinal);
        Assert.Empty(run.CompileErrors());
    }

    [Fact]
    public void SpecTheLibraryWouldReject_EveryLeftOutModelIsReportedAtItsIdAndTheOutputCompiles()
    {
        // Hand-built: the catalog library rejects each of these first; the plan must still never drop one silently.
        static CatalogModel At(CatalogModel model, int line) => model with { Location = new SourceLocation("/spec.yaml", line * 10, 1, line, 4, line, 5) };
        var spec = SpecBuilder.Spec(
            [SpecBuilder.Provider("p", "P", "P"), SpecBuilder.Provider("q", "Q", "P"), SpecBuilder.Provider("s", "Stratum", "Stratum")],
            [
                At(SpecBuilder.Model("a", "Alpha", "p"), 1),
                At(SpecBuilder.Model("b", "Alpha", "p"), 2),
                At(SpecBuilder.Model("c", "class", "p"), 3),
                At(SpecBuilder.Model("d", "Delta", "missing"), 4),
                At(SpecBuilder.Model("e", "Model", "p"), 5),
                At(SpecBuilder.Model("a", "Again", "q"), 6),
                At(SpecBuilder.Model("f", "value__", "p"), 7),
                At(SpecBuilder.Model("g", "PModel", "p"), 8),
                At(SpecBuilder.Model("h", "StratumProviderModel", "s"), 9),
                At(SpecBuilder.Model("i", "Not-An-Identifier", "p"), 10),
                At(SpecBuilder.Model("j", "Kept", "s"), 11),
            ]);

        var plan = CatalogPlan.Create(spec);
        var files = CatalogEmitter.Emit(plan, GeneratorOptions.Default);
        var compilation = GeneratorHarness.CreateCompilation(files.Select(f => f.Source).ToArray());

        Assert.Equal(["Alpha", "Kept"], plan.Models.Select(m => m.Model.EnumName));
        Assert.Equal(
            [(2, "STRAT008"), (3, "STRAT010"), (4, "STRAT009"), (5, "STRAT010"), (6, "STRAT007"), (7, "STRAT010"), (8, "STRAT010"), (9, "STRAT010"), (10, "STRAT010")],
            plan.Diagnostics.Select(d => (d.Location.StartLine, d.Id)));
        Assert.All(plan.Diagnostics, d => Assert.Equal(CatalogSeverity.Error, d.Severity));
        Assert.All(plan.Diagnostics, d => Assert.Contains("left out of the generated code", d.Message, StringComparison.Ordinal));
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void ValidIdentifierRules_AgreeWithRoslyn()
    {
        // The catalog library (no Roslyn) decides what is an identifier; the emitter relies on the same answer.
        var reserved = SyntaxFacts.GetReservedKeywordKinds().Select(SyntaxFacts.GetText).ToList();
        Assert.Contains("class", reserved);
        Assert.Equal([], reserved.Where(CatalogNames.IsValidIdentifier).ToArray());

        var contextual = SyntaxFacts.GetContextualKeywordKinds().Select(SyntaxFacts.GetText).ToList();
        Assert.Contains("async", contextual);
        Assert.Equal([], contextual.Where(word => SyntaxFacts.IsValidIdentifier(word) != CatalogNames.IsValidIdentifier(word)).ToArray());

        string[] samples = ["Gpt4o", "_x", "Modèle", "Ω1", "x\u0301", "\u2160X", "1a", "a-b", "a b", "@class", "a.b", "", "ℳ", "a\u00B7b", "x\uD835\uDC00"];
        foreach (var sample in samples)
        {
            var roslyn = SyntaxFacts.IsValidIdentifier(sample) && SyntaxFacts.GetKeywordKind(sample) == SyntaxKind.None;
            Assert.True(roslyn == CatalogNames.IsValidIdentifier(sample), $"'{sample}': Roslyn {roslyn}, catalog {CatalogNames.IsValidIdentifier(sample)}");
        }
    }

    [Fact]
    public void NamesThatDifferOnlyByAnInvisibleFormattingChar_DoNotBreakTheOutput()
    {
        // C# ignores formatting chars (U+200D zero-width joiner…) in identifiers: "A\u200DB" is the member "AB".
        const string text = "provider:\n  id: openai\nmodels:\n  - id: acme-1\n    name: \"Acme\\u200DBot\"\n    context_window: 8192\n    price: {input: 1, output: 2}\n  - id: acme-2\n    name: AcmeBot\n    context_window: 8192\n    price: {input: 1, output: 2}\n";

        var run = GeneratorHarness.Run([Nothing], [.. TestCatalogs.Defaults, new CatalogTestFile("/app/models.yaml", text, "user")]);

        GeneratorHarness.AssertNoGeneratorFailure(run);
        Assert.Empty(run.CompileErrors());
        Assert.Contains(run.GeneratorDiagnostics, d => d.Id == "STRAT010");
    }

    [Fact]
    public void ApiKeyOverPlainHttpToARemoteHost_IsStrat015WarningAtTheBaseUrl()
    {
        var (text, line, column) = Strip("""
            provider:
              id: lab
              name: Lab
              dialect: openai
              base_url: ‸http://gpu-box.lab:8000/v1
              api_key_env: LAB_API_KEY
            models:
              - id: lab-llama
                context_window: 8192
                price: {input: 0, output: 0}
            """);

        var run = GeneratorHarness.Run([Nothing], [.. TestCatalogs.Defaults, new CatalogTestFile("/app/lab.yaml", text, "user")]);

        GeneratorHarness.AssertNoGeneratorFailure(run);
        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("STRAT015", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Contains("allow_insecure_http: true", diagnostic.GetMessage(), StringComparison.Ordinal);
        AssertAt(diagnostic, "/app/lab.yaml", line, column);
        Assert.Contains("LabLlama = ", run.Source("Model.g.cs"), StringComparison.Ordinal); // a warning keeps the provider
        Assert.DoesNotContain("AllowInsecureHttp", run.Source("ModelCatalog.g.cs"), StringComparison.Ordinal);
    }

    [Fact]
    public void AllowInsecureHttp_IsEmittedIntoProviderInfoAndCompiles()
    {
        const string lab = """
            provider:
              id: lab
              name: Lab
              dialect: openai
              base_url: http://gpu-box.lab:8000/v1
              api_key_env: LAB_API_KEY
              allow_insecure_http: true
            models:
              - id: lab-llama
                context_window: 8192
                price: {input: 0, output: 0}
            """;

        var run = GeneratorHarness.Run(
            ["internal static class Probe { public static bool Allowed() => StratumAI.ModelCatalog.Lab.AllowInsecureHttp && !StratumAI.ModelCatalog.OpenAI.AllowInsecureHttp; }"],
            [.. TestCatalogs.Defaults, new CatalogTestFile("/app/lab.yaml", lab, "user")]);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Contains("\"LAB_API_KEY\") { AllowInsecureHttp = true };", run.Source("ModelCatalog.g.cs"), StringComparison.Ordinal);
        Assert.Empty(run.CompileErrors());
        Assert.Empty(run.GeneratedCodeProblems());
    }
}
