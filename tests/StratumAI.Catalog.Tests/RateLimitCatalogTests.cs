namespace StratumAI.Catalog.Tests;

/// <summary>The optional <c>rate_limits</c> of a provider and a model: read, written back, and every bad value reported at its position.</summary>
public class RateLimitCatalogTests
{
    private const string Yaml = """
        provider:
          id: gateway
          name: Gateway
          dialect: openai
          base_url: https://llm.example.com/v1
          api_key_env: GATEWAY_KEY
          PROVIDER_LIMITS
        models:
          - id: house-model
            context_window: 8192
            price: {input: 1, output: 2}
            MODEL_LIMITS
        """;

    private static string With(string provider, string model) =>
        Yaml.Replace("PROVIDER_LIMITS", provider, StringComparison.Ordinal).Replace("MODEL_LIMITS", model, StringComparison.Ordinal);

    [Fact]
    public void Parse_RateLimits_OnProviderAndModel_AreRead()
    {
        var file = CatalogParser.Parse("g.yaml", With("rate_limits: {requests_per_minute: 500, tokens_per_minute: 3000000000}", "rate_limits: {requests_per_minute: 60}"));

        Assert.Empty(file.Diagnostics);
        Assert.Equal(new CatalogRateLimit(500, 3_000_000_000), file.Provider!.RateLimits);
        Assert.Equal(new CatalogRateLimit(60, null), Assert.Single(file.Models).RateLimits);
    }

    [Fact]
    public void Parse_NoRateLimits_LeavesThemNull()
    {
        var file = CatalogParser.Parse("g.yaml", With(string.Empty, string.Empty));

        Assert.Empty(file.Diagnostics);
        Assert.Null(file.Provider!.RateLimits);
        Assert.Null(Assert.Single(file.Models).RateLimits);
    }

    [Theory]
    [InlineData("rate_limits: {requests_per_minute: 0}", "0", CatalogDiagnosticIds.OutOfRange, "'requests_per_minute' is 0; it must be greater than 0")]
    [InlineData("rate_limits: {requests_per_minute: 2.5}", "2.5", CatalogDiagnosticIds.InvalidValue, "'requests_per_minute' must be a whole number, not 2.5")]
    [InlineData("rate_limits: {tokens_per_minute: -4}", "-4", CatalogDiagnosticIds.OutOfRange, "'tokens_per_minute' is -4")]
    [InlineData("rate_limits: {requests_per_minute: 3000000000}", "3000000000", CatalogDiagnosticIds.OutOfRange, "'requests_per_minute' is 3000000000")]
    [InlineData("rate_limits: {tokens_per_minute: lots}", "lots", CatalogDiagnosticIds.InvalidValue, "")]
    [InlineData("rate_limits: 500", "500", CatalogDiagnosticIds.InvalidValue, "'rate_limits' of a model must be a mapping")]
    [InlineData("rate_limits: {}", "{}", CatalogDiagnosticIds.MissingField, "'rate_limits' limits nothing")]
    public void Parse_BadModelRateLimit_IsAnErrorAtTheValue(string limits, string at, string id, string message)
    {
        var text = With(string.Empty, limits);

        var file = CatalogParser.Parse("g.yaml", text);

        var diagnostic = Assert.Single(file.Diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.StartsWith(message, diagnostic.Message, StringComparison.Ordinal);
        Assert.Equal(text.IndexOf(limits, StringComparison.Ordinal) + limits.IndexOf(at, "rate_limits:".Length, StringComparison.Ordinal), diagnostic.Location.StartOffset);
        Assert.Equal(11, diagnostic.Location.StartLine);
        Assert.Empty(file.Models);
    }

    [Fact]
    public void Parse_BadProviderRateLimit_RejectsTheProviderAtTheValue()
    {
        var text = With("rate_limits: {requests_per_minute: -1}", string.Empty);

        var file = CatalogParser.Parse("g.yaml", text);

        var diagnostic = Assert.Single(file.Diagnostics);
        Assert.Equal(CatalogDiagnosticIds.OutOfRange, diagnostic.Id);
        Assert.Equal(6, diagnostic.Location.StartLine);
        Assert.Null(file.Provider);
    }

    [Fact]
    public void Parse_UnknownRateLimitKey_IsAWarningNamingTheKnownOnes()
    {
        var file = CatalogParser.Parse("g.yaml", With(string.Empty, "rate_limits: {requests_per_minute: 5, requests_per_day: 100}"));

        var diagnostic = Assert.Single(file.Diagnostics);
        Assert.Equal(CatalogDiagnosticIds.UnknownKey, diagnostic.Id);
        Assert.Contains("requests_per_day", diagnostic.Message, StringComparison.Ordinal);
        Assert.Equal(new CatalogRateLimit(5, null), Assert.Single(file.Models).RateLimits);
    }

    [Fact]
    public void Write_RateLimits_RoundTrip()
    {
        var original = CatalogParser.Parse("g.yaml", With("rate_limits: {tokens_per_minute: 90000}", "rate_limits: {requests_per_minute: 60, tokens_per_minute: 1000}"));

        var reparsed = CatalogParser.Parse("g.yaml", CatalogYamlWriter.Write(original));

        Assert.Empty(reparsed.Diagnostics);
        Assert.Equal(original.Provider!.RateLimits, reparsed.Provider!.RateLimits);
        Assert.Equal(original.Models[0].RateLimits, reparsed.Models[0].RateLimits);
    }
}
