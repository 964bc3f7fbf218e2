using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using StratumAI.Testing;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests;

/// <summary>
/// A request certainly invalid for its model's provider is refused by <see cref="StratumClient"/> before anything reaches
/// the (fake) provider; a request at the edge of what the provider accepts is sent.
/// </summary>
public sealed class RequestValidationTests
{
    private const string OpenAIText = "openai/chat__vercel-ai-openai__openai-text.json";
    private const string AnthropicText = "anthropic/chat__vercel-ai-anthropic__anthropic-text.json";
    private const string OllamaText = "ollama/tool__ollama-docs__docs_api-chat-nostream-with-tools.json";

    /// <summary>provider, dialect, the option set, the ChatOptions property blamed.</summary>
    public static TheoryData<string, string, string, string> Refused() => new()
    {
        { "openai", "openai", "max-tokens-0", "MaxOutputTokens" },
        { "openai", "openai", "max-tokens-negative", "MaxOutputTokens" },
        { "openai", "openai", "temperature-negative", "Temperature" },
        { "openai", "openai", "temperature-2.5", "Temperature" },
        { "openai", "openai", "top-p-1.5", "TopP" },
        { "openai", "openai", "top-p-negative", "TopP" },
        { "openai", "openai", "frequency-penalty-3", "FrequencyPenalty" },
        { "openai", "openai", "presence-penalty-minus-3", "PresencePenalty" },
        { "openai", "openai", "temperature-nan", "Temperature" },
        { "deepseek", "openai", "temperature-2.5", "Temperature" },
        { "openai", "openai-responses", "max-tokens-0", "MaxOutputTokens" },
        { "openai", "openai-responses", "top-p-1.5", "TopP" },
        { "anthropic", "anthropic", "temperature-1.5", "Temperature" },
        { "anthropic", "anthropic", "max-tokens-0", "MaxOutputTokens" },
        { "anthropic", "anthropic", "top-k-negative", "TopK" },
        { "gemini", "gemini", "temperature-2.5", "Temperature" },
        { "gemini", "gemini", "max-tokens-negative", "MaxOutputTokens" },
        { "gemini", "gemini", "presence-penalty-minus-3", "PresencePenalty" },
        { "acme", "openai", "max-tokens-0", "MaxOutputTokens" },
        { "ollama", "ollama", "temperature-infinity", "Temperature" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task CertainlyInvalidOption_IsRefusedWithoutARequest(string provider, string dialect, string optionSet, string parameter)
    {
        await using var server = await FakeProviderServer.StartAsync();
        using var stratum = ClientFor(server, provider);
        var model = Register(stratum, server, provider, dialect, "some-model", 128_000);

        var thrown = await Assert.ThrowsAsync<StratumInvalidRequestException>(() => stratum.GetResponseAsync(model, "hi", OptionSet(optionSet)));

        Assert.Equal(parameter, thrown.Parameter);
        Assert.Equal(provider, thrown.ProviderId);
        Assert.Contains("No request was sent", thrown.Message, StringComparison.Ordinal);
        Assert.False(thrown.IsRetryable);
        Assert.False(FallbackPolicy.Default.ShouldFallBack(thrown));
        Assert.Empty(server.ReceivedRequests);
    }

    [Fact]
    public async Task CertainlyInvalidOption_IsRefusedWithoutARequest_WhenStreaming()
    {
        await using var server = await FakeProviderServer.StartAsync();
        using var stratum = ClientFor(server, "anthropic");
        var model = Register(stratum, server, "anthropic", "anthropic", "claude-sonnet-4-5", 200_000);

        var thrown = await Assert.ThrowsAsync<StratumInvalidRequestException>(async () =>
        {
            await foreach (var update in stratum.GetStreamingResponseAsync(model, [new ChatMessage(ChatRole.User, "hi")], new ChatOptions { Temperature = 1.2f }))
            {
                Assert.Fail("No update was expected: " + update.Text);
            }
        });

        Assert.Equal("Temperature", thrown.Parameter);
        Assert.Empty(server.ReceivedRequests);
    }

    /// <summary>provider, dialect, model, recorded response, the option set: each at the edge of what that provider accepts.</summary>
    public static TheoryData<string, string, string, string, string> Accepted() => new()
    {
        { "openai", "openai", "gpt-4.1-nano", OpenAIText, "temperature-2" },
        { "openai", "openai", "gpt-4.1-nano", OpenAIText, "penalties-at-bounds" },
        { "openai", "openai", "gpt-4.1-nano", OpenAIText, "max-tokens-1" },

        // An OpenAI-compatible server StratumAI does not know (vLLM, llama.cpp) may accept wider ranges.
        { "acme", "openai", "gpt-4.1-nano", OpenAIText, "temperature-2.5" },
        { "anthropic", "anthropic", "claude-sonnet-4-5", AnthropicText, "temperature-1" },

        // Ollama passes options to llama.cpp: num_predict -1 is "no limit", a negative temperature greedy decoding.
        { "ollama", "ollama", "llama3.2", OllamaText, "max-tokens-negative" },
        { "ollama", "ollama", "llama3.2", OllamaText, "temperature-negative" },
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public async Task OptionAtTheEdgeOfTheProvidersRange_IsSent(string provider, string dialect, string modelId, string fixture, string optionSet)
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(fixture));
        using var stratum = ClientFor(server, provider);
        var model = Register(stratum, server, provider, dialect, modelId, 128_000);

        await stratum.GetResponseAsync(model, "hi", OptionSet(optionSet));

        Assert.Single(server.ReceivedRequests);
    }

    [Fact]
    public async Task EmptyConversation_IsRefusedWithoutARequest()
    {
        await using var server = await FakeProviderServer.StartAsync();
        using var stratum = ClientFor(server, "openai");
        var model = Register(stratum, server, "openai", "openai", "gpt-4.1-nano", 128_000);

        var thrown = await Assert.ThrowsAsync<StratumInvalidRequestException>(() => stratum.GetResponseAsync(model, Array.Empty<ChatMessage>()));

        Assert.Equal("messages", thrown.Parameter);
        Assert.Empty(server.ReceivedRequests);
    }

    [Fact]
    public async Task OnlySystemMessages_AreRefusedForAnthropic_WhichRequiresAnotherMessage()
    {
        await using var server = await FakeProviderServer.StartAsync();
        using var stratum = ClientFor(server, "anthropic");
        var model = Register(stratum, server, "anthropic", "anthropic", "claude-sonnet-4-5", 200_000);

        var thrown = await Assert.ThrowsAsync<StratumInvalidRequestException>(
            () => stratum.GetResponseAsync(model, [new ChatMessage(ChatRole.System, "You are terse.")]));

        Assert.Equal("messages", thrown.Parameter);
        Assert.Empty(server.ReceivedRequests);
    }

    [Fact]
    public async Task InstructionsAlone_AreSentToChatCompletions_AsASystemMessage()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(OpenAIText));
        using var stratum = ClientFor(server, "openai");
        var model = Register(stratum, server, "openai", "openai", "gpt-4.1-nano", 128_000);

