namespace StratumAI.Catalog.Tests;

/// <summary>STRAT015: an API key must not be sent over plain http:// to a remote host unless the catalog says so.</summary>
public class InsecureBaseUrlTests
{
    private static CatalogFile Parse(string providerLines, string path = "lab.yaml")
        => CatalogParser.Parse(path, "provider:\n  id: lab\n  name: Lab\n  dialect: openai\n" + providerLines + "models: []\n");

    [Theory]
    [InlineData("http://gpu-box.lab:8000/v1")]
    [InlineData("http://10.0.0.7/v1")]
    [InlineData("http://0.0.0.0:8000/v1")]
    [InlineData("http://[2001:db8::1]:8000/v1")]
    [InlineData("HTTP://API.EXAMPLE.COM/v1")]
    [InlineData("http://localhost.example.com/v1")]
    public void PlainHttpToARemoteHostWithAKey_IsAWarningThatSaysHowToAllowIt(string baseUrl)
    {
        var file = Parse($"  base_url: {baseUrl}\n  api_key_env: LAB_API_KEY\n");

        var diagnostic = Assert.Single(file.Diagnostics);
        Assert.Equal(CatalogDiagnosticIds.InsecureBaseUrl, diagnostic.Id);
        Assert.Equal(CatalogSeverity.Warning, diagnostic.Severity);
        Assert.Contains("allow_insecure_http: true", diagnostic.Message, StringComparison.Ordinal);
        Assert.Contains("AllowInsecureHttp", diagnostic.Message, StringComparison.Ordinal);
        Assert.Contains("LAB_API_KEY", diagnostic.Message, StringComparison.Ordinal);
        Assert.NotNull(file.Provider); // a warning: the provider and its models stay
        Assert.False(file.Provider!.AllowInsecureHttp);
    }

    [Theory]
    [InlineData("http://localhost:11434")]
    [InlineData("http://LOCALHOST:11434/v1")]
    [InlineData("http://127.0.0.1:4000/v1")]
    [InlineData("http://127.8.9.10/v1")]
    [InlineData("http://[::1]:8000/v1")]
    [InlineData("http://[::ffff:127.0.0.1]:8000/v1")]
    [InlineData("https://api.example.com/v1")]
    [InlineData("https://10.0.0.7/v1")]
    public void LoopbackOrHttps_IsNotReported(string baseUrl)
    {
        var file = Parse($"  base_url: {baseUrl}\n  api_key_env: LAB_API_KEY\n");

        Assert.Empty(file.Diagnostics);
    }

    [Fact]
    public void PlainHttpToARemoteHostWithoutAKey_IsNotReported()
    {
        // Nothing secret is sent (a keyless server such as Ollama on another machine).
        var file = Parse("  base_url: http://gpu-box:11434\n");

        Assert.Empty(file.Diagnostics);
    }

    [Theory]
    [InlineData("true")]
    [InlineData("True")]
    public void AllowInsecureHttp_SilencesTheWarningAndIsKept(string value)
    {
        var file = Parse($"  base_url: http://gpu-box.lab:8000/v1\n  api_key_env: LAB_API_KEY\n  allow_insecure_http: {value}\n");

        Assert.Empty(file.Diagnostics);
        Assert.True(file.Provider!.AllowInsecureHttp);
    }

    [Fact]
    public void AllowInsecureHttp_InJson_IsABoolean()
    {
        var file = CatalogParser.Parse(
            "lab.json",
            """{ "provider": { "id": "lab", "name": "Lab", "dialect": "openai", "base_url": "http://gpu-box.lab:8000/v1", "api_key_env": "LAB_API_KEY", "allow_insecure_http": true } }""");

        Assert.Empty(file.Diagnostics);
        Assert.True(file.Provider!.AllowInsecureHttp);
    }

    [Fact]
    public void AllowInsecureHttpFalse_StillWarns()
    {
        var file = Parse("  base_url: http://gpu-box.lab:8000/v1\n  api_key_env: LAB_API_KEY\n  allow_insecure_http: false\n");

        Assert.Equal(CatalogDiagnosticIds.InsecureBaseUrl, Assert.Single(file.Diagnostics).Id);
    }

    [Theory]
    [InlineData("'true'")]
    [InlineData("yes")]
    [InlineData("1")]
    [InlineData("[true]")]
    public void AllowInsecureHttpThatIsNotABoolean_IsStrat003AtTheValue(string value)
    {
        var text = "provider:\n  id: lab\n  name: Lab\n  dialect: openai\n  base_url: https://lab.example/v1\n  allow_insecure_http: " + value + "\nmodels: []\n";

        var file = CatalogParser.Parse("lab.yaml", text);

        var diagnostic = Assert.Single(file.Diagnostics);
        Assert.Equal(CatalogDiagnosticIds.InvalidValue, diagnostic.Id);
        Assert.Equal(text.IndexOf("allow_insecure_http: ", StringComparison.Ordinal) + "allow_insecure_http: ".Length, diagnostic.Location.StartOffset);
    }

    [Fact]
    public void Message_ShowsNeitherUserInfoNorQuery()
    {
        var file = Parse("  base_url: 'http://proxyuser:hunter2@gpu-box.lab:8000/v1?token=s3cret'\n  api_key_env: LAB_API_KEY\n");

        var diagnostic = Assert.Single(file.Diagnostics);
        Assert.Contains("http://gpu-box.lab:8000/v1", diagnostic.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", diagnostic.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("proxyuser", diagnostic.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ProviderDefinitionWithOnlyAllowInsecureHttp_IsADefinitionNotAReference()
    {
        var file = CatalogParser.Parse("lab.yaml", "provider:\n  id: openai\n  allow_insecure_http: true\nmodels: []\n");

        Assert.False(file.ProviderIsReference);
        Assert.Contains(file.Diagnostics, d => d.Id == CatalogDiagnosticIds.MissingField);
    }

    [Fact]
    public void YamlWriter_RoundTripsAllowInsecureHttp()
    {
        var original = Parse("  base_url: http://gpu-box.lab:8000/v1\n  api_key_env: LAB_API_KEY\n  allow_insecure_http: true\n");

        var written = CatalogYamlWriter.Write(original);
        var reparsed = CatalogParser.Parse("lab.yaml", written);

        Assert.Contains("  allow_insecure_http: true\n", written, StringComparison.Ordinal);
        Assert.Empty(reparsed.Diagnostics);
        Assert.Equal(original.Provider! with { Location = default }, reparsed.Provider! with { Location = default });
        Assert.DoesNotContain("allow_insecure_http", CatalogYamlWriter.Write(Parse("  base_url: https://lab.example/v1\n")), StringComparison.Ordinal);
    }

    [Fact]
    public void ShippedCatalog_HasNoInsecureBaseUrl()
    {
        var files = Directory.GetFiles(TestPaths.CatalogDir, "*.yaml").Select(p => CatalogParser.Parse(p, File.ReadAllText(p)));

        Assert.DoesNotContain(files.SelectMany(f => f.Diagnostics), d => d.Id == CatalogDiagnosticIds.InsecureBaseUrl);
    }
}
