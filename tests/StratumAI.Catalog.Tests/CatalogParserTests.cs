namespace StratumAI.Catalog.Tests;

public class CatalogParserTests
{
    internal const string ValidYaml = """
        provider:
          id: openai
          name: OpenAI
          dialect: openai
          base_url: https://api.openai.com/v1
          api_key_env: OPENAI_API_KEY
        models:
          - id: gpt-4o
            name: Gpt4o
            dialect: openai-responses
            context_window: 128000
            max_output_tokens: 16384
            price:
              input: 2.50
              output: 10.00
              cached_input: 1.25
              cache_write: 3.75
              cache_write_1h: 6.00
              reasoning: 2.5e-06
              audio_input: 40
              audio_output: 80
              tiers:
                - above_input_tokens: 200000
                  input: 5.00
                  output: 15.00
                  cached_input: 0.50
                  cache_write: 7.50
                  cache_write_1h: 12.00
              flex:
                input: 1.25
                output: 5
                cached_input: 0.625
              priority:
                input: 4.25
                output: 17
                cached_input: 2.125
                cache_write: 5
                audio_input: 60
            capabilities: [streaming, tools, vision, json_schema]
            quality: 0.86
            aliases: [gpt-4o-2024-08-06]
            deprecated_on: 2026-06-30
            replacement: gpt-4.1
          - id: gpt-4.1
            context_window: 1047576
            price:
              input: 2
              output: 8
        """;

    internal const string ValidJson = """
        {
          "provider": {
            "id": "openai",
            "name": "OpenAI",
            "dialect": "openai",
            "base_url": "https://api.openai.com/v1",
            "api_key_env": "OPENAI_API_KEY"
          },
          "models": [
            {
              "id": "gpt-4o",
              "name": "Gpt4o",
              "dialect": "openai-responses",
              "context_window": 128000,
              "max_output_tokens": 16384,
              "price": {
                "input": 2.50,
                "output": 10.00,
                "cached_input": 1.25,
                "cache_write": 3.75,
                "cache_write_1h": 6.00,
                "reasoning": 2.5e-06,
                "audio_input": 40,
                "audio_output": 80,
                "tiers": [
                  { "above_input_tokens": 200000, "input": 5.00, "output": 15.00, "cached_input": 0.50, "cache_write": 7.50, "cache_write_1h": 12.00 }
                ],
                "flex": { "input": 1.25, "output": 5, "cached_input": 0.625 },
                "priority": { "input": 4.25, "output": 17, "cached_input": 2.125, "cache_write": 5, "audio_input": 60 }
              },
              "capabilities": ["streaming", "tools", "vision", "json_schema"],
              "quality": 0.86,
              "aliases": ["gpt-4o-2024-08-06"],
              "deprecated_on": "2026-06-30",
              "replacement": "gpt-4.1"
            },
            {
              "id": "gpt-4.1",
              "context_window": 1047576,
              "price": { "input": 2, "output": 8 }
            }
          ]
        }
        """;

