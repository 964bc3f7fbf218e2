namespace StratumAI.Catalog.Tests;

public class CatalogMergerTests
{
    private const string DefaultOpenAi = """
        provider:
          id: openai
          name: OpenAI
          dialect: openai
          base_url: https://api.openai.com/v1
          api_key_env: OPENAI_API_KEY
        models:
          - id: gpt-4o
            context_window: 128000
            price: {input: 2.5, output: 10}
            aliases: [gpt-4o-2024-08-06]
          - id: gpt-4o-mini
            context_window: 128000
            price: {input: 0.15, output: 0.6}
          - id: o3
            context_window: 200000
            price: {input: 2, output: 8}
        """;

    private const string DefaultAnthropic = """
        provider: {id: anthropic, name: Anthropic, dialect: anthropic, base_url: "https://api.anthropic.com", api_key_env: ANTHROPIC_API_KEY}
        models:
          - id: claude-3-5-sonnet-latest
            name: Claude35Sonnet
            context_window: 200000
            price: {input: 3, output: 15, cached_input: 0.3, cache_write: 3.75}
        """;

    private static CatalogFile[] Defaults() => new[]
    {
        CatalogParser.Parse("catalog/openai.yaml", DefaultOpenAi),
        CatalogParser.Parse("catalog/anthropic.yaml", DefaultAnthropic),
    };

    [Fact]
    public void Merge_DefaultsOnly_KeepsFileOrderByOrdinalPath()
    {
        var spec = CatalogMerger.Merge(Defaults(), Array.Empty<CatalogFile>());

        Assert.Empty(spec.Diagnostics);
        Assert.Equal(new[] { "anthropic", "openai" }, spec.Providers.Select(p => p.Id));
        Assert.Equal(new[] { "claude-3-5-sonnet-latest", "gpt-4o", "gpt-4o-mini", "o3" }, spec.Models.Select(m => m.Id));
    }

    [Fact]
    public void Merge_UserModelWithDefaultId_ReplacesItWholeInPlace()
    {
        var user = CatalogParser.Parse("models.yaml", "provider: {id: openai}\nmodels:\n  - id: gpt-4o-mini\n    name: Mini\n    context_window: 64000\n    price: {input: 0.1, output: 0.4}\n");

        var spec = CatalogMerger.Merge(Defaults(), new[] { user });

        Assert.Empty(spec.Diagnostics);
        Assert.Equal(new[] { "claude-3-5-sonnet-latest", "gpt-4o", "gpt-4o-mini", "o3" }, spec.Models.Select(m => m.Id));
        var replaced = spec.Models[2];
        Assert.Equal(("Mini", 64000, 0.1m, 0.4m, "models.yaml"), (replaced.EnumName, replaced.ContextWindow, replaced.Price.Input, replaced.Price.Output, replaced.Location.FilePath));
    }

    [Fact]
    public void Merge_UserModelWithNewId_IsAppended()
    {
        var user = CatalogParser.Parse("models.yaml", "provider: {id: anthropic}\nmodels:\n  - id: claude-opus-9\n    context_window: 1000000\n    price: {input: 15, output: 75}\n");

        var spec = CatalogMerger.Merge(Defaults(), new[] { user });

        Assert.Empty(spec.Diagnostics);
        Assert.Equal("claude-opus-9", spec.Models[^1].Id);
        Assert.Equal("anthropic", spec.Models[^1].ProviderId);
        Assert.Equal("ClaudeOpus9", spec.Models[^1].EnumName);
    }

