using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using StratumAI.Testing;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.Cost;

/// <summary>
/// Service tiers, audio tokens and xAI's reasoning tokens, priced end to end: recorded responses replayed through
/// <see cref="FakeProviderServer"/> and <see cref="StratumClient"/>, costs worked out by hand from LiteLLM's per-token prices
/// (shared/data/litellm_model_prices_latest_mirror.json, which the default catalog follows).
/// </summary>
/// <remarks>
/// No recording in shared/fixtures was served at the flex or priority tier, carries a non-zero <c>audio_tokens</c> or an
/// <c>AUDIO</c> modality, or lost its <c>total_tokens</c> on the way. Each such test therefore replays a recorded response with
/// exactly one field changed (named in the test), the rest of the body, headers and framing as recorded.
/// </remarks>
public sealed class CostRulesReplayTests
{
    // LiteLLM gpt-5.6-sol: input 5e-06, output 3e-05, cache read 5e-07, cache creation 6.25e-06;
    // _flex 2.5e-06, 1.5e-05, 2.5e-07, 3.125e-06; _priority 1e-05, 6e-05, 1e-06, 1.25e-05 (per token; × 1M below).
    private static readonly ModelPricing Gpt56SolPricing = new(
        5m, 30m, 0.5m, 6.25m, Flex: new ServiceTierPricing(2.5m, 15m, 0.25m, 3.125m), Priority: new ServiceTierPricing(10m, 60m, 1m, 12.5m));

    // LiteLLM gpt-4o-mini: 1.5e-07, 6e-07, cache read 7.5e-08; _priority 2.5e-07, 1e-06, 1.25e-07 (no flex).
    private static readonly ModelPricing Gpt4oMiniPricing = new(0.15m, 0.6m, 0.075m, Priority: new ServiceTierPricing(0.25m, 1m, 0.125m));

    // LiteLLM gpt-4o-audio-preview: input 2.5e-06, output 1e-05, input_cost_per_audio_token 4e-05, output_cost_per_audio_token 8e-05.
    private static readonly ModelPricing Gpt4oAudioPricing = new(2.5m, 10m, AudioInputPerMillion: 40m, AudioOutputPerMillion: 80m);

    // LiteLLM gemini/gemini-2.0-flash: input 1e-07, output 4e-07, cache read 2.5e-08, input_cost_per_audio_token 7e-07.
    private static readonly ModelPricing GeminiFlash20Pricing = new(0.1m, 0.4m, 0.025m, AudioInputPerMillion: 0.7m);

    [Fact]
    public async Task ChatCompletions_FlexThenPriorityTier_BilledAtTheTiersPrices()
    {
        // Recorded: gpt-5.6-sol writing 4,012 prompt tokens to the cache, then reading them; both "service_tier": "default".
        // Changed: service_tier "flex" in the first response, "priority" in the second.
        var exchanges = FixtureLoader.Load(Fixture("openai/chat__pydantic-ai__test_openai_chat_prompt_cache_e2e.yaml"));
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(WithJson(exchanges[0], body => body["service_tier"] = "flex"));
        server.Enqueue(WithJson(exchanges[1], body => body["service_tier"] = "priority"));
        using var client = ClientFor(server, "openai");
        var model = Model("gpt-5.6-sol", Provider("openai"), Gpt56SolPricing);

        var flex = await client.GetResponseAsync(model, "long prompt");
        var priority = await client.GetResponseAsync(model, "long prompt");

        Assert.Equal("flex", flex.AdditionalProperties?["service_tier"]);
        Assert.Equal(1, flex.Usage!.AdditionalCounts![StratumUsageKeys.FlexServiceTier]);
        // Flex: (4020 − 4012) × 2.5 = 20; 4012 × 3.125 = 12,537.5; 4 × 15 = 60 → / 1M.
        // (At the standard prices it would be 40 + 25,075 + 120 = 25,235 → 0.025235, twice as much.)
        Assert.Equal(new CallCost(0.00002m, 0m, 0.0125375m, 0.00006m, 0m), flex.GetCost());
        Assert.Equal(0.0126175m, flex.GetCost()!.Total);

        // Priority: 8 × 10 = 80; 4012 cached × 1 = 4,012; 4 × 60 = 240 → 0.004332 (standard: 40 + 2,006 + 120 → 0.002166).
        Assert.Equal(new CallCost(0.00008m, 0.004012m, 0m, 0.00024m, 0m), priority.GetCost());
        Assert.Equal(0.004332m, priority.GetCost()!.Total);
    }

