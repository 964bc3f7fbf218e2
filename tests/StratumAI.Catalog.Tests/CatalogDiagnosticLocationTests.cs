namespace StratumAI.Catalog.Tests;

/// <summary>Every catalog diagnostic fires at the right line and column, in YAML and in JSON.</summary>
public class CatalogDiagnosticLocationTests
{
    private const string YamlTemplate = """
        provider:
          id: openai
          name: OpenAI
          dialect: openai
          base_url: https://api.openai.com/v1
        models:
          - id: gpt-4o
            context_window: 128000
            price:
              input: 2.5
              output: 10
            capabilities: [streaming, tools]
        """;

    private const string JsonTemplate = """
        {
          "provider": { "id": "openai", "name": "OpenAI", "dialect": "openai", "base_url": "https://api.openai.com/v1" },
          "models": [
            { "id": "gpt-4o", "context_window": 128000, "price": { "input": 2.5, "output": 10 }, "capabilities": ["streaming", "tools"] }
          ]
        }
        """;

    private const string YamlOtherOpenAiFile = "provider: {id: openai, name: OpenAI, dialect: openai, base_url: 'https://api.openai.com/v1'}\nmodels: []\n";
    private const string JsonOtherOpenAiFile = """{ "provider": { "id": "openai", "name": "OpenAI", "dialect": "openai", "base_url": "https://api.openai.com/v1" } }""";

    public static TheoryData<string, string, string, string> YamlCases() => new()
    {
        { "STRAT001", "syntax error", "    price:\n      input: 2.5", "    price:\n      input: 2.5\n     ‸bad: indentation" },
        { "STRAT001", "tab indentation", "  name: OpenAI", "‸\tname: OpenAI" },
        { "STRAT001", "unclosed flow list", "  name: OpenAI\n", "  name: ‸[OpenAI\n" },
        { "STRAT001", "second document", "models:", "‸---\nmodels:" },
        { "STRAT002", "missing context_window", "  - id: gpt-4o\n    context_window: 128000\n", "  - ‸id: gpt-4o\n" },
        { "STRAT002", "missing provider", "provider:\n  id: openai\n  name: OpenAI\n  dialect: openai\n  base_url: https://api.openai.com/v1\nmodels:", "‸models:" },
        { "STRAT003", "context_window is a list", "context_window: 128000", "context_window: ‸[1]" },
        { "STRAT003", "base_url not http", "base_url: https://api.openai.com/v1", "base_url: ‸ftp://api.openai.com" },
        { "STRAT003", "duplicate key", "    context_window: 128000\n", "    context_window: 128000\n    ‸context_window: 5\n" },
        { "STRAT004", "price is text", "input: 2.5", "input: ‸abc" },
        { "STRAT004", "negative price", "output: 10", "output: ‸-1" },
        { "STRAT004", "price too large", "output: 10", "output: ‸1e999" },
        { "STRAT005", "unknown provider dialect", "  dialect: openai", "  dialect: ‸soap" },
        { "STRAT005", "unknown model dialect", "    context_window: 128000\n", "    context_window: 128000\n    dialect: ‸grpc\n" },
        { "STRAT006", "unknown capability", "[streaming, tools]", "[streaming, ‸telepathy]" },
        { "STRAT007", "duplicate model id", "    capabilities: [streaming, tools]", "    capabilities: [streaming, tools]\n  - id: ‸gpt-4o\n    context_window: 1\n    price: {input: 1, output: 1}" },
        { "STRAT008", "duplicate enum name", "    capabilities: [streaming, tools]", "    capabilities: [streaming, tools]\n  - id: ‸gpt.4o\n    context_window: 1\n    price: {input: 1, output: 1}" },
        { "STRAT009", "unknown provider reference", "provider:\n  id: openai\n  name: OpenAI\n  dialect: openai\n  base_url: https://api.openai.com/v1", "provider:\n  id: ‸nobody" },
        { "STRAT010", "model name is a keyword", "    context_window: 128000\n", "    name: ‸class\n    context_window: 128000\n" },
        { "STRAT010", "type_name starts with a digit", "  dialect: openai", "  type_name: ‸2Fast\n  dialect: openai" },
        { "STRAT010", "model named like the Model enum", "    context_window: 128000\n", "    name: ‸Model\n    context_window: 128000\n" },
        { "STRAT010", "model named like an enum's backing field", "    context_window: 128000\n", "    name: ‸value__\n    context_window: 128000\n" },
        { "STRAT010", "model id derives the name Model", "  - id: gpt-4o\n", "  - id: ‸model\n" },
        { "STRAT010", "model named like its provider's typed enum", "  - id: gpt-4o\n    context_window: 128000\n", "  - id: ‸gpt-4o\n    name: OpenAIModel\n    context_window: 128000\n" },
        { "STRAT011", "unknown key", "    context_window: 128000\n", "    context_window: 128000\n    ‸contxt_window: 5\n" },
        { "STRAT012", "provider defined twice in a layer", "  id: openai", "  id: ‸openai" },
        { "STRAT013", "context_window zero", "context_window: 128000", "context_window: ‸0" },
        { "STRAT013", "quality above one", "    context_window: 128000\n", "    context_window: 128000\n    quality: ‸1.5\n" },
        { "STRAT014", "bad deprecation date", "    context_window: 128000\n", "    context_window: 128000\n    deprecated_on: ‸2025-13-01\n" },
        { "STRAT014", "replacement names no model", "    context_window: 128000\n", "    context_window: 128000\n    replacement: ‸gpt-9\n" },
        { "STRAT015", "api key over plain http to a remote host", "  base_url: https://api.openai.com/v1", "  base_url: ‸http://api.openai.com/v1\n  api_key_env: OPENAI_API_KEY" },
        { "STRAT016", "prices_as names no model", "    context_window: 128000\n", "    context_window: 128000\n    prices_as: ‸gpt-9\n" },
        { "STRAT015", "api key over plain http with user info", "  base_url: https://api.openai.com/v1", "  api_key_env: OPENAI_API_KEY\n  base_url: ‸'http://user:pw@10.0.0.7:8000/v1'" },
    };

