using Microsoft.CodeAnalysis;
using StratumAI.Generator.Tests.Infrastructure;

namespace StratumAI.Generator.Tests;

/// <summary>An Azure OpenAI provider of the user's, with deployments priced as the default catalog's base models.</summary>
public class AzureDeploymentTests
{
    private const string AzureModels = """
        provider:
          id: azure
          name: Azure OpenAI
          type_name: Azure
          dialect: azure-openai
          base_url: https://my-resource.openai.azure.com/openai/v1
          api_key_env: AZURE_OPENAI_API_KEY
        models:
          - id: my-gpt4o-deployment
            name: SupportGpt4o
            prices_as: gpt-4o
        """;

    private const string UsesAzure = """
        using System.Threading.Tasks;
        using StratumAI;

        internal static class UsesAzure
        {
            public static Task<Microsoft.Extensions.AI.ChatResponse> Ask(StratumClient client)
                => new AzureClient(client).GetResponseAsync(AzureModel.SupportGpt4o, "Hello");

            public static string Id() => Model.SupportGpt4o.GetId();
        }
        """;

    [Fact]
    public void Deployment_GetsItsOwnMemberAndTheBaseModelsPricesContextWindowAndCapabilities()
    {
        var run = GeneratorHarness.Run([UsesAzure], [.. TestCatalogs.Defaults, new CatalogTestFile("/app/azure.models.yaml", AzureModels, "user")]);

        GeneratorHarness.AssertNoGeneratorFailure(run);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompileErrors());
        var catalog = run.Source("ModelCatalog.g.cs");
        var gpt4o = Entry(catalog, "\"gpt-4o\", \"Gpt4o\", OpenAI, null, ");
        var deployment = Entry(catalog, "\"my-gpt4o-deployment\", \"SupportGpt4o\", Azure, null, ");

        // After the id, name and provider: context window, output limit, prices, capabilities and quality are gpt-4o's;
        // its aliases and deprecation are not (the deployment has its own id, and is not deprecated with it).
        var described = gpt4o.Tail[..(gpt4o.Tail.IndexOf("0.86d", StringComparison.Ordinal) + "0.86d".Length)];
        Assert.Contains("new global::StratumAI.ModelPricing(2.50m, 10.00m, 1.25m", described, StringComparison.Ordinal);
        Assert.Equal(described + ", null, null, null", deployment.Tail);
        Assert.Contains("\"azure-openai\"", catalog, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownBaseModel_IsStrat016AtThePricesAsValue()
    {
        var run = GeneratorHarness.Run(
            ["internal static class Nothing { }"],
            [.. TestCatalogs.Defaults, new CatalogTestFile("/app/azure.models.yaml", AzureModels.Replace("prices_as: gpt-4o", "prices_as: gpt-4-o", StringComparison.Ordinal), "user")]);

        GeneratorHarness.AssertNoGeneratorFailure(run);
        var diagnostic = Assert.Single(run.GeneratorDiagnostics, d => d.Id == "STRAT016");
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        var span = diagnostic.Location.GetLineSpan();
        Assert.Equal(("/app/azure.models.yaml", 10, 15), (span.Path, span.StartLinePosition.Line, span.StartLinePosition.Character));
        Assert.DoesNotContain("my-gpt4o-deployment", run.Source("ModelCatalog.g.cs"), StringComparison.Ordinal);
        Assert.Empty(run.CompileErrors());
    }

    /// <summary>The text of one <c>new ModelInfo(…)</c> entry after <paramref name="start"/>, up to the entry's end.</summary>
    private static (string Start, string Tail) Entry(string source, string start)
    {
        var at = source.IndexOf(start, StringComparison.Ordinal);
        Assert.True(at >= 0, $"no entry starting {start}");
        var end = source.IndexOf(");", at, StringComparison.Ordinal);
        return (start, source[(at + start.Length)..end]);
    }
}