    [Fact]
    public async Task ChatCompletionsStream_PriorityTier_BilledAtThePriorityPrices()
    {
        // Recorded: a gpt-4o-mini stream whose 140 chunks all say "service_tier":"default". Changed: "priority" in every chunk.
        var exchange = FixtureLoader.Load(Fixture("openai/stream__crewai__test_openai_streaming_returns_usage_metrics.yaml")).Single();
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(WithText(exchange, "\"service_tier\":\"default\"", "\"service_tier\":\"priority\"", expectedCount: 140));
        using var client = ClientFor(server, "openai");
        var model = Model("gpt-4o-mini", Provider("openai"), Gpt4oMiniPricing);

        var response = await client.GetStreamingResponseAsync(model, [new ChatMessage(ChatRole.User, "Tell me a story")]).ToChatResponseAsync();

        Assert.Equal((168, 137), (response.Usage!.InputTokenCount, response.Usage.OutputTokenCount));
        // 168 × 0.25 = 42; 137 × 1.00 = 137 → 0.000179 (standard: 25.2 + 82.2 → 0.0001074).
        Assert.Equal(0.000179m, response.GetCost()!.Total);
    }

    [Fact]
    public async Task Responses_PriorityTier_BilledAtThePriorityPrices_StreamingAndNot()
    {
        // Recorded: gpt-4o-mini on the Responses API, "service_tier": "default" in the response (and in response.completed).
        // Changed: "priority" there.
        var plain = FixtureLoader.Load(Fixture("openai/chat__pydantic-ai__test_openai_instructions_with_responses_logprobs.yaml")).Single();
        var streamed = FixtureLoader.Load(Fixture("openai/stream__pydantic-ai__test_openai_instructions_with_responses_logprobs_streaming.yaml")).Single();
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(WithJson(plain, body => body["service_tier"] = "priority"));
        server.Enqueue(WithText(streamed, "\"service_tier\":\"default\"", "\"service_tier\":\"priority\"", expectedCount: 1));
        using var client = ClientFor(server, "openai");
        var model = Model("gpt-4o-mini", Provider("openai"), Gpt4oMiniPricing, dialect: "openai-responses");

        var response = await client.GetResponseAsync(model, "What is the capital of Minas Gerais?");
        var stream = await client.GetStreamingResponseAsync(model, [new ChatMessage(ChatRole.User, "What is the capital of Minas Gerais?")]).ToChatResponseAsync();

        // 25 × 0.25 = 6.25; 10 × 1.00 = 10 → 0.00001625 (standard: 3.75 + 6 → 0.00000975).
        Assert.Equal(new CallCost(0.00000625m, 0m, 0m, 0.00001m, 0m), response.GetCost());
        Assert.Equal(0.00001625m, stream.GetCost()!.Total);
    }

    [Fact]
    public async Task ChatCompletions_AudioTokens_BilledAtTheAudioPrices()
    {
        // Recorded: gpt-4o, 24 prompt and 8 completion tokens, audio_tokens 0 in both details.
        // Changed: 16 of the prompt tokens and 5 of the completion tokens are audio.
        var exchange = FixtureLoader.Load(Fixture("openai/chat__pydantic-ai__test_openai_instructions.yaml")).Single();
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(WithJson(exchange, body =>
        {
            body["usage"]!["prompt_tokens_details"]!["audio_tokens"] = 16;
            body["usage"]!["completion_tokens_details"]!["audio_tokens"] = 5;
        }));
        using var client = ClientFor(server, "openai");
        var model = Model("gpt-4o-audio-preview", Provider("openai"), Gpt4oAudioPricing);

        var response = await client.GetResponseAsync(model, "What is the capital of France?");

        Assert.Equal(16, response.Usage!.AdditionalCounts![StratumUsageKeys.AudioInputTokens]);
        Assert.Equal(5, response.Usage.AdditionalCounts[StratumUsageKeys.AudioOutputTokens]);
        // Input: (24 − 16) × 2.5 = 20 text + 16 × 40 = 640 audio; output: (8 − 5) × 10 = 30 text + 5 × 80 = 400 audio → / 1M.
        // (Billed as text it would be 60 + 80 → 0.00014.)
        Assert.Equal(new CallCost(0.00066m, 0m, 0m, 0.00043m, 0m), response.GetCost());
        Assert.Equal(0.00109m, response.GetCost()!.Total);
    }

