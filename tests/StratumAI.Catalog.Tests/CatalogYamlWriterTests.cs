namespace StratumAI.Catalog.Tests;

public class CatalogYamlWriterTests
{
    [Fact]
    public void Write_ParsedFile_RoundTripsToEqualRecords()
    {
        var original = CatalogParser.Parse("openai.yaml", CatalogParserTests.ValidYaml);

        var written = CatalogYamlWriter.Write(original);
        var reparsed = CatalogParser.Parse("openai.yaml", written);

        Assert.Empty(reparsed.Diagnostics);
        Assert.Equal(original.Provider! with { Location = default }, reparsed.Provider! with { Location = default });
        Assert.Equal(
            original.Models.Select(m => m with { Location = default, ReplacementLocation = null }),
            reparsed.Models.Select(m => m with { Location = default, ReplacementLocation = null }));
    }

    [Fact]
    public void Write_OmitsDerivableNamesAndTrailingZeros()
    {
        var file = CatalogParser.Parse("openai.yaml", CatalogParserTests.ValidYaml);

        var written = CatalogYamlWriter.Write(file);

        Assert.DoesNotContain("name: Gpt4o", written, StringComparison.Ordinal);
        Assert.DoesNotContain("type_name", written, StringComparison.Ordinal);
        Assert.Contains("      input: 2.5\n", written, StringComparison.Ordinal);
        Assert.Contains("      reasoning: 0.0000025\n", written, StringComparison.Ordinal);
        Assert.Contains("    deprecated_on: 2026-06-30\n", written, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_TextYamlWouldMisread_IsQuoted()
    {
        var model = new CatalogModel("1.5", "M15", "x", null, 10, null, new CatalogPrice(1m, 1m, null, null, null, default), default, null,
            new[] { "true", "null", "x,y", "#x", "ok-id", "1.5e3" }.ToEquatableArray(), null, null, default);
        var file = new CatalogFile("x.yaml", new CatalogProvider("x", "X \"Corp\"", "XCorp", "openai", "https://x.example/v1", null, default), false, new[] { model }.ToEquatableArray(), default);

        var written = CatalogYamlWriter.Write(file);
        var reparsed = CatalogParser.Parse("x.yaml", written);

        Assert.Empty(reparsed.Diagnostics);
        Assert.Equal("1.5", reparsed.Models.Single().Id);
        Assert.Equal(new[] { "true", "null", "x,y", "#x", "ok-id", "1.5e3" }, reparsed.Models.Single().Aliases);
        Assert.Equal("X \"Corp\"", reparsed.Provider!.Name);
        Assert.Contains("aliases: [\"true\", \"null\", \"x,y\", \"#x\", ok-id, \"1.5e3\"]", written, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_ReferenceProvider_WritesOnlyTheId()
    {
        var file = CatalogParser.Parse("mine.yaml", "provider: {id: openai}\nmodels: []\n");

        Assert.Equal("provider:\n  id: openai\nmodels: []\n", CatalogYamlWriter.Write(file));
    }

    [Fact]
    public void Write_FileWithoutProvider_Throws()
    {
        var file = CatalogParser.Parse("broken.yaml", "models: []");

        Assert.Throws<ArgumentException>(() => CatalogYamlWriter.Write(file));
        Assert.Throws<ArgumentNullException>(() => CatalogYamlWriter.Write(null!));
    }
}