    public static TheoryData<string, string, string, string> JsonCases() => new()
    {
        { "STRAT001", "missing value", "\"context_window\": 128000,", "\"context_window\": ‸," },
        { "STRAT001", "trailing junk", "  ]\n}", "  ]\n}\n‸x" },
        { "STRAT001", "missing comma", "\"name\": \"OpenAI\", ", "\"name\": \"OpenAI\" ‸" },
        { "STRAT002", "missing context_window", "{ \"id\": \"gpt-4o\", \"context_window\": 128000,", "‸{ \"id\": \"gpt-4o\"," },
        { "STRAT002", "missing provider", "{\n  \"provider\": { \"id\": \"openai\", \"name\": \"OpenAI\", \"dialect\": \"openai\", \"base_url\": \"https://api.openai.com/v1\" },", "‸{" },
        { "STRAT003", "context_window is a string", "\"context_window\": 128000", "\"context_window\": ‸\"128000\"" },
        { "STRAT003", "id is a number", "{ \"id\": \"gpt-4o\"", "{ \"id\": ‸4" },
        { "STRAT003", "duplicate key", "\"context_window\": 128000,", "\"context_window\": 128000, ‸\"context_window\": 5," },
        { "STRAT004", "price is text", "\"input\": 2.5", "\"input\": ‸\"abc\"" },
        { "STRAT004", "negative price", "\"output\": 10", "\"output\": ‸-1" },
        { "STRAT005", "unknown provider dialect", "\"dialect\": \"openai\"", "\"dialect\": ‸\"soap\"" },
        { "STRAT006", "unknown capability", "[\"streaming\", \"tools\"]", "[\"streaming\", ‸\"telepathy\"]" },
        { "STRAT007", "duplicate model id", "\"tools\"] }", "\"tools\"] },\n    { \"id\": ‸\"gpt-4o\", \"context_window\": 1, \"price\": { \"input\": 1, \"output\": 1 } }" },
        { "STRAT008", "duplicate enum name", "\"tools\"] }", "\"tools\"] },\n    { \"id\": ‸\"gpt.4o\", \"context_window\": 1, \"price\": { \"input\": 1, \"output\": 1 } }" },
        { "STRAT009", "unknown provider reference", "{ \"id\": \"openai\", \"name\": \"OpenAI\", \"dialect\": \"openai\", \"base_url\": \"https://api.openai.com/v1\" }", "{ \"id\": ‸\"nobody\" }" },
        { "STRAT010", "model name is a keyword", "{ \"id\": \"gpt-4o\",", "{ \"id\": \"gpt-4o\", \"name\": ‸\"int\"," },
        { "STRAT010", "model named like an enum's backing field", "{ \"id\": \"gpt-4o\",", "{ \"id\": \"gpt-4o\", \"name\": ‸\"value__\"," },
        { "STRAT010", "model id derives the name Model", "{ \"id\": \"gpt-4o\",", "{ \"id\": ‸\"model\"," },
        { "STRAT010", "model named like its provider's typed enum", "{ \"id\": \"gpt-4o\",", "{ \"id\": ‸\"gpt-4o\", \"name\": \"OpenAIModel\"," },
        { "STRAT011", "unknown key", "\"context_window\": 128000,", "\"context_window\": 128000, ‸\"contxt_window\": 5," },
        { "STRAT012", "provider defined twice in a layer", "{ \"id\": \"openai\", \"name\"", "{ \"id\": ‸\"openai\", \"name\"" },
        { "STRAT013", "context_window negative", "\"context_window\": 128000", "\"context_window\": ‸-5" },
        { "STRAT014", "bad deprecation date", "\"context_window\": 128000,", "\"context_window\": 128000, \"deprecated_on\": ‸\"30/06/2026\"," },
        { "STRAT014", "replacement names no model", "\"context_window\": 128000,", "\"context_window\": 128000, \"replacement\": ‸\"gpt-9\"," },
        { "STRAT015", "api key over plain http to a remote host", "\"base_url\": \"https://api.openai.com/v1\"", "\"base_url\": ‸\"http://api.openai.com/v1\", \"api_key_env\": \"OPENAI_API_KEY\"" },
        { "STRAT016", "prices_as names no model", "\"context_window\": 128000,", "\"context_window\": 128000, \"prices_as\": ‸\"gpt-9\"," },
    };

