using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using StratumAI.Catalog;
using StratumAI.Generator.Emitter;
using StratumAI.Generator.Model;
using StratumAI.Generator.Tests.Infrastructure;

namespace StratumAI.Generator.Tests;

public class CatalogEmitterTests
{
    [Fact]
    public void Emit_HandBuiltSpec_MatchesBaselines()
    {
        var files = CatalogEmitter.Emit(SpecBuilder.EveryFeature(), GeneratorOptions.Default);

        Assert.Equal(
            ["Model.g.cs", "ModelCatalog.g.cs", "Providers.OpenAI.g.cs", "Providers.Anthropic.g.cs", "Providers.Local.g.cs", "Providers.Empty.g.cs"],
            files.Select(f => f.HintName));
        foreach (var file in files)
        {
            Baseline.AssertMatches("HandBuilt/" + file.HintName, file.Source);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Emit_HandBuiltSpec_CompilesWithoutErrorsOrWarnings(bool publicTypes)
    {
        var files = CatalogEmitter.Emit(SpecBuilder.EveryFeature(), new GeneratorOptions("StratumAI", publicTypes));
        var compilation = GeneratorHarness.CreateCompilation(files.Select(f => f.Source).ToArray());

        // Documentation mode is on, so public generated types with missing or broken docs would warn here.
        var problems = compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void Emit_Prices_AreExactDecimalLiteralsWithTheirScale()
    {
        var source = CatalogEmitter.Emit(SpecBuilder.EveryFeature(), GeneratorOptions.Default).Single(f => f.HintName == "ModelCatalog.g.cs").Source;

        Assert.Contains("new global::StratumAI.ModelPricing(2.50m, 10.00m, 1.25m, null, null, null)", source, StringComparison.Ordinal);
        Assert.Contains("new global::StratumAI.PriceTier(200000, 6.00m, 22.50m, 0.60m, 7.50m)", source, StringComparison.Ordinal);
        Assert.Contains("0.86d", source, StringComparison.Ordinal);
    }

    [Fact]
    public void Emit_OneHourCacheWritePrices_AreNamedArgumentsThatCompile()
    {
        var tier = new StratumAI.Catalog.PriceTier(200000, 6m, 22.5m, 0.6m, 7.5m, 12m);
        var withTier = SpecBuilder.Model("claude-a", "ClaudeA", "p") with { Price = new CatalogPrice(3m, 15m, 0.3m, 3.75m, null, new[] { tier }.ToEquatableArray(), 6m) };
        var withoutTier = SpecBuilder.Model("claude-b", "ClaudeB", "p") with { Price = new CatalogPrice(1m, 5m, 0.1m, 1.25m, null, default, 2m) };
        var spec = SpecBuilder.Spec([SpecBuilder.Provider("p", "P", "P")], [withTier, withoutTier]);

        var files = CatalogEmitter.Emit(spec, GeneratorOptions.Default);
        var source = files.Single(f => f.HintName == "ModelCatalog.g.cs").Source;
        var compilation = GeneratorHarness.CreateCompilation(files.Select(f => f.Source).ToArray());

        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.Contains("new global::StratumAI.PriceTier(200000, 6m, 22.5m, 0.6m, 7.5m, CacheWrite1hPerMillion: 12m)", source, StringComparison.Ordinal);
        Assert.Contains("}, CacheWrite1hPerMillion: 6m),", source, StringComparison.Ordinal);
        Assert.Contains("new global::StratumAI.ModelPricing(1m, 5m, 0.1m, 1.25m, null, null, CacheWrite1hPerMillion: 2m),", source, StringComparison.Ordinal);
        Assert.Contains("cache write $3.75, 1-hour cache write $6", files.Single(f => f.HintName == "Model.g.cs").Source, StringComparison.Ordinal);
    }

    [Fact]
    public void Emit_EmbeddingModel_HasItsCapabilityDimensionsAndAGeneratorShortcutThatCompile()
    {
        var embedding = SpecBuilder.Model("text-embedding-3-small", "TextEmbedding3Small", "p", capabilities: ["embeddings"]) with
        {
            Price = new CatalogPrice(0.02m, 0m, null, null, null, default),
            Dimensions = 1536,
        };
        var spec = SpecBuilder.Spec([SpecBuilder.Provider("p", "P", "P")], [embedding]);

        var files = CatalogEmitter.Emit(spec, GeneratorOptions.Default);
        var source = files.Single(f => f.HintName == "ModelCatalog.g.cs").Source;
        var compilation = GeneratorHarness.CreateCompilation(files.Select(f => f.Source).ToArray());

        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
        Assert.Contains("global::StratumAI.ModelCapabilities.Embeddings, null, null, null, null) { Dimensions = 1536 };", source, StringComparison.Ordinal);
        Assert.Contains("GetEmbeddingGenerator(this global::StratumAI.StratumClient client, Model model)", source, StringComparison.Ordinal);
        Assert.Contains("Embedding model: 1,536 dimensions", files.Single(f => f.HintName == "Model.g.cs").Source, StringComparison.Ordinal);
    }

    [Fact]
    public void Emit_RateLimits_AreInitializersOnProviderAndModelThatCompile()
    {
        var provider = SpecBuilder.Provider("p", "P", "P") with { RateLimits = new CatalogRateLimit(500, 3_000_000_000) };
        var limited = SpecBuilder.Model("m-limited", "MLimited", "p") with { RateLimits = new CatalogRateLimit(null, 40_000) };
        var embedding = SpecBuilder.Model("m-embed", "MEmbed", "p", capabilities: ["embeddings"]) with { Dimensions = 8, RateLimits = new CatalogRateLimit(60, null) };
        var spec = SpecBuilder.Spec([provider], [limited, embedding, SpecBuilder.Model("m-free", "MFree", "p")]);

        var files = CatalogEmitter.Emit(spec, GeneratorOptions.Default);
        var source = files.Single(f => f.HintName == "ModelCatalog.g.cs").Source;
        var compilation = GeneratorHarness.CreateCompilation(files.Select(f => f.Source).ToArray());

        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
        Assert.Contains(") { RequestsPerMinute = 500, TokensPerMinute = 3000000000 };", source, StringComparison.Ordinal);
        Assert.Contains(") { TokensPerMinute = 40000 };", source, StringComparison.Ordinal);
        Assert.Contains(") { Dimensions = 8, RequestsPerMinute = 60 };", source, StringComparison.Ordinal);
    }

    [Fact]
    public void Emit_ServiceTierAndAudioPrices_AreNamedArgumentsThatCompile()
    {
        var files = CatalogEmitter.Emit(SpecBuilder.EveryFeature(), GeneratorOptions.Default);
        var source = files.Single(f => f.HintName == "ModelCatalog.g.cs").Source;
        var compilation = GeneratorHarness.CreateCompilation(files.Select(f => f.Source).ToArray());

        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.Contains(
            "new global::StratumAI.ModelPricing(1.10m, 4.40m, null, null, 4.40m, null, AudioInputPerMillion: 40m, AudioOutputPerMillion: 80m, "
            + "Flex: new global::StratumAI.ServiceTierPricing(0.55m, 2.20m, 0.275m, null, null), Priority: new global::StratumAI.ServiceTierPricing(2.00m, 8.00m, null, null, 60m)),",
            source,
            StringComparison.Ordinal);
        var docs = files.Single(f => f.HintName == "Model.g.cs").Source;
        Assert.Contains("reasoning $4.40, audio input $40, audio output $80.", docs, StringComparison.Ordinal);
        Assert.Contains("Flex service tier: input $0.55, output $2.20, cached input $0.275.", docs, StringComparison.Ordinal);
        Assert.Contains("Priority service tier: input $2.00, output $8.00, audio input $60.", docs, StringComparison.Ordinal);
    }

    [Fact]
    public void Emit_BatchPrices_AreANamedServiceTierArgumentThatCompiles()
    {
        var spec = SpecBuilder.EveryFeature();
        var models = spec.Models.Select(m => m.Id == "gpt-4o" ? m with { Price = m.Price with { Batch = new ServiceTierPrice(1.25m, 5.00m) } } : m).ToArray();
        var files = CatalogEmitter.Emit(spec with { Models = EquatableArray<CatalogModel>.UnsafeWrap(models) }, GeneratorOptions.Default);
        var source = files.Single(f => f.HintName == "ModelCatalog.g.cs").Source;
        var compilation = GeneratorHarness.CreateCompilation(files.Select(f => f.Source).ToArray());

        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.Contains("new global::StratumAI.ModelPricing(2.50m, 10.00m, 1.25m, null, null, null, Batch: new global::StratumAI.ServiceTierPricing(1.25m, 5.00m, null, null, null)),", source, StringComparison.Ordinal);
        Assert.Contains("Batch service tier: input $1.25, output $5.00.", files.Single(f => f.HintName == "Model.g.cs").Source, StringComparison.Ordinal);
    }

    [Fact]
    public void Emit_DeprecatedModel_DocumentsDateAndReplacementWithoutObsolete()
    {
        var source = CatalogEmitter.Emit(SpecBuilder.EveryFeature(), GeneratorOptions.Default).Single(f => f.HintName == "Model.g.cs").Source;

        Assert.Contains("Deprecated on 2026-06-30; replaced by <c>gpt-4o</c> (<see cref=\"Gpt4o\"/>)", source, StringComparison.Ordinal);
        Assert.DoesNotContain("Obsolete", source, StringComparison.Ordinal);
    }

    [Fact]
    public void Emit_ModelsWithoutProviderOrWithClashingNames_AreLeftOutSoOutputStillCompiles()
    {
        var spec = SpecBuilder.Spec(
            [SpecBuilder.Provider("p", "P", "P"), SpecBuilder.Provider("q", "Q", "P"), SpecBuilder.Provider("s", "Stratum", "Stratum")],
            [
                SpecBuilder.Model("a", "Alpha", "p"),
                SpecBuilder.Model("b", "Alpha", "p"),
                SpecBuilder.Model("c", "class", "p"),
                SpecBuilder.Model("d", "Delta", "missing"),
                SpecBuilder.Model("e", "Model", "p"),
                SpecBuilder.Model("a", "Again", "q"),
            ]);

        var files = CatalogEmitter.Emit(spec, GeneratorOptions.Default);
        var compilation = GeneratorHarness.CreateCompilation(files.Select(f => f.Source).ToArray());

        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        var modelEnum = files.Single(f => f.HintName == "Model.g.cs").Source;
        Assert.Contains("Alpha = 0,", modelEnum, StringComparison.Ordinal);
        Assert.DoesNotContain("Delta", modelEnum, StringComparison.Ordinal);
        Assert.DoesNotContain("Again", modelEnum, StringComparison.Ordinal);
        Assert.Contains(files, f => f.HintName == "Providers.P2.g.cs");
        Assert.Contains(files, f => f.HintName == "Providers.StratumProvider.g.cs");
    }

    [Fact]
    public void Emit_LargeCatalog_OutputGrowsLinearly()
    {
        static CatalogSpec Catalog(int count)
        {
            var providers = Enumerable.Range(0, 20).Select(p => SpecBuilder.Provider("p" + p, "Provider " + p, "Provider" + p)).ToArray();
            var models = Enumerable.Range(0, count)
                .Select(i => SpecBuilder.Model("model-" + i, "Model" + i, "p" + (i % 20), input: i / 100m, output: i / 50m, aliases: ["alias-" + i], capabilities: ["tools"]))
                .ToArray();
            return SpecBuilder.Spec(providers, models);
        }

        CatalogEmitter.Emit(Catalog(100), GeneratorOptions.Default);
        var small = Catalog(2500);
        var large = Catalog(5000);

        var smallSize = CatalogEmitter.Emit(small, GeneratorOptions.Default).Sum(f => (long)f.Source.Length);
        var largeSize = CatalogEmitter.Emit(large, GeneratorOptions.Default).Sum(f => (long)f.Source.Length);

        Assert.InRange(largeSize / (double)smallSize, 1.9, 2.2);
    }
}
