using Microsoft.CodeAnalysis;
using StratumAI.Generator.Tests.Infrastructure;

namespace StratumAI.Generator.Tests;

public class UserStoryTests
{
    private const string AcmeModels = """
        provider:
          id: acme
          name: Acme AI
          dialect: openai
          base_url: https://llm.acme.example/v1
          api_key_env: ACME_API_KEY
        models:
          - id: acme-large-2
            context_window: 64000
            max_output_tokens: 4096
            price:
              input: 1.10
              output: 4.40
            capabilities: [streaming, tools]
        """;

    private const string UsesAcme = """
        using System.Threading.Tasks;
        using StratumAI;

        internal static class UsesAcme
        {
            public static Task<Microsoft.Extensions.AI.ChatResponse> Ask(StratumClient client)
                => new AcmeAIClient(client).GetResponseAsync(AcmeAIModel.AcmeLarge2, "Hello");

            public static string Id() => Model.AcmeLarge2.GetId();
        }
        """;

    [Fact]
    public void UserModelsYaml_AddsEnumMemberAndTypedClientForANewProvider()
    {
        var without = GeneratorHarness.Run(["internal static class Nothing { }"], TestCatalogs.Defaults);
        Assert.DoesNotContain("AcmeLarge2", without.Source("Model.g.cs"), StringComparison.Ordinal);

        var run = GeneratorHarness.Run([UsesAcme], [.. TestCatalogs.Defaults, new CatalogTestFile("/app/models.yaml", AcmeModels, "user")]);

        GeneratorHarness.AssertNoGeneratorFailure(run);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Contains("AcmeLarge2 = ", run.Source("Model.g.cs"), StringComparison.Ordinal);
        Assert.Contains("internal sealed partial class AcmeAIClient", run.Source("Providers.AcmeAI.g.cs"), StringComparison.Ordinal);
        Assert.Contains("\"ACME_API_KEY\"", run.Source("ModelCatalog.g.cs"), StringComparison.Ordinal);
        Assert.Empty(run.CompileErrors());
    }

    [Fact]
    public void UserFileAddingModelToDefaultProvider_ExtendsThatProvidersTypedEnum()
    {
        const string extra = """
            provider:
              id: openai
            models:
              - id: ft:gpt-4o-mini:acme:support:1
                name: SupportBot
                context_window: 128000
                price:
                  input: 0.30
                  output: 1.20
            """;

        var run = GeneratorHarness.Run(["internal static class Nothing { }"], [.. TestCatalogs.Defaults, new CatalogTestFile("/app/support.models.yaml", extra, "user")]);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Contains("SupportBot = ", run.Source("Providers.OpenAI.g.cs"), StringComparison.Ordinal);
        Assert.Empty(run.CompileErrors());
    }

    [Fact]
    public void BrokenCatalog_ReportsDiagnosticAtThatFileLineAndColumn()
    {
        const string broken = """
            provider:
              id: acme
              name: Acme AI
              dialect: openai
              base_url: https://llm.acme.example/v1
            models:
              - id: acme-large-2
                context_window: 64000
                price:
                  input: -1.10
                  output: 4.40
            """;

        var run = GeneratorHarness.Run(["internal static class Nothing { }"], [.. TestCatalogs.Defaults, new CatalogTestFile("/app/models.yaml", broken, "user")]);

        GeneratorHarness.AssertNoGeneratorFailure(run);
        var diagnostic = Assert.Single(run.GeneratorDiagnostics, d => d.Id == "STRAT004");
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        var span = diagnostic.Location.GetLineSpan();
        Assert.Equal("/app/models.yaml", span.Path);
        Assert.Equal(9, span.StartLinePosition.Line);
        Assert.Equal(13, span.StartLinePosition.Character);
        Assert.Empty(run.CompileErrors());
    }

    [Fact]
    public void UnparsableCatalog_ReportsStrat001AtTheSyntaxError()
    {
        const string broken = "provider:\n  id: acme\n  name: [unclosed\n";

        var run = GeneratorHarness.Run(["internal static class Nothing { }"], [.. TestCatalogs.Defaults, new CatalogTestFile("/app/models.yaml", broken, "user")]);

        GeneratorHarness.AssertNoGeneratorFailure(run);
        var diagnostic = Assert.Single(run.GeneratorDiagnostics, d => d.Id == "STRAT001");
        var span = diagnostic.Location.GetLineSpan();
        Assert.Equal("/app/models.yaml", span.Path);
        Assert.InRange(span.StartLinePosition.Line, 2, 3);
        Assert.Empty(run.CompileErrors());
    }

    [Fact]
    public void MsBuildOptions_MoveTheNamespaceAndMakeTypesPublic()
    {
        const string user = """
            using Acme.Llm;

            namespace App;

            /// <summary>Uses the catalog.</summary>
            public static class UsesCatalog
            {
                /// <summary>The id.</summary>
                public static string Id() => Acme.Llm.Model.Gpt4o.GetId();
            }
            """;

        var run = GeneratorHarness.Run(
            [user],
            TestCatalogs.Defaults,
            new Dictionary<string, string> { ["build_property.StratumAINamespace"] = "Acme.Llm", ["build_property.StratumAIPublicTypes"] = "true" });

        Assert.Contains("namespace Acme.Llm", run.Source("Model.g.cs"), StringComparison.Ordinal);
        Assert.Contains("public enum Model", run.Source("Model.g.cs"), StringComparison.Ordinal);
        Assert.Contains("public static partial class ModelCatalog", run.Source("ModelCatalog.g.cs"), StringComparison.Ordinal);
        Assert.Contains("public sealed partial class OpenAIClient", run.Source("Providers.OpenAI.g.cs"), StringComparison.Ordinal);
        Assert.Empty(run.CompileErrors());
        Assert.Empty(run.GeneratedCodeProblems());
    }

    [Fact]
    public void DefaultOptions_GenerateInternalTypesInStratumAI()
    {
        var run = GeneratorHarness.Run(["internal static class Nothing { }"], TestCatalogs.Defaults);

        Assert.Contains("namespace StratumAI\n", run.Source("Model.g.cs"), StringComparison.Ordinal);
        Assert.Contains("internal enum Model", run.Source("Model.g.cs"), StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidNamespaceOption_FallsBackToStratumAI()
    {
        var run = GeneratorHarness.Run(
            ["internal static class Nothing { }"],
            TestCatalogs.Defaults,
            new Dictionary<string, string> { ["build_property.StratumAINamespace"] = "Not A.Namespace!" });

        Assert.Contains("namespace StratumAI\n", run.Source("Model.g.cs"), StringComparison.Ordinal);
        Assert.Empty(run.CompileErrors());
    }

    [Fact]
    public void AdditionalFileWithoutCatalogMetadata_IsIgnored()
    {
        var run = GeneratorHarness.Run(["internal static class Nothing { }"], [.. TestCatalogs.Defaults, new CatalogTestFile("/app/appsettings.json", "{ not a catalog", "")]);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompileErrors());
    }
}