    [Theory]
    [MemberData(nameof(YamlCases))]
    public void Yaml_Diagnostic_IsReportedAtTheOffendingPosition(string id, string scenario, string find, string replace)
        => AssertReportedAtMarker(id, scenario, "b.yaml", YamlTemplate, find, replace, YamlOtherOpenAiFile);

    [Theory]
    [MemberData(nameof(JsonCases))]
    public void Json_Diagnostic_IsReportedAtTheOffendingPosition(string id, string scenario, string find, string replace)
        => AssertReportedAtMarker(id, scenario, "b.json", JsonTemplate, find, replace, JsonOtherOpenAiFile);

    [Fact]
    public void Cases_CoverEveryDiagnosticIdInBothFormats()
    {
        var all = typeof(CatalogDiagnosticIds).GetFields().Select(f => (string)f.GetValue(null)!).OrderBy(x => x, StringComparer.Ordinal).ToArray();
        Assert.Equal(16, all.Length);
        Assert.Equal(all, YamlCases().Select(row => (string)row[0]).Distinct().OrderBy(x => x, StringComparer.Ordinal));
        Assert.Equal(all, JsonCases().Select(row => (string)row[0]).Distinct().OrderBy(x => x, StringComparer.Ordinal));
    }

    [Fact]
    public void Templates_AreValidCatalogs()
    {
        Assert.Empty(CatalogMerger.Merge(new[] { CatalogParser.Parse("b.yaml", YamlTemplate) }, Array.Empty<CatalogFile>()).Diagnostics);
        Assert.Empty(CatalogMerger.Merge(new[] { CatalogParser.Parse("b.json", JsonTemplate) }, Array.Empty<CatalogFile>()).Diagnostics);
    }

    private static void AssertReportedAtMarker(string id, string scenario, string path, string template, string find, string replace, string otherOpenAiFile)
    {
        Assert.Contains(find, template, StringComparison.Ordinal);
        var marked = Marked.Strip(template.Replace(find, replace, StringComparison.Ordinal));
        var files = new List<CatalogFile> { CatalogParser.Parse(path, marked.Text) };
        if (id == CatalogDiagnosticIds.DuplicateProvider)
        {
            files.Add(CatalogParser.Parse("a" + Path.GetExtension(path), otherOpenAiFile));
        }

        var spec = CatalogMerger.Merge(files, Array.Empty<CatalogFile>());

        var diagnostic = Marked.Single(spec.Diagnostics, id);
        Assert.True(
            (marked.Line, marked.Column, marked.Offset) == (diagnostic.Location.StartLine, diagnostic.Location.StartColumn, diagnostic.Location.StartOffset),
            $"{scenario}: expected {id} at {marked.Line + 1}:{marked.Column + 1}, got {diagnostic.Location} — {diagnostic.Message}");
        Assert.Equal(path, diagnostic.Location.FilePath);
        Assert.Equal(id is CatalogDiagnosticIds.UnknownKey or CatalogDiagnosticIds.InsecureBaseUrl ? CatalogSeverity.Warning : CatalogSeverity.Error, diagnostic.Severity);
        Marked.LocationsAreConsistent(marked.Text, files[0]);
    }
}
