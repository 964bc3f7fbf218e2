using System.Reflection;
using Microsoft.CodeAnalysis;
using StratumAI.Generator.Tests.Infrastructure;

namespace StratumAI.Generator.Tests;

public class CatalogGenerationTests
{
    private const string UsesTheCatalog = """
        using System.Threading.Tasks;
        using StratumAI;

        namespace App;

        internal static class Usage
        {
            public static string Id() => Model.Gpt4o.GetId();

            public static decimal InputPrice() => ModelCatalog.Get(Model.Claude35Sonnet).Pricing.InputPerMillion;

            public static bool Find(string id) => ModelCatalog.TryGet(id, out var model) && model.Provider == ModelCatalog.OpenAI;

            public static int Count() => ModelCatalog.All.Count + ModelCatalog.Providers.Count;

            public static Task<Microsoft.Extensions.AI.ChatResponse> Ask(StratumClient client)
                => new OpenAIClient(client).GetResponseAsync(OpenAIModel.Gpt4oMini, "Hello");

            public static Microsoft.Extensions.AI.IChatClient Chat(StratumClient client)
                => new AnthropicClient(client).AsChatClient(AnthropicModel.Claude35Sonnet);

            public static ModelInfo Local() => OllamaModel.Llama32.GetInfo();
        }
        """;

    [Fact]
    public void TestCatalog_GeneratedFilesMatchBaselines()
    {
        var run = GeneratorHarness.Run(UsesTheCatalog, TestCatalogs.Defaults);

        GeneratorHarness.AssertNoGeneratorFailure(run);
        Assert.Empty(run.GeneratorDiagnostics);
        foreach (var source in run.GeneratedSources.OrderBy(s => s.HintName, StringComparer.Ordinal))
        {
            Baseline.AssertMatches("TestCatalog/" + source.HintName, source.SourceText.ToString());
        }
    }

    [Fact]
    public void TestCatalog_GeneratedCodeAndItsUsersCompileWithoutErrors()
    {
        var run = GeneratorHarness.Run(UsesTheCatalog, TestCatalogs.Defaults);

        Assert.Empty(run.CompileErrors());
        Assert.Empty(run.GeneratedCodeProblems());
    }

    [Fact]
    public void TypedClient_RejectsAnotherProvidersModelAtCompileTime()
    {
        const string wrong = """
            using StratumAI;

            internal static class Wrong
            {
                public static object Ask(StratumClient client) => new AnthropicClient(client).GetResponseAsync(OpenAIModel.Gpt4o, "Hello");
            }
            """;

        var run = GeneratorHarness.Run(wrong, TestCatalogs.Defaults);

        var errors = run.CompileErrors();
        Assert.All(errors, e => Assert.Equal("CS1503", e.Id));
        Assert.Contains(errors, e => e.GetMessage().Contains("from 'StratumAI.OpenAIModel' to 'StratumAI.AnthropicModel'", StringComparison.Ordinal));
    }

    [Fact]
    public void GeneratedCatalog_AtRunTime_HasExactPricesAliasesAndRegistersItself()
    {
        const string probe = """
            provider:
              id: probe-provider
              name: Probe
              dialect: openai
              base_url: http://127.0.0.1:1/v1
            models:
              - id: registry-probe-model
                context_window: 1000
                price:
                  input: 0.0750
                  output: 12.50
                  cache_write: 3.75
                aliases: [registry-probe-alias]
                deprecated_on: 2027-01-31
            """;
        var run = GeneratorHarness.Run(UsesTheCatalog, [.. TestCatalogs.Defaults, new CatalogTestFile("/pkg/catalog/probe.yaml", probe)]);
        using var stream = new MemoryStream();
        var emitted = run.Output.Emit(stream);
        Assert.True(emitted.Success, string.Join(Environment.NewLine, emitted.Diagnostics));

        var assembly = Assembly.Load(stream.ToArray());
        var catalog = assembly.GetType("StratumAI.ModelCatalog", throwOnError: true)!;
        var modelEnum = assembly.GetType("StratumAI.Model", throwOnError: true)!;
        var get = catalog.GetMethod("Get", BindingFlags.Public | BindingFlags.Static)!;
        var info = (ModelInfo)get.Invoke(null, [Enum.Parse(modelEnum, "RegistryProbeModel")])!;

        Assert.Equal("registry-probe-model", info.Id);
        Assert.Equal(0.0750m, info.Pricing.InputPerMillion);
        Assert.Equal(4, info.Pricing.InputPerMillion.Scale);
        Assert.Equal(3.75m, info.Pricing.CacheWritePerMillion);
        Assert.Null(info.Provider.ApiKeyEnvironmentVariable);
        Assert.Equal(new DateOnly(2027, 1, 31), info.DeprecatedOn);

        var tryGet = catalog.GetMethod("TryGet", BindingFlags.Public | BindingFlags.Static)!;
        object?[] args = ["registry-probe-alias", null];
        Assert.True((bool)tryGet.Invoke(null, args)!);
        Assert.Same(info, args[1]);

        // The module initializer ran when the assembly was first used.
        Assert.True(ModelRegistry.Default.TryGet("registry-probe-alias", out var registered));
        Assert.Same(info, registered);
    }

    [Fact]
    public void ShippedCatalog_GeneratesCodeThatCompilesWithoutErrors()
    {
        var shipped = TestCatalogs.Shipped();
        Assert.NotEmpty(shipped);

        var run = GeneratorHarness.Run(["namespace App; internal static class Empty { }"], shipped);

        GeneratorHarness.AssertNoGeneratorFailure(run);
        Assert.Empty(run.GeneratorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.Empty(run.CompileErrors());
        Assert.Empty(run.GeneratedCodeProblems());
        Assert.Contains("OpenAIClient", run.Source("Providers.OpenAI.g.cs"), StringComparison.Ordinal);
    }
}
