namespace StratumAI.Catalog.Tests;

/// <summary><c>prices_as</c>: a deployment (Azure OpenAI) priced as, and described by, the base model it runs.</summary>
public class PricesAsTests
{
    private const string DefaultOpenAi = """
        provider: {id: openai, name: OpenAI, dialect: openai, base_url: "https://api.openai.com/v1", api_key_env: OPENAI_API_KEY}
        models:
          - id: gpt-4o
            context_window: 128000
            max_output_tokens: 16384
            price: {input: 2.5, output: 10, cached_input: 1.25}
            capabilities: [streaming, tools, vision]
            quality: 0.86
            aliases: [gpt-4o-2024-08-06]
          - id: gpt-4o-mini
            context_window: 128000
            price: {input: 0.15, output: 0.6}
        """;

    private const string AzureProvider = """
        provider:
          id: azure
          name: Azure OpenAI
          dialect: azure-openai
          base_url: https://my-resource.openai.azure.com/openai/v1
          api_key_env: AZURE_OPENAI_API_KEY
        models:

        """;

    private static CatalogSpec Merge(string user) =>
        CatalogMerger.Merge(new[] { CatalogParser.Parse("catalog/openai.yaml", DefaultOpenAi) }, new[] { CatalogParser.Parse("azure.models.yaml", user) });

    [Fact]
    public void Deployment_TakesPriceContextWindowOutputLimitCapabilitiesAndQualityOfItsBaseModel()
    {
        var spec = Merge(AzureProvider + "  - id: my-gpt4o-deployment\n    prices_as: gpt-4o\n");

        Assert.Empty(spec.Diagnostics);
        var deployment = spec.Models.Single(m => m.Id == "my-gpt4o-deployment");
        var gpt4o = spec.Models.Single(m => m.Id == "gpt-4o");
        Assert.Equal(gpt4o.Price, deployment.Price);
        Assert.Equal(1.25m, deployment.Price.CachedInput);
        Assert.Equal((128000, (int?)16384, 0.86m), (deployment.ContextWindow, deployment.MaxOutputTokens, deployment.Quality));
        Assert.Equal(new[] { "streaming", "tools", "vision" }, deployment.Capabilities);
        Assert.Equal(("azure", "MyGpt4oDeployment", "gpt-4o"), (deployment.ProviderId, deployment.EnumName, deployment.PricesAs));
        Assert.False(deployment.InheritsPrice);
    }

    [Fact]
    public void Deployment_OwnValuesWin_AndAnAliasNamesTheBaseModel()
    {
        var spec = Merge(AzureProvider + "  - id: eu-gpt4o\n    prices_as: gpt-4o-2024-08-06\n    context_window: 64000\n    capabilities: [streaming]\n    price: {input: 2.75, output: 11}\n");

        Assert.Empty(spec.Diagnostics);
        var deployment = spec.Models.Single(m => m.Id == "eu-gpt4o");
        Assert.Equal((2.75m, 11m, (decimal?)null), (deployment.Price.Input, deployment.Price.Output, deployment.Price.CachedInput));
        Assert.Equal(64000, deployment.ContextWindow);
        Assert.Equal(new[] { "streaming" }, deployment.Capabilities);
        Assert.Equal(16384, deployment.MaxOutputTokens);
    }

    [Fact]
    public void UnknownBaseModel_IsStrat016AtThePricesAsValue_AndDropsTheDeployment()
    {
        var (text, line, column, _) = Marked.Strip(AzureProvider + "  - id: my-gpt4o-deployment\n    prices_as: ‸gpt-4-o\n");

        var spec = Merge(text);

        var diagnostic = Marked.Single(spec.Diagnostics, CatalogDiagnosticIds.UnknownPricesAs);
        Assert.Equal(CatalogSeverity.Error, diagnostic.Severity);
        Assert.Equal(("azure.models.yaml", line, column), (diagnostic.Location.FilePath, diagnostic.Location.StartLine, diagnostic.Location.StartColumn));
        Assert.Contains("'gpt-4-o'", diagnostic.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(spec.Models, m => m.Id == "my-gpt4o-deployment");
    }

    [Fact]
    public void ChainOfPricesAs_IsStrat016()
    {
        var spec = Merge(AzureProvider + "  - id: first\n    prices_as: gpt-4o\n  - id: second\n    prices_as: first\n");

        var diagnostic = Marked.Single(spec.Diagnostics, CatalogDiagnosticIds.UnknownPricesAs);
        Assert.Contains("'second'", diagnostic.Message, StringComparison.Ordinal);
        Assert.Contains(spec.Models, m => m.Id == "first");
        Assert.DoesNotContain(spec.Models, m => m.Id == "second");
    }

    [Fact]
    public void WithoutPricesAs_PriceAndContextWindowAreStillRequired()
    {
        var spec = Merge(AzureProvider + "  - id: my-gpt4o-deployment\n");

        Assert.Equal(2, spec.Diagnostics.Count(d => d.Id == CatalogDiagnosticIds.MissingField));
        Assert.DoesNotContain(spec.Models, m => m.Id == "my-gpt4o-deployment");
    }

    [Fact]
    public void PricesAs_InJson_IsTheSameKey()
    {
        var json = CatalogParser.Parse(
            "azure.models.json",
            """{"provider": {"id": "azure", "name": "Azure OpenAI", "dialect": "azure-openai-responses", "base_url": "https://r.openai.azure.com/openai/v1"}, "models": [{"id": "my-mini", "prices_as": "gpt-4o-mini"}]}""");

        var spec = CatalogMerger.Merge(new[] { CatalogParser.Parse("catalog/openai.yaml", DefaultOpenAi) }, new[] { json });

        Assert.Empty(spec.Diagnostics);
        Assert.Equal(0.15m, spec.Models.Single(m => m.Id == "my-mini").Price.Input);
    }
}