    [Theory]
    [InlineData("openai.yaml", ValidYaml)]
    [InlineData("openai.json", ValidJson)]
    public void Parse_ValidFile_GivesExactRecords(string path, string text)
    {
        var file = CatalogParser.Parse(path, text);

        Assert.Empty(file.Diagnostics);
        Assert.False(file.ProviderIsReference);
        var provider = Assert.IsType<CatalogProvider>(file.Provider);
        Assert.Equal(
            new CatalogProvider("openai", "OpenAI", "OpenAI", "openai", "https://api.openai.com/v1", "OPENAI_API_KEY", provider.Location),
            provider);
        Assert.Equal(2, file.Models.Count);

        var gpt4o = file.Models[0];
        var expectedPrice = new CatalogPrice(
            2.50m,
            10.00m,
            1.25m,
            3.75m,
            0.0000025m,
            new[] { new PriceTier(200000, 5.00m, 15.00m, 0.50m, 7.50m, 12.00m) }.ToEquatableArray(),
            6.00m,
            AudioInput: 40m,
            AudioOutput: 80m,
            Flex: new ServiceTierPrice(1.25m, 5m, 0.625m),
            Priority: new ServiceTierPrice(4.25m, 17m, 2.125m, 5m, 60m));
        var expected = new CatalogModel(
            "gpt-4o",
            "Gpt4o",
            "openai",
            "openai-responses",
            128000,
            16384,
            expectedPrice,
            new[] { "streaming", "tools", "vision", "json_schema" }.ToEquatableArray(),
            0.86m,
            new[] { "gpt-4o-2024-08-06" }.ToEquatableArray(),
            "2026-06-30",
            "gpt-4.1",
            gpt4o.Location)
        {
            ReplacementLocation = gpt4o.ReplacementLocation,
        };
        Assert.Equal(expected, gpt4o);
        Assert.Equal(0.0000025m, gpt4o.Price.Reasoning);

        var gpt41 = file.Models[1];
        Assert.Equal(
            new CatalogModel("gpt-4.1", "Gpt41", "openai", null, 1047576, null, new CatalogPrice(2m, 8m, null, null, null, default), default, null, default, null, null, gpt41.Location),
            gpt41);
    }

    [Theory]
    [InlineData("openai.yaml", ValidYaml, "gpt-4o", "‸gpt-4o\n")]
    [InlineData("openai.json", ValidJson, "gpt-4o", "‸\"gpt-4o\",")]
    public void Parse_ModelLocation_PointsAtItsId(string path, string text, string id, string markedFragment)
    {
        var file = CatalogParser.Parse(path, text);
        var model = file.Models.Single(m => m.Id == id);
        var fragment = markedFragment.Replace("‸", string.Empty, StringComparison.Ordinal);
        var offset = text.IndexOf(fragment, StringComparison.Ordinal);

        Assert.Equal(offset, model.Location.StartOffset);
        Assert.Equal(path, model.Location.FilePath);
        var lineStart = text.LastIndexOf('\n', offset) + 1;
        Assert.Equal(text.Take(offset).Count(c => c == '\n'), model.Location.StartLine);
        Assert.Equal(offset - lineStart, model.Location.StartColumn);
    }

    [Fact]
    public void Parse_YamlAndJsonOfTheSameCatalog_GiveEqualRecordsApartFromLocations()
    {
        var yaml = CatalogParser.Parse("a.yaml", ValidYaml);
        var json = CatalogParser.Parse("a.json", ValidJson);

        Assert.Equal(
            yaml.Models.Select(m => m with { Location = default, ReplacementLocation = null }),
            json.Models.Select(m => m with { Location = default, ReplacementLocation = null }));
        Assert.Equal(yaml.Provider! with { Location = default }, json.Provider! with { Location = default });
    }

