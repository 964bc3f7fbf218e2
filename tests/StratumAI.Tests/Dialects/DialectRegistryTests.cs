using Microsoft.Extensions.AI;
using StratumAI.Catalog;
using StratumAI.Dialects;

namespace StratumAI.Tests.Dialects;

/// <summary>The list of dialects exists once: the catalog validator and the runtime read the same names.</summary>
public sealed class DialectRegistryTests
{
    [Fact]
    public void CatalogValidator_AcceptsExactlyTheDialectsTheRuntimeHasClientsFor()
    {
        Assert.Equal(
            DialectRegistry.Names.Order(StringComparer.Ordinal),
            CatalogVocabulary.Dialects.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void EveryDialect_MakesAClientForItsModel()
    {
        using var http = new HttpClient();
        foreach (var dialect in CatalogVocabulary.Dialects.Where(d => d != DialectNames.External))
        {
            var model = TestCatalog.Model("m-1", TestCatalog.Provider("acme", new Uri("https://llm.acme.example/v1"), dialect: dialect), TestCatalog.Gpt4oPricing);

            using var client = DialectRegistry.Get(model)(http, new Uri("https://llm.acme.example/v1"), "key", "m-1", null, "acme");

            Assert.Equal("acme", client.GetService<ChatClientMetadata>()?.ProviderName);
        }
    }

    [Fact]
    public void ExternalDialect_HasNoClientOfItsOwn_AndSaysHowToBindOne()
    {
        using var http = new HttpClient();
        var model = TestCatalog.Model("m-1", TestCatalog.Provider("acme", dialect: DialectNames.External), TestCatalog.Gpt4oPricing);

        var thrown = Assert.Throws<InvalidOperationException>(() => DialectRegistry.Get(model)(http, new Uri("https://unused.example"), null, "m-1", null, "acme"));

        Assert.Contains("options.Provider(\"acme\").UseChatClient(client)", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryDialect_DeclaresItsOwnRequestRules()
    {
        var apis = new HashSet<string>(StringComparer.Ordinal);
        foreach (var dialect in CatalogVocabulary.Dialects)
        {
            var registration = DialectRegistry.Registration(dialect);

            Assert.NotNull(registration.Rules);
            Assert.False(string.IsNullOrWhiteSpace(registration.Rules.Api), dialect);
            Assert.True(apis.Add(registration.Rules.Api), $"The dialect '{dialect}' reuses the rules of another dialect ({registration.Rules.Api}).");
            Assert.Same(registration.Rules, RequestValidator.RulesFor(TestCatalog.Model("m-1", TestCatalog.Provider("openai", dialect: dialect), TestCatalog.Gpt4oPricing, dialect)));
        }
    }

    [Fact]
    public void UnregisteredDialect_HasNoRules_InsteadOfOllamasCheckNothingRules()
    {
        var model = TestCatalog.Model("m-1", TestCatalog.Provider("acme", dialect: "bedrock"), TestCatalog.Gpt4oPricing, "bedrock");

        var error = Assert.Throws<NotSupportedException>(() => RequestValidator.RulesFor(model));

        Assert.Contains("bedrock", error.Message, StringComparison.Ordinal);
    }
}