    [Fact]
    public async Task Gemini_AudioModalityInThePrompt_BilledAtTheAudioPrice()
    {
        // Recorded: gemini-2.0-flash, promptTokenCount 8 ([{TEXT, 8}]), candidatesTokenCount 20, totalTokenCount 28.
        // Changed: ten seconds of audio in the prompt (320 tokens at Gemini's 32 per second): promptTokensDetails gains
        // {AUDIO, 320}, promptTokenCount 328, totalTokenCount 348.
        var exchange = FixtureLoader.Load(Fixture("gemini/json__pydantic-ai__test_google_native_output.yaml")).Single();
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(WithJson(exchange, body =>
        {
            var usage = body["usageMetadata"]!;
            usage["promptTokenCount"] = 328;
            usage["totalTokenCount"] = 348;
            usage["promptTokensDetails"]!.AsArray().Add(new JsonObject { ["modality"] = "AUDIO", ["tokenCount"] = 320 });
        }));
        using var client = ClientFor(server, "gemini");
        var model = Model("gemini-2.0-flash", Provider("gemini", dialect: "gemini"), GeminiFlash20Pricing);

        var response = await client.GetResponseAsync(model, "What is the largest city in the user country?");

        Assert.Equal(328, response.Usage!.InputTokenCount);
        Assert.Equal(320, response.Usage.AdditionalCounts![StratumUsageKeys.AudioInputTokens]);
        // 8 text × 0.1 = 0.8; 320 audio × 0.7 = 224; 20 × 0.4 = 8 → 0.0002328 (as text: 32.8 + 8 → 0.0000408, 5.7× less).
        Assert.Equal(new CallCost(0.0002248m, 0m, 0m, 0.000008m, 0m), response.GetCost());
        Assert.Equal(0.0002328m, response.GetCost()!.Total);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(13)]
    [InlineData(9999)]
    public async Task XAI_ReasoningTokens_BilledWhateverTotalTokensSays(int? total)
    {
        // Recorded: grok-3-mini, prompt 12 (2 cached), completion 1, reasoning 228, total_tokens 241 = 12 + 1 + 228.
        // Changed: total_tokens dropped (null), or rewritten by a proxy to prompt + completion (13), or to nonsense (9999).
        var exchange = FixtureLoader.Load(Fixture("xai/chat__vercel-ai-xai__xai-text.json")).Single();
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(WithJson(exchange, body =>
        {
            var usage = body["usage"]!.AsObject();
            if (total is { } rewritten)
            {
                usage["total_tokens"] = rewritten;
            }
            else
            {
                usage.Remove("total_tokens");
            }
        }));
        using var client = ClientFor(server, "xai");
        var model = Model("grok-3-mini", Provider("xai"), Grok3MiniPricing);

        var response = await client.GetResponseAsync(model, "Say a single word.");

        // xAI's completion_tokens never include reasoning: 1 + 228 = 229 output tokens.
        Assert.Equal((229, 228), (response.Usage!.OutputTokenCount, response.Usage.ReasoningTokenCount));
        // (12 − 2) × 0.30 = 3; 2 × 0.075 = 0.15; 229 × 0.50 = 114.5 → 0.00011765, xAI's own 1,176,500 ticks of 1e-10 USD.
        // (Without the reasoning tokens: 3 + 0.15 + 0.5 → 0.00000365, 32× less.)
        Assert.Equal(0.00011765m, response.GetCost()!.Total);
        Assert.Equal(response.Usage.AdditionalCounts!["cost_in_usd_ticks"] / 10_000_000_000m, response.GetCost()!.Total);
    }

    [Fact]
    public async Task XAI_StreamWithoutTotalTokens_StillBillsTheReasoningTokens()
    {
        // Recorded: a grok-3-mini stream whose usage chunk reports prompt 12 (11 cached), completion 1, reasoning 290, total 303.
        // Changed: "total_tokens":303 removed from that chunk.
        var exchange = FixtureLoader.Load(Fixture("xai/stream__vercel-ai-xai__xai-text.chunks.txt")).Single();
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(WithText(exchange, "\"total_tokens\":303,", string.Empty, expectedCount: 1));
        using var client = ClientFor(server, "xai");
        var model = Model("grok-3-mini", Provider("xai"), Grok3MiniPricing);

        var response = await client.GetStreamingResponseAsync(model, [new ChatMessage(ChatRole.User, "Say a single word.")]).ToChatResponseAsync();

        Assert.Equal(291, response.Usage!.OutputTokenCount);
        // (12 − 11) × 0.30 = 0.3; 11 × 0.075 = 0.825; 291 × 0.50 = 145.5 → 0.000146625, xAI's own 1,466,250 ticks.
        Assert.Equal(0.000146625m, response.GetCost()!.Total);
    }

    /// <summary>The recorded response with its JSON body changed by <paramref name="change"/>.</summary>
    private static FakeResponse WithJson(RecordedExchange exchange, Action<JsonNode> change)
    {
        var body = JsonNode.Parse(exchange.Response.BodyText)!;
        change(body);
        return FakeResponse.FromExchange(exchange) with { Body = Encoding.UTF8.GetBytes(body.ToJsonString()) };
    }

    /// <summary>The recorded response with every <paramref name="recorded"/> in its body replaced, after checking how many there are.</summary>
    private static FakeResponse WithText(RecordedExchange exchange, string recorded, string replacement, int expectedCount)
    {
        var text = exchange.Response.BodyText;
        var count = (text.Length - text.Replace(recorded, string.Empty, StringComparison.Ordinal).Length) / recorded.Length;
        Assert.Equal(expectedCount, count);
        return FakeResponse.FromExchange(exchange) with { Body = Encoding.UTF8.GetBytes(text.Replace(recorded, replacement, StringComparison.Ordinal)) };
    }
}