    [Fact]
    public void Merge_DuplicateIdWithinOneLayer_ReportsStrat007AtTheLaterModelAndDropsIt()
    {
        var second = CatalogParser.Parse("catalog/zz.yaml", "provider: {id: openai}\nmodels:\n  - id: gpt-4o-2024-08-06\n    name: Other\n    context_window: 1\n    price: {input: 1, output: 1}\n");

        var spec = CatalogMerger.Merge(Defaults().Append(second), Array.Empty<CatalogFile>());

        var diagnostic = Marked.Single(spec.Diagnostics, CatalogDiagnosticIds.DuplicateModelId);
        Assert.Equal(("catalog/zz.yaml", 2), (diagnostic.Location.FilePath, diagnostic.Location.StartLine));
        Assert.Contains("gpt-4o", diagnostic.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(spec.Models, m => m.EnumName == "Other");
    }

    [Fact]
    public void Merge_DuplicateIdAcrossTwoUserFiles_ReportsStrat007()
    {
        const string Model = "provider: {id: openai}\nmodels:\n  - id: my-model\n    context_window: 1\n    price: {input: 1, output: 1}\n";

        var spec = CatalogMerger.Merge(Defaults(), new[] { CatalogParser.Parse("b.yaml", Model), CatalogParser.Parse("a.yaml", Model) });

        var diagnostic = Marked.Single(spec.Diagnostics, CatalogDiagnosticIds.DuplicateModelId);
        Assert.Equal("b.yaml", diagnostic.Location.FilePath);
        Assert.Single(spec.Models, m => m.Id == "my-model");
    }

    [Fact]
    public void Merge_UserModelIdEqualToDefaultAlias_ReportsStrat007AtTheUserModel()
    {
        var user = CatalogParser.Parse("models.yaml", "provider: {id: openai}\nmodels:\n  - id: gpt-4o-2024-08-06\n    name: Pinned\n    context_window: 1\n    price: {input: 1, output: 1}\n");

        var spec = CatalogMerger.Merge(Defaults(), new[] { user });

        Assert.Equal("models.yaml", Marked.Single(spec.Diagnostics, CatalogDiagnosticIds.DuplicateModelId).Location.FilePath);
        Assert.Contains(spec.Models, m => m.Id == "gpt-4o");
        Assert.DoesNotContain(spec.Models, m => m.EnumName == "Pinned");
    }

    [Fact]
    public void Merge_AliasRepeatingTheModelsOwnId_ReportsStrat007()
    {
        var user = CatalogParser.Parse("models.yaml", "provider: {id: openai}\nmodels:\n  - id: mine\n    context_window: 1\n    price: {input: 1, output: 1}\n    aliases: [mine]\n");

        var spec = CatalogMerger.Merge(Defaults(), new[] { user });

        Assert.Contains("twice", Marked.Single(spec.Diagnostics, CatalogDiagnosticIds.DuplicateModelId).Message, StringComparison.Ordinal);
        Assert.DoesNotContain(spec.Models, m => m.Id == "mine");
    }

    [Fact]
    public void Merge_UnknownProviderReference_ReportsStrat009AndDropsTheModels()
    {
        var user = CatalogParser.Parse("models.yaml", "provider:\n  id: mistral\nmodels:\n  - id: mistral-large\n    context_window: 1\n    price: {input: 1, output: 1}\n");

        var spec = CatalogMerger.Merge(Defaults(), new[] { user });

        var diagnostic = Marked.Single(spec.Diagnostics, CatalogDiagnosticIds.UnknownProvider);
        Assert.Equal(("models.yaml", 1, 6), (diagnostic.Location.FilePath, diagnostic.Location.StartLine, diagnostic.Location.StartColumn));
        Assert.DoesNotContain(spec.Models, m => m.Id == "mistral-large");
    }

    [Fact]
    public void Merge_ReferenceToProviderDefinedInTheUserLayer_Resolves()
    {
        var definition = CatalogParser.Parse("z-local.yaml", "provider: {id: local, name: Local LLM, dialect: openai, base_url: 'http://127.0.0.1:8080/v1'}\n");
        var models = CatalogParser.Parse("a-models.yaml", "provider: {id: local}\nmodels:\n  - id: my-7b\n    context_window: 8192\n    price: {input: 0, output: 0}\n");

        var spec = CatalogMerger.Merge(Defaults(), new[] { definition, models });

        Assert.Empty(spec.Diagnostics);
        Assert.Equal("LocalLLM", spec.Providers.Single(p => p.Id == "local").TypeName);
        Assert.Equal("local", spec.Models.Single(m => m.Id == "my-7b").ProviderId);
    }

    [Fact]
    public void Merge_EnumCollisionAfterMerge_ReportsStrat008AtTheUserModel()
    {
        var user = CatalogParser.Parse("models.yaml", "provider: {id: openai}\nmodels:\n  - id: my-mini\n    name: Gpt4oMini\n    context_window: 1\n    price: {input: 1, output: 1}\n");

        var spec = CatalogMerger.Merge(Defaults(), new[] { user });

        var diagnostic = Marked.Single(spec.Diagnostics, CatalogDiagnosticIds.DuplicateEnumName);
        Assert.Equal("models.yaml", diagnostic.Location.FilePath);
        Assert.Contains("Model.Gpt4oMini", diagnostic.Message, StringComparison.Ordinal);
        Assert.Equal("gpt-4o-mini", spec.Models.Single(m => m.EnumName == "Gpt4oMini").Id);
    }

    [Fact]
    public void Merge_UserProviderDefinition_OverridesTheDefaultInPlace()
    {
        var user = CatalogParser.Parse("proxy.yaml", "provider:\n  id: openai\n  name: OpenAI\n  dialect: openai\n  base_url: http://127.0.0.1:4000/v1\n  api_key_env: PROXY_KEY\n");

        var spec = CatalogMerger.Merge(Defaults(), new[] { user });

        Assert.Empty(spec.Diagnostics);
        Assert.Equal(new[] { "anthropic", "openai" }, spec.Providers.Select(p => p.Id));
        var openai = spec.Providers[1];
        Assert.Equal(("http://127.0.0.1:4000/v1", "PROXY_KEY", "proxy.yaml"), (openai.BaseUrl, openai.ApiKeyEnv, openai.Location.FilePath));
        Assert.Equal(4, spec.Models.Count);
    }

    [Fact]
    public void Merge_SecondDefinitionInOneLayer_ReportsStrat012()
    {
        var again = CatalogParser.Parse("catalog/openai2.yaml", "provider: {id: openai, name: Open, dialect: openai, base_url: 'https://example.com'}\n");

        var spec = CatalogMerger.Merge(Defaults().Append(again), Array.Empty<CatalogFile>());

        var diagnostic = Marked.Single(spec.Diagnostics, CatalogDiagnosticIds.DuplicateProvider);
        Assert.Equal("catalog/openai2.yaml", diagnostic.Location.FilePath);
        Assert.Equal("https://api.openai.com/v1", spec.Providers.Single(p => p.Id == "openai").BaseUrl);
    }

    [Fact]
    public void Merge_TwoProvidersWithTheSameTypeName_ReportsStrat008()
    {
        var user = CatalogParser.Parse("models.yaml", "provider: {id: openai-eu, name: OpenAI, dialect: openai, base_url: 'https://eu.example.com'}\n");

        var spec = CatalogMerger.Merge(Defaults(), new[] { user });

        Assert.Equal("models.yaml", Marked.Single(spec.Diagnostics, CatalogDiagnosticIds.DuplicateEnumName).Location.FilePath);
        Assert.DoesNotContain(spec.Providers, p => p.Id == "openai-eu");
    }

    [Fact]
    public void Merge_ReplacementNamingAnAlias_IsAccepted()
    {
        var user = CatalogParser.Parse("models.yaml", "provider: {id: openai}\nmodels:\n  - id: gpt-3.5-turbo\n    context_window: 16000\n    price: {input: 0.5, output: 1.5}\n    deprecated_on: 2025-01-01\n    replacement: gpt-4o-2024-08-06\n");

        var spec = CatalogMerger.Merge(Defaults(), new[] { user });

        Assert.Empty(spec.Diagnostics);
        Assert.Equal("gpt-4o-2024-08-06", spec.Models.Single(m => m.Id == "gpt-3.5-turbo").Replacement);
    }

    [Fact]
    public void Merge_CarriesTheDiagnosticsOfInputFiles()
    {
        var broken = CatalogParser.Parse("models.yaml", "provider: {id: openai}\nmodels:\n  - id: x\n    context_window: -1\n    price: {input: 1, output: 1}\n");

        var spec = CatalogMerger.Merge(Defaults(), new[] { broken });

        Assert.Equal(CatalogDiagnosticIds.OutOfRange, Assert.Single(spec.Diagnostics).Id);
        Assert.DoesNotContain(spec.Models, m => m.Id == "x");
    }

    [Fact]
    public void Merge_InvalidProviderBlock_DropsItsModelsWithoutCascadingErrors()
    {
        var broken = CatalogParser.Parse("models.yaml", "provider: {id: acme, name: Acme, dialect: soap, base_url: 'https://acme.example'}\nmodels:\n  - id: acme-1\n    context_window: 1\n    price: {input: 1, output: 1}\n");

        var spec = CatalogMerger.Merge(Defaults(), new[] { broken });

        Assert.Equal(CatalogDiagnosticIds.UnknownDialect, Assert.Single(spec.Diagnostics).Id);
        Assert.DoesNotContain(spec.Models, m => m.Id == "acme-1");
    }

    [Fact]
    public void Merge_NullArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => CatalogMerger.Merge(null!, Array.Empty<CatalogFile>()));
        Assert.Throws<ArgumentNullException>(() => CatalogMerger.Merge(Array.Empty<CatalogFile>(), null!));
    }
}