        await stratum.GetResponseAsync(model, Array.Empty<ChatMessage>(), new ChatOptions { Instructions = "Say hi." });

        Assert.Single(server.ReceivedRequests);
    }

    [Fact]
    public async Task PromptFarOverAnOpenAIModelsWindow_IsRefusedWithoutARequest()
    {
        await using var server = await FakeProviderServer.StartAsync();
        using var stratum = ClientFor(server, "openai");
        var model = Register(stratum, server, "openai", "openai", "gpt-4.1-nano", 1_000);

        // 5,000 words: at least 5,000 o200k tokens, five times the window.
        var prompt = string.Concat(Enumerable.Repeat("lorem ipsum dolor sit amet ", 1_000));
        var thrown = await Assert.ThrowsAsync<StratumContextWindowExceededException>(() => stratum.GetResponseAsync(model, prompt));

        Assert.Equal("gpt-4.1-nano", thrown.ModelId);
        Assert.Contains("context window of 1000", thrown.Message, StringComparison.Ordinal);
        Assert.Empty(server.ReceivedRequests);
    }

    [Fact]
    public async Task PromptJustUnderAnOpenAIModelsWindow_IsSent()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(OpenAIText));
        using var stratum = ClientFor(server, "openai");
        var model = Register(stratum, server, "openai", "openai", "gpt-4.1-nano", 1_000);

        // About 900 o200k tokens, under the window, but far more characters than the window has tokens.
        var prompt = string.Concat(Enumerable.Repeat("lorem ipsum ", 450));
        Assert.InRange(ComplexityAnalyzer.O200k.Value.CountTokens(prompt), 800, 999);
        await stratum.GetResponseAsync(model, prompt);

        Assert.Single(server.ReceivedRequests);
    }

    [Fact]
    public async Task PromptFarOverAModelsWindow_WithoutItsTokenizer_IsRefusedOnlyPastTheByteBound()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(AnthropicText));
        using var stratum = ClientFor(server, "anthropic");
        var model = Register(stratum, server, "anthropic", "anthropic", "claude-sonnet-4-5", 1_000);

        // No token covers more than 256 bytes, so 300,000 bytes are at least 1,172 tokens.
        var huge = new string('a', 300_000);
        await Assert.ThrowsAsync<StratumContextWindowExceededException>(() => stratum.GetResponseAsync(model, huge));
        Assert.Empty(server.ReceivedRequests);

        // 200,000 bytes may be as few as 782 tokens for all StratumAI knows: sent, and left to the provider.
        await stratum.GetResponseAsync(model, new string('a', 200_000));
        Assert.Single(server.ReceivedRequests);
    }

    [Fact]
    public async Task PromptOverTheWindow_FallsBackToAModelWithALargerWindow_WithoutSendingToTheSmallOne()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(OpenAIText));
        using var stratum = ClientFor(server, "openai");
        Register(stratum, server, "openai", "openai", "gpt-4.1-nano", 1_000);
        Register(stratum, server, "openai", "openai", "gpt-4.1", 1_000_000);
        var client = new ChatClientBuilder(stratum.AsChatClient()).UseStratumFallbacks("gpt-4.1").Build();

        var prompt = string.Concat(Enumerable.Repeat("lorem ipsum dolor sit amet ", 1_000));
        var response = await client.GetResponseAsync(prompt, new ChatOptions { ModelId = "gpt-4.1-nano" });

        Assert.Equal("gpt-4.1", response.GetModelInfo()?.Id);
        var request = Assert.Single(server.ReceivedRequests);
        Assert.Equal("gpt-4.1", JsonNode.Parse(request.Body)?["model"]?.GetValue<string>());
    }

    [Fact]
    public async Task ValidationTurnedOff_SendsTheRequest()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(AnthropicText));
        using var stratum = ClientFor(server, "anthropic", configure: o => o.ValidateRequests = false);
        var model = Register(stratum, server, "anthropic", "anthropic", "claude-sonnet-4-5", 200_000);

        await stratum.GetResponseAsync(model, "hi", new ChatOptions { Temperature = 1.5f });

        Assert.Single(server.ReceivedRequests);
    }

    [Fact]
    public void ValidRequestUnderTheWindow_CostsNoAllocationAndNoTokenCounting()
    {
        var model = new ModelInfo("gpt-4.1-nano", "Gpt41Nano", Provider("openai"), "openai", 128_000, null, Gpt41NanoPricing, ModelCapabilities.None);
        var rules = RequestValidator.RulesFor(model);
        List<ChatMessage> messages = [new(ChatRole.System, "Be brief."), new(ChatRole.User, new string('x', 100_000))];
        var options = new ChatOptions { Temperature = 0.7f, TopP = 0.9f, MaxOutputTokens = 500, FrequencyPenalty = 0.5f };
        RequestValidator.Validate(model, rules, messages, options);

        // 100,000 characters cannot exceed a 128,000-token window: only lengths are read, and nothing is allocated.
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++)
        {
            RequestValidator.Validate(model, rules, messages, options);
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    private static ModelInfo Register(StratumClient stratum, FakeProviderServer server, string provider, string dialect, string modelId, int contextWindow)
    {
        var model = new ModelInfo(
            modelId,
            "M" + new string(modelId.Where(char.IsLetterOrDigit).ToArray()),
            Provider(provider, server.V1(), dialect: dialect),
            dialect,
            contextWindow,
            null,
            Gpt41NanoPricing,
            ModelCapabilities.None);
        stratum.Models.Register([model]);
        return model;
    }

    private static ChatOptions OptionSet(string name) => name switch
    {
        "max-tokens-0" => new() { MaxOutputTokens = 0 },
        "max-tokens-1" => new() { MaxOutputTokens = 1 },
        "max-tokens-negative" => new() { MaxOutputTokens = -1 },
        "temperature-negative" => new() { Temperature = -0.1f },
        "temperature-1" => new() { Temperature = 1f },
        "temperature-1.5" => new() { Temperature = 1.5f },
        "temperature-2" => new() { Temperature = 2f },
        "temperature-2.5" => new() { Temperature = 2.5f },
        "temperature-nan" => new() { Temperature = float.NaN },
        "temperature-infinity" => new() { Temperature = float.PositiveInfinity },
        "top-p-1.5" => new() { TopP = 1.5f },
        "top-p-negative" => new() { TopP = -0.5f },
        "top-k-negative" => new() { TopK = -1 },
        "frequency-penalty-3" => new() { FrequencyPenalty = 3f },
        "presence-penalty-minus-3" => new() { PresencePenalty = -3f },
        "penalties-at-bounds" => new() { FrequencyPenalty = 2f, PresencePenalty = -2f, TopP = 1f, Temperature = 0f },
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown option set."),
    };
}