    [Theory]
    [InlineData("2.5e-06", "0.0000025")]
    [InlineData("1e-7", "0.0000001")]
    [InlineData("0.000000075", "0.000000075")]
    [InlineData("15", "15")]
    [InlineData("0", "0")]
    [InlineData("1234567.891234567891234", "1234567.891234567891234")]
    public void Parse_PriceText_IsReadAsAnExactDecimal(string written, string expected)
    {
        var file = CatalogParser.Parse("p.yaml", ValidYaml.Replace("input: 2.50", "input: " + written, StringComparison.Ordinal));

        Assert.Empty(file.Diagnostics);
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), file.Models[0].Price.Input);
    }

    [Fact]
    public void Parse_QuotedNumberInYaml_IsRejectedAsText()
    {
        var (text, line, column, _) = Marked.Strip(ValidYaml.Replace("input: 2.50", "input: ‸\"2.50\"", StringComparison.Ordinal));

        var file = CatalogParser.Parse("q.yaml", text);

        var diagnostic = Marked.Single(file.Diagnostics, CatalogDiagnosticIds.InvalidPrice);
        Assert.Equal((line, column), (diagnostic.Location.StartLine, diagnostic.Location.StartColumn));
        Assert.Contains("quoted", diagnostic.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(file.Models, m => m.Id == "gpt-4o");
        Assert.Contains(file.Models, m => m.Id == "gpt-4.1");
    }

    [Fact]
    public void Parse_ProviderWithOnlyId_IsAReference()
    {
        var file = CatalogParser.Parse("mine.yaml", "provider:\n  id: openai\nmodels:\n  - id: ft:gpt-4o:acme::1\n    name: AcmeTuned\n    context_window: 128000\n    price: {input: 3.75, output: 15}\n");

        Assert.Empty(file.Diagnostics);
        Assert.True(file.ProviderIsReference);
        Assert.Equal("openai", file.Provider!.Id);
        Assert.Equal("openai", file.Models.Single().ProviderId);
        Assert.Equal("AcmeTuned", file.Models.Single().EnumName);
    }

    [Fact]
    public void Parse_ProviderTypeName_DefaultsToNameWithoutPunctuation()
    {
        var file = CatalogParser.Parse("g.yaml", "provider:\n  id: gemini\n  name: Google Gemini\n  dialect: gemini\n  base_url: https://generativelanguage.googleapis.com/v1beta\n");

        Assert.Empty(file.Diagnostics);
        Assert.Equal("GoogleGemini", file.Provider!.TypeName);
        Assert.Null(file.Provider.ApiKeyEnv);
        Assert.Empty(file.Models);
    }

    [Fact]
    public void Parse_ExternalProvider_NeedsNoBaseUrl()
    {
        // Served by an IChatClient the application binds (ProviderOptions.UseChatClient): there is no URL of ours to call.
        var file = CatalogParser.Parse("b.yaml", "provider:\n  id: bedrock\n  name: AWS Bedrock\n  dialect: external\nmodels:\n  - id: anthropic.claude-3-haiku\n    context_window: 200000\n    price: {input: 0.25, output: 1.25}\n");

        Assert.Empty(file.Diagnostics);
        Assert.Equal("external", file.Provider!.Dialect);
        Assert.Null(file.Provider.BaseUrl);
        Assert.Equal("anthropic.claude-3-haiku", Assert.Single(file.Models).Id);
    }

    [Fact]
    public void Parse_ProviderWithADialectOfOurs_StillNeedsABaseUrl()
    {
        var file = CatalogParser.Parse("g.yaml", "provider:\n  id: gemini\n  name: Google Gemini\n  dialect: gemini\n");

        Assert.Contains(file.Diagnostics, d => d.Message.Contains("base_url", StringComparison.Ordinal));
        Assert.Null(file.Provider);
    }

    [Fact]
    public void Parse_AnchorsAliasesAndMergeKeys_AreResolved()
    {
        const string Text = """
            provider: {id: ollama, name: Ollama, dialect: ollama, base_url: "http://localhost:11434"}
            models:
              - &base
                id: llama3.1
                context_window: 131072
                price: &free {input: 0, output: 0}
                capabilities: [streaming, tools]
              - <<: *base
                id: qwen2.5
                price: *free
            """;

        var file = CatalogParser.Parse("o.yaml", Text);

        Assert.Empty(file.Diagnostics);
        Assert.Equal(new[] { "llama3.1", "qwen2.5" }, file.Models.Select(m => m.Id));
        Assert.Equal(131072, file.Models[1].ContextWindow);
        Assert.Equal(new[] { "streaming", "tools" }, file.Models[1].Capabilities);
    }

    [Fact]
    public void Parse_JsonWithCommentsTrailingCommasAndSchema_IsAccepted()
    {
        const string Text = """
            {
              "$schema": "./catalog.schema.json",
              // a comment
              "provider": { "id": "openai", },
              "models": [],
            }
            """;

        var file = CatalogParser.Parse("c.json", Text);

        Assert.Empty(file.Diagnostics);
        Assert.True(file.ProviderIsReference);
    }

    [Fact]
    public void Parse_NonAsciiJson_MapsByteOffsetsToCharOffsets()
    {
        var (text, line, column, offset) = Marked.Strip("{ \"provider\": { \"id\": \"openai\", \"name\": \"Öpen😀AI\", \"dialect\": ‸\"nope\", \"base_url\": \"https://x.example\" } }");

        var file = CatalogParser.Parse("u.json", text);

        var diagnostic = Marked.Single(file.Diagnostics, CatalogDiagnosticIds.UnknownDialect);
        Assert.Equal((line, column, offset, 6), (diagnostic.Location.StartLine, diagnostic.Location.StartColumn, diagnostic.Location.StartOffset, diagnostic.Location.Length));
    }

    [Theory]
    [InlineData("provider:\n  id: openai\n  name: Öpen😀AI\n  dialect: ‸soap\n  base_url: https://x.example\n")]
    [InlineData("\uFEFFprovider:\n  id: openai\n  name: OpenAI\n  dialect: ‸soap\n  base_url: https://x.example\n")]
    [InlineData("# 日本語のコメント 😀😀\nprovider: {id: openai, name: \"é\", dialect: ‸soap, base_url: \"https://x.example\"}\n")]
    public void Parse_NonAsciiYaml_LocationsAreCharOffsets(string marked)
    {
        var expected = Marked.Strip(marked);

        var diagnostic = Marked.Single(CatalogParser.Parse("u.yaml", expected.Text).Diagnostics, CatalogDiagnosticIds.UnknownDialect);

        Marked.AtMarker(diagnostic, expected);
        Assert.Equal("soap", expected.Text.Substring(diagnostic.Location.StartOffset, diagnostic.Location.Length));
    }

    [Fact]
    public void Parse_JsonWithByteOrderMark_KeepsCharOffsets()
    {
        var expected = Marked.Strip("\uFEFF{ \"provider\": { \"id\": \"openai\", \"name\": \"x\", \"dialect\": ‸\"soap\", \"base_url\": \"https://x.example\" } }");

        var diagnostic = Marked.Single(CatalogParser.Parse("u.json", expected.Text).Diagnostics, CatalogDiagnosticIds.UnknownDialect);

        Marked.AtMarker(diagnostic, expected);
    }

    [Fact]
    public void Parse_JsonWithMixedLineEndings_ReportsASyntaxErrorAtTheOffendingCharacter()
    {
        // One line broken by a lone '\r' (classic Mac): System.Text.Json counted lines at '\n' only, which put
        // this error a line early; the catalog's own JSON reader works in char offsets.
        var expected = Marked.Strip("{\n  \"provider\": { \"id\": \"openai\" },\r  \"models\": [\n    ‸x\n  ]\n}");

        var diagnostic = Marked.Single(CatalogParser.Parse("m.json", expected.Text).Diagnostics, CatalogDiagnosticIds.MalformedFile);

        Assert.Equal((expected.Offset, 3, 4), (diagnostic.Location.StartOffset, diagnostic.Location.StartLine, diagnostic.Location.StartColumn));
    }

    [Fact]
    public void Parse_CrLfLineEndings_GiveTheSameLinesAndColumns()
    {
        var (text, line, column, _) = Marked.Strip(ValidYaml.Replace("dialect: openai-responses", "dialect: ‸responses", StringComparison.Ordinal));
        var crlf = text.Replace("\n", "\r\n", StringComparison.Ordinal);

        var diagnostic = Marked.Single(CatalogParser.Parse("x.yaml", crlf).Diagnostics, CatalogDiagnosticIds.UnknownDialect);

        Assert.Equal((line, column), (diagnostic.Location.StartLine, diagnostic.Location.StartColumn));
        Assert.Equal(crlf.IndexOf("responses\r", StringComparison.Ordinal), diagnostic.Location.StartOffset);
    }

    [Fact]
    public void Parse_InvalidModel_IsDroppedAndTheRestOfTheFileStillCounts()
    {
        var file = CatalogParser.Parse("x.yaml", ValidYaml.Replace("context_window: 128000", "context_window: lots", StringComparison.Ordinal));

        Assert.Equal(new[] { "gpt-4.1" }, file.Models.Select(m => m.Id));
        Assert.NotNull(file.Provider);
        Assert.Equal(CatalogDiagnosticIds.InvalidValue, Assert.Single(file.Diagnostics).Id);
    }

    [Fact]
    public void Parse_BatchPrices_AreAServiceTier_AndABadOneIsADiagnosticAtItsLine()
    {
        var yaml = ValidYaml.Replace("      priority:\n", "      batch:\n        input: 1.25\n        output: 5\n        cache_write: 1.875\n      priority:\n", StringComparison.Ordinal);
        var file = CatalogParser.Parse("x.yaml", yaml);
        var bad = CatalogParser.Parse("x.yaml", yaml.Replace("        output: 5\n        cache_write", "        output: half\n        cache_write", StringComparison.Ordinal));
        var typo = CatalogParser.Parse("x.yaml", yaml.Replace("      batch:\n", "      batches:\n", StringComparison.Ordinal));

        Assert.Empty(file.Diagnostics);
        Assert.Equal(new ServiceTierPrice(1.25m, 5m, null, 1.875m), file.Models[0].Price.Batch);
        var error = Assert.Single(bad.Diagnostics);
        Assert.Equal(CatalogDiagnosticIds.InvalidPrice, error.Id);
        var badLine = yaml.Split('\n').ToList().FindIndex(l => l == "      batch:") + 2;   // zero-based, as StartLine
        Assert.Equal(("x.yaml", badLine, 16), (error.Location.FilePath, error.Location.StartLine, error.Location.StartColumn));
        Assert.Equal(new[] { "gpt-4.1" }, bad.Models.Select(m => m.Id));
        var warning = Assert.Single(typo.Diagnostics);
        Assert.Equal(CatalogDiagnosticIds.UnknownKey, warning.Id);
        Assert.Contains("Did you mean 'batch'", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ServiceTierPrices_AreCheckedLikeOtherPrices()
    {
        var negative = CatalogParser.Parse("x.yaml", ValidYaml.Replace("cached_input: 0.625", "cached_input: -0.625", StringComparison.Ordinal));
        var notAMapping = CatalogParser.Parse("x.yaml", ValidYaml.Replace("      flex:\n        input: 1.25\n", "      flex: 1.25\n      flexx:\n        input: 1.25\n", StringComparison.Ordinal));
        var typo = CatalogParser.Parse("x.yaml", ValidYaml.Replace("audio_input: 60", "audio_inptu: 60", StringComparison.Ordinal));

        Assert.Equal(CatalogDiagnosticIds.InvalidPrice, Assert.Single(negative.Diagnostics).Id);
        Assert.Equal(new[] { "gpt-4.1" }, negative.Models.Select(m => m.Id));
        Assert.Contains(notAMapping.Diagnostics, d => d.Id == CatalogDiagnosticIds.InvalidValue && d.Message.Contains("'flex' must be a mapping", StringComparison.Ordinal));
        var warning = Assert.Single(typo.Diagnostics);
        Assert.Equal((CatalogDiagnosticIds.UnknownKey, CatalogSeverity.Warning), (warning.Id, warning.Severity));
        Assert.Contains("Did you mean 'audio_input'", warning.Message, StringComparison.Ordinal);
        Assert.Equal(new ServiceTierPrice(4.25m, 17m, 2.125m, 5m), typo.Models[0].Price.Priority);
    }

    [Fact]
    public void Parse_UnknownKey_IsAWarningAndKeepsTheModel()
    {
        var file = CatalogParser.Parse("x.yaml", ValidYaml.Replace("quality: 0.86", "qualty: 0.86", StringComparison.Ordinal));

        var diagnostic = Assert.Single(file.Diagnostics);
        Assert.Equal((CatalogDiagnosticIds.UnknownKey, CatalogSeverity.Warning), (diagnostic.Id, diagnostic.Severity));
        Assert.Contains("Did you mean 'quality'", diagnostic.Message, StringComparison.Ordinal);
        Assert.Equal(2, file.Models.Count);
        Assert.Null(file.Models[0].Quality);
    }

    [Theory]
    [InlineData("x.yaml")]
    [InlineData("x.json")]
    public void Parse_EmptyText_ReportsMalformedFileAtStart(string path)
    {
        var file = CatalogParser.Parse(path, "  \n");

        var diagnostic = Marked.Single(file.Diagnostics, CatalogDiagnosticIds.MalformedFile);
        Assert.Equal((0, 0), (diagnostic.Location.StartLine, diagnostic.Location.StartColumn));
        Assert.Null(file.Provider);
    }

    [Theory]
    [InlineData("provider:‸\nmodels: []\n", "STRAT002")]
    [InlineData("provider: ‸~\n", "STRAT002")]
    [InlineData("provider: ‸[openai]\n", "STRAT003")]
    [InlineData("‸models: []\n", "STRAT002")]
    public void Parse_ProviderBlockMissingOrMisshapen_IsReportedAndLeavesNoProvider(string marked, string id)
    {
        var expected = Marked.Strip(marked);

        var file = CatalogParser.Parse("p.yaml", expected.Text);

        Marked.AtMarker(Marked.Single(file.Diagnostics, id), expected);
        Assert.Null(file.Provider);
    }

    [Fact]
    public void Parse_NullPathAndText_DoNotThrow()
    {
        var file = CatalogParser.Parse(null, null);

        Assert.Equal(CatalogDiagnosticIds.MalformedFile, Assert.Single(file.Diagnostics).Id);
        Assert.Equal(string.Empty, file.FilePath);
    }

    private const string EmbeddingYaml = """
        provider:
          id: openai
          name: OpenAI
          dialect: openai
          base_url: https://api.openai.com/v1
        models:
          - id: text-embedding-3-small
            context_window: 8191
            dimensions: DIMENSIONS
            price: {input: 0.02, output: 0}
            capabilities: [CAPABILITIES]
        """;

    [Fact]
    public void Parse_EmbeddingModel_ReadsItsCapabilityAndDimensions()
    {
        var file = CatalogParser.Parse("e.yaml", EmbeddingYaml.Replace("DIMENSIONS", "1536", StringComparison.Ordinal).Replace("CAPABILITIES", "embeddings", StringComparison.Ordinal));

        Assert.Empty(file.Diagnostics);
        var model = Assert.Single(file.Models);
        Assert.Equal(["embeddings"], model.Capabilities);
        Assert.Equal(1536, model.Dimensions);
        Assert.Equal(8191, model.ContextWindow);
        Assert.Equal(0.02m, model.Price.Input);
    }

    [Theory]
    [InlineData("1536", "streaming", CatalogDiagnosticIds.InvalidValue, "'dimensions' is the vector size of an embedding model")]
    [InlineData("0", "embeddings", CatalogDiagnosticIds.OutOfRange, "'dimensions' is 0; it must be greater than 0")]
    [InlineData("1.5", "embeddings", CatalogDiagnosticIds.InvalidValue, "'dimensions' must be a whole number, not 1.5")]
    public void Parse_BadDimensions_IsAnErrorAtTheValue(string dimensions, string capabilities, string id, string message)
    {
        var text = EmbeddingYaml.Replace("DIMENSIONS", dimensions, StringComparison.Ordinal).Replace("CAPABILITIES", capabilities, StringComparison.Ordinal);

        var file = CatalogParser.Parse("e.yaml", text);

        var diagnostic = Assert.Single(file.Diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.StartsWith(message, diagnostic.Message, StringComparison.Ordinal);
        Assert.Equal(text.IndexOf("dimensions: ", StringComparison.Ordinal) + "dimensions: ".Length, diagnostic.Location.StartOffset);
        Assert.Empty(file.Models);
    }
}
