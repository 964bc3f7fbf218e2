using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace StratumAI.Tests.Caching;

public sealed class ResponseCacheKeyTests
{
    private static readonly ChatMessage[] Hello = [new(ChatRole.System, "Be brief."), new(ChatRole.User, "hi")];

    private static string Key(ChatOptions? options, IEnumerable<ChatMessage>? messages = null, string model = "openai/gpt-4o", bool streaming = false) =>
        ResponseCacheKey.Compute(model, messages ?? Hello, options, streaming);

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    [Fact]
    public void Key_IsTheSha256OfTheDocumentedCanonicalJson()
    {
        var options = new ChatOptions { Temperature = 0.2f, MaxOutputTokens = 100 };

        var key = Key(options);

        const string canonical = """{"v":2,"model":"openai/gpt-4o","stream":false,"messages":[{"role":"system","contents":[{"text":"Be brief."}]},{"role":"user","contents":[{"text":"hi"}]}],"options":{"temperature":0.2,"maxOutputTokens":100}}""";
        Assert.Equal(Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical))).ToLowerInvariant(), key);
        Assert.Matches("^[0-9a-f]{64}$", key);
    }

    [Fact]
    public void CanonicalText_HashesToTheSameKeyTheStoreUses()
    {
        var options = new ChatOptions { Temperature = 0.2f, StopSequences = ["ë", "\u2028"] };
        List<ChatMessage> messages = [new(ChatRole.User, "héllo 😀 <tag> \"quoted\"")];

        var canonical = ResponseCacheKey.Canonical("openai/gpt-4o", messages, options, streaming: false, AIJsonUtilities.DefaultOptions);

        Assert.Equal(ResponseCacheKey.Compute("openai/gpt-4o", messages, options, streaming: false), ResponseCacheKey.Hash(canonical));
        Assert.All(canonical, c => Assert.True(c < 128, "the canonical text is ASCII"));
    }

    [Fact]
    public void EqualRequests_GiveEqualKeys_InAnyCulture()
    {
        var culture = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("en-US");
            var english = Key(new ChatOptions { Temperature = 0.5f, TopP = 0.9f });
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            var german = Key(new ChatOptions { Temperature = 0.5f, TopP = 0.9f });

            Assert.Equal(english, german);
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    [Fact]
    public void Model_IsPartOfTheKey()
    {
        Assert.NotEqual(Key(null, model: "openai/gpt-4o"), Key(null, model: "openai/gpt-4o-mini"));
        Assert.NotEqual(Key(null, model: "openai/gpt-4o"), Key(null, model: "azure/gpt-4o"));
    }

    [Fact]
    public void StreamingAndNonStreaming_HaveDifferentKeys() =>
        Assert.NotEqual(Key(null, streaming: false), Key(null, streaming: true));

    public static TheoryData<string, Action<ChatOptions>> AnswerChangingOptions => new()
    {
        { "temperature", o => o.Temperature = 0.3f },
        { "top-p", o => o.TopP = 0.5f },
        { "top-k", o => o.TopK = 40 },
        { "max tokens", o => o.MaxOutputTokens = 64 },
        { "seed", o => o.Seed = 7 },
        { "stop", o => o.StopSequences = ["\n\n"] },
        { "frequency penalty", o => o.FrequencyPenalty = 0.1f },
        { "presence penalty", o => o.PresencePenalty = 0.1f },
        { "instructions", o => o.Instructions = "Answer in French." },
        { "json format", o => o.ResponseFormat = ChatResponseFormat.Json },
        { "schema", o => o.ResponseFormat = ChatResponseFormat.ForJsonSchema(Json("""{"type":"object","properties":{"a":{"type":"string"}}}"""), "answer") },
        { "tools", o => o.Tools = [AIFunctionFactory.Create((string city) => city, "weather")] },
        { "tool mode", o => o.ToolMode = ChatToolMode.RequireAny },
        { "reasoning", o => o.Reasoning = new ReasoningOptions { Effort = ReasoningEffort.High } },
        { "provider property", o => o.AdditionalProperties = new() { ["strictJsonSchema"] = true } },
    };

    [Theory]
    [MemberData(nameof(AnswerChangingOptions))]
    public void OptionThatChangesTheAnswer_ChangesTheKey(string name, Action<ChatOptions> change)
    {
        var changed = new ChatOptions();
        change(changed);

        Assert.False(Key(new ChatOptions()) == Key(changed), $"Setting {name} left the key unchanged.");
    }

    [Fact]
    public void DifferentValuesOfOneOption_GiveDifferentKeys()
    {
        Assert.NotEqual(Key(new ChatOptions { Temperature = 0f }), Key(new ChatOptions { Temperature = 1f }));
        Assert.NotEqual(Key(new ChatOptions { StopSequences = ["a"] }), Key(new ChatOptions { StopSequences = ["b"] }));
        Assert.NotEqual(
            Key(new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(Json("""{"type":"object","required":["a"]}"""), "x") }),
            Key(new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(Json("""{"type":"object","required":["b"]}"""), "x") }));
    }

    [Fact]
    public void CallerTagsAndCacheSettings_DoNotChangeTheKey()
    {
        var plain = new ChatOptions { Temperature = 0f };
        var labelled = new ChatOptions
        {
            Temperature = 0f,
            AdditionalProperties = new()
            {
                [StratumOptionKeys.Caller] = "user-42",
                [StratumOptionKeys.Tags] = new[] { "summaries" },
                [StratumOptionKeys.CacheTtl] = TimeSpan.FromHours(2),
                [StratumOptionKeys.CacheEnabled] = true,
            },
        };

        Assert.Equal(Key(plain), Key(labelled));
    }

    [Fact]
    public void PropertyOrder_DoesNotChangeTheKey()
    {
        var first = new ChatOptions
        {
            ResponseFormat = ChatResponseFormat.ForJsonSchema(Json("""{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"integer"}}}"""), "x"),
            AdditionalProperties = new() { ["alpha"] = 1, ["beta"] = "two" },
        };
        var second = new ChatOptions
        {
            ResponseFormat = ChatResponseFormat.ForJsonSchema(Json("""{"properties":{"b":{"type":"integer"},"a":{"type":"string"}},"type":"object"}"""), "x"),
            AdditionalProperties = new() { ["beta"] = "two", ["alpha"] = 1 },
        };

        Assert.Equal(Key(first), Key(second));
    }

    [Fact]
    public void MessageContent_IsPartOfTheKey()
    {
        ChatMessage[] image(byte value) => [new(ChatRole.User, [new TextContent("what is this?"), new DataContent(new byte[] { 1, 2, value }, "image/png")])];
        ChatMessage[] call(string city) =>
        [
            new(ChatRole.User, "weather?"),
            new(ChatRole.Assistant, [new FunctionCallContent("c1", "weather", new Dictionary<string, object?> { ["city"] = city })]),
            new(ChatRole.Tool, [new FunctionResultContent("c1", "sunny")]),
        ];
        ChatMessage[] result(string value) =>
        [
            new(ChatRole.Assistant, [new FunctionCallContent("c1", "weather", new Dictionary<string, object?> { ["city"] = "Paris" })]),
            new(ChatRole.Tool, [new FunctionResultContent("c1", value)]),
        ];

        Assert.NotEqual(Key(null, [new(ChatRole.User, "hi")]), Key(null, [new(ChatRole.User, "hello")]));
        Assert.NotEqual(Key(null, [new(ChatRole.User, "hi")]), Key(null, [new(ChatRole.System, "hi")]));
        Assert.NotEqual(Key(null, image(3)), Key(null, image(4)));
        Assert.Equal(Key(null, image(3)), Key(null, image(3)));
        Assert.NotEqual(Key(null, call("Paris")), Key(null, call("Rome")));
        Assert.NotEqual(Key(null, result("sunny")), Key(null, result("rain")));
    }

    [Fact]
    public void MessageSplitDifferently_HasADifferentKey() =>
        Assert.NotEqual(
            Key(null, [new(ChatRole.User, "ab")]),
            Key(null, [new(ChatRole.User, [new TextContent("a"), new TextContent("b")])]));

    [Fact]
    public void MessageId_DoesNotChangeTheKey() =>
        Assert.Equal(
            Key(null, [new(ChatRole.User, "hi") { MessageId = "m1" }]),
            Key(null, [new(ChatRole.User, "hi") { MessageId = "m2" }]));

    [Theory]
    [InlineData("plain ascii")]
    [InlineData("quote \" backslash \\ slash / tab \t newline \n nul \u0000 del \u007f")]
    [InlineData("héllo 😀 <tag> &amp; 'single' `tick` +plus \u2028")]
    [InlineData("a long text, long enough for the vectorised search, with the specials at its far end ............ \" \\ \r é")]
    public void CanonicalText_IsJsonThatReadsBackToTheRequest(string text)
    {
        var options = new ChatOptions { StopSequences = [text], AdditionalProperties = new() { [text] = text } };

        var canonical = ResponseCacheKey.Canonical("openai/gpt-4o", [new(ChatRole.User, text)], options, streaming: false, AIJsonUtilities.DefaultOptions);

        using var document = JsonDocument.Parse(canonical);
        var root = document.RootElement;
        Assert.Equal(text, root.GetProperty("messages")[0].GetProperty("contents")[0].GetProperty("text").GetString());
        Assert.Equal(text, root.GetProperty("options").GetProperty("stop")[0].GetString());
        Assert.Equal(text, root.GetProperty("options").GetProperty("additional").GetProperty(text).GetString());
        Assert.All(canonical, c => Assert.InRange(c, ' ', '~'));
    }

    [Fact]
    public void LoneSurrogates_GiveDifferentKeys()
    {
        // UTF-8 would turn both into U+FFFD; the canonical text writes each as its own \uXXXX.
        Assert.NotEqual(Key(null, [new(ChatRole.User, "\ud800")]), Key(null, [new(ChatRole.User, "\ud801")]));
        Assert.NotEqual(Key(null, [new(ChatRole.User, "\ud800")]), Key(null, [new(ChatRole.User, "\ufffd")]));
    }

    [Fact]
    public void LongConversation_KeyIsStableAndMatchesItsCanonicalText()
    {
        List<ChatMessage> messages = [.. Enumerable.Range(0, 400).Select(i => new ChatMessage(i % 2 == 0 ? ChatRole.User : ChatRole.Assistant, $"turn {i}: " + new string('x', 500)))];

        var first = Key(null, messages);
        var canonical = ResponseCacheKey.Canonical("openai/gpt-4o", messages, null, streaming: false, AIJsonUtilities.DefaultOptions);

        Assert.True(canonical.Length > 200_000);
        Assert.Equal(first, ResponseCacheKey.Hash(canonical));
        Assert.Equal(first, Key(null, messages));
        Assert.NotEqual(first, Key(null, messages[..^1]));
    }
}
