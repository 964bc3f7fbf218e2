using System.Text;
using Microsoft.Extensions.AI;
using StratumAI.Dialects;
using StratumAI.Testing;
using static StratumAI.Tests.Dialects.Gemini.GeminiTestSupport;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.Dialects.Gemini;

/// <summary>
/// Replays every recorded Gemini stream (SSE and the JSON-array form) through <see cref="StratumClient"/>: text,
/// thoughts, calls (whole and Gemini 3 partialArgs), the final usage reported once, finish reason and exact cost.
/// </summary>
public sealed class GeminiStreamingReplayTests
{
    [Fact]
    public async Task GoogleModelStream_CrLfSeparatedEvents_StreamsTextAndReportsTheLastUsageOnce()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("gemini/stream__pydantic-ai__test_google_model_stream.yaml"));
        using var client = GeminiClient(server);
        // gemini-2.0-flash-exp is not in the catalog; priced here as gemini-2.0-flash.
        var model = GeminiModel("gemini-2.0-flash-exp", Flash20);

        var updates = await CollectAsync(client.GetStreamingResponseAsync(model,
            [new ChatMessage(ChatRole.System, "You are a helpful chatbot."), new ChatMessage(ChatRole.User, "What is the capital of France?")],
            new ChatOptions { Temperature = 0f }));

        Assert.Equal(["The", " capital of France", " is Paris.\n"], updates.Select(u => u.Text).Where(t => t.Length > 0));
        var response = updates.ToChatResponse();
        Assert.Equal("The capital of France is Paris.\n", response.Text);
        Assert.Equal("w1peaMz6INOvnvgPgYfPiQY", response.ResponseId);
        Assert.Equal("gemini-2.0-flash-exp", response.ModelId);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        // The last chunk's counts (prompt 13, not the 15 of the earlier chunks), reported once, not summed.
        AssertUsage(response.Usage, input: 13, output: 8, total: 21, cached: null, reasoning: null);
        Assert.Single(updates.SelectMany(u => u.Contents).OfType<UsageContent>());
        // 13 × 0.10 = 0.0000013; 8 × 0.40 = 0.0000032.
        Assert.Equal(new CallCost(0.0000013m, 0m, 0m, 0.0000032m, 0m), SingleStreamCost(updates));
        Assert.Same(model, response.GetModelInfo());

        var sent = server.ReceivedRequests.Single();
        Assert.Equal("/v1/models/gemini-2.0-flash-exp:streamGenerateContent?alt=sse", sent.PathAndQuery);
        Assert.EndsWith(sent.PathAndQuery[3..], exchanges[0].Request!.PathAndQuery, StringComparison.Ordinal);
        Assert.Equal(CanaryKey, sent.GetHeader("x-goog-api-key"));
        var body = Json(sent.Body)!;
        var recorded = RecordedRequestBody(exchanges[0])!;
        AssertJsonEqual(recorded["contents"], body["contents"]);
        AssertJsonEqual(recorded["systemInstruction"], body["systemInstruction"]);
        Assert.Equal((double)recorded["generationConfig"]!["temperature"]!, (double)body["generationConfig"]!["temperature"]!);
    }

    [Fact]
    public async Task UsageLiveMidStream_CumulativeUsageOnEveryChunk_IsReportedOnceWithThoughts()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("gemini/stream__pydantic-ai__test_google_stream_usage_is_live_mid_stream.yaml"));
        using var client = GeminiClient(server);
        var model = GeminiModel("gemini-2.5-flash", Flash25);

        var updates = await CollectAsync(client.GetStreamingResponseAsync(model, [new ChatMessage(ChatRole.User, "Count from 1 to 30, one number per line, digits only.")]));

        var response = updates.ToChatResponse();
        Assert.Equal(string.Join("\n", Enumerable.Range(1, 30)), response.Text);
        Assert.Equal("ru1garvBEoOiqtsP2fznmQw", response.ResponseId);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        AssertUsage(response.Usage, input: 18, output: 115, total: 133, cached: null, reasoning: 35);
        // 18 × 0.30 = 0.0000054; (115 − 35) × 2.50 = 0.0002; 35 × 2.50 = 0.0000875.
        var cost = SingleStreamCost(updates);
        Assert.Equal(new CallCost(0.0000054m, 0m, 0m, 0.0002m, 0.0000875m), cost);
        Assert.Equal(0.0002929m, cost.Total);
        AssertJsonEqual(RecordedRequestBody(exchanges[0])!["contents"], Json(server.ReceivedRequests.Single().Body)!["contents"]);
    }

    [Fact]
    public async Task ThinkingPartIter_ThoughtPartsBecomeReasoningAndIncludeThoughtsIsRequested()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("gemini/stream__pydantic-ai__test_google_model_thinking_part_iter.yaml"));
        using var client = GeminiClient(server);
        var model = GeminiModel("gemini-2.5-pro", Pro25);
        var options = new ChatOptions
        {
            Reasoning = new ReasoningOptions { Output = ReasoningOutput.Full },
            Tools = [AIFunctionFactory.CreateDeclaration("dummy", "", JsonElementOf("""{"type":"object","properties":{}}"""))],
        };

        var updates = await CollectAsync(client.GetStreamingResponseAsync(model,
            [new ChatMessage(ChatRole.System, "You are a helpful assistant."), new ChatMessage(ChatRole.User, "How do I cross the street?")], options));

        var reasoning = updates.SelectMany(u => u.Contents).OfType<TextReasoningContent>().ToList();
        Assert.Equal(4, reasoning.Count);
        Assert.StartsWith("**Clarifying User Goals**", reasoning[0].Text, StringComparison.Ordinal);
        Assert.StartsWith("**Crafting Safe Instructions**", reasoning[3].Text, StringComparison.Ordinal);
        var texts = updates.SelectMany(u => u.Contents).OfType<TextContent>().ToList();
        Assert.StartsWith("This is a great question!", texts[0].Text, StringComparison.Ordinal);
        Assert.StartsWith("CiIB0e2Kb6Syj1a961", (string)texts[0].AdditionalProperties![GeminiGenerateContentClient.ThoughtSignatureKey]!, StringComparison.Ordinal);
        var response = updates.ToChatResponse();
        Assert.EndsWith("The most important rule is to **stay alert and be predictable**. Always assume a driver might not see you.", response.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Clarifying User Goals", response.Text, StringComparison.Ordinal);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal("gemini-2.5-pro", response.ModelId);
        AssertUsage(response.Usage, input: 34, output: 1256, total: 1290, cached: null, reasoning: 787);
        // gemini-2.5-pro has no reasoning price: 34 × 1.25 = 0.0000425; (469 + 787) × 10 = 0.01256.
        Assert.Equal(new CallCost(0.0000425m, 0m, 0m, 0.01256m, 0m), SingleStreamCost(updates));

        var body = Json(server.ReceivedRequests.Single().Body)!;
        var recorded = RecordedRequestBody(exchanges[0])!;
        AssertJsonEqual(recorded["contents"], body["contents"]);
        AssertJsonEqual(recorded["systemInstruction"], body["systemInstruction"]);
        AssertJsonEqual(recorded["tools"], body["tools"]);
        AssertJsonEqual(recorded["generationConfig"], body["generationConfig"]);
        Assert.Null(body["toolConfig"]);
    }

    [Fact]
    public async Task VercelTextChunks_FinalEmptyPartCarriesTheThoughtSignature()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("gemini/stream__vercel-ai-google__google-text.chunks.txt"));
        using var client = GeminiClient(server);
        var model = GeminiModel("gemini-3-pro-preview", Pro3);

        var updates = await CollectAsync(client.GetStreamingResponseAsync(model, [new ChatMessage(ChatRole.User, "How many r's are in strawberry?")]));

        var response = updates.ToChatResponse();
        Assert.Equal("There are **3** \"r\"s in strawberry.\n\nst**r**awbe**rr**y", response.Text);
        var signed = updates.SelectMany(u => u.Contents).OfType<TextContent>().Last();
        Assert.Equal(string.Empty, signed.Text);
        Assert.StartsWith("EqsFCqgFAb4+9vvtAF5n", (string)signed.AdditionalProperties![GeminiGenerateContentClient.ThoughtSignatureKey]!, StringComparison.Ordinal);
        Assert.Equal("bH6LaZW8Fp_3nsEPqtaSwQ4", response.ResponseId);
        Assert.Equal("gemini-3-pro-preview", response.ModelId);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        AssertUsage(response.Usage, input: 9, output: 208, total: 217, cached: null, reasoning: 185);
        // 9 × 2 = 0.000018; (23 + 185) × 12 = 0.002496.
        Assert.Equal(new CallCost(0.000018m, 0m, 0m, 0.002496m, 0m), SingleStreamCost(updates));
    }

    [Fact]
    public async Task VercelToolCallChunks_WholeCallInOneChunk_FinishesWithToolCalls()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("gemini/stream-tool__vercel-ai-google__google-tool-call.chunks.txt"));
        using var client = GeminiClient(server);
        var model = GeminiModel("gemini-3-pro-preview", Pro3);

        var updates = await CollectAsync(client.GetStreamingResponseAsync(model, [new ChatMessage(ChatRole.User, "What is the weather in San Francisco?")]));

        var call = Assert.Single(updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>());
        Assert.Equal("weather", call.Name);
        Assert.Equal("gemini_call_b36LacjwM668nsEP2tbsgQQ_0", call.CallId);
        Assert.Equal("San Francisco", call.Arguments!["location"]?.ToString());
        Assert.StartsWith("EqUCCqICAb4+9vsh8Pd5", (string)call.AdditionalProperties![GeminiGenerateContentClient.ThoughtSignatureKey]!, StringComparison.Ordinal);
        var response = updates.ToChatResponse();
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        Assert.Equal(string.Empty, response.Text);
        AssertUsage(response.Usage, input: 29, output: 60, total: 89, cached: null, reasoning: 45);
        // 29 × 2 = 0.000058; (15 + 45) × 12 = 0.00072.
        Assert.Equal(new CallCost(0.000058m, 0m, 0m, 0.00072m, 0m), SingleStreamCost(updates));
    }

    [Fact]
    public async Task VercelPartialArgsChunks_Gemini3StreamedArguments_AssembleIntoTwoWholeCalls()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("gemini/stream-tool__vercel-ai-google__google-stream-tool-call-arguments.chunks.txt"));
        using var client = GeminiClient(server);
        var model = GeminiModel("gemini-3.1-pro-preview", Pro3);

        var updates = await CollectAsync(client.GetStreamingResponseAsync(model, [new ChatMessage(ChatRole.User, "Weather in Boston and San Francisco?")]));

        var calls = updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>().ToList();
        Assert.Equal(2, calls.Count);
        Assert.All(calls, c => Assert.Equal("getWeather", c.Name));
        Assert.Equal("Boston", calls[0].Arguments!["location"]?.ToString());
        Assert.Equal("San Francisco", calls[1].Arguments!["location"]?.ToString());
        Assert.Single(calls[0].Arguments!);
        Assert.Equal("gemini_call_dqHOab6xGLzWodAPkPuViA4_0", calls[0].CallId);
        Assert.Equal("gemini_call_dqHOab6xGLzWodAPkPuViA4_1", calls[1].CallId);
        Assert.StartsWith("CiMBjz1rX25KieIB4d4A", (string)calls[0].AdditionalProperties![GeminiGenerateContentClient.ThoughtSignatureKey]!, StringComparison.Ordinal);
        Assert.Null(calls[1].AdditionalProperties);

        // The first call is complete when its closing empty functionCall arrives, before the stream ends.
        var firstCallUpdate = updates.FindIndex(u => u.Contents.Contains(calls[0]));
        Assert.Equal(3, firstCallUpdate);

        var response = updates.ToChatResponse();
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        Assert.Equal("gemini-3.1-pro-preview", response.ModelId);
        Assert.Equal(new DateTimeOffset(2026, 4, 2, 17, 3, 50, TimeSpan.Zero).AddTicks(3995500), response.CreatedAt);
        AssertUsage(response.Usage, input: 26, output: 155, total: 181, cached: null, reasoning: 132);
        // 26 × 2 = 0.000052; (23 + 132) × 12 = 0.00186.
        Assert.Equal(new CallCost(0.000052m, 0m, 0m, 0.00186m, 0m), SingleStreamCost(updates));
    }

    [Fact]
    public async Task LangChainGoStreaming_JsonArrayBodyWithIntegerEnums_ParsesEveryElement()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("gemini/stream__langchaingo__TestGoogleAIWithStreaming.httprr"));
        using var client = GeminiClient(server);
        var model = GeminiModel("gemini-2.0-flash", Flash20);

        var updates = await CollectAsync(client.GetStreamingResponseAsync(model, [new ChatMessage(ChatRole.User, "Tell me a short story about a cat")],
            new ChatOptions { Temperature = 0.5f, TopP = 0.95f, TopK = 3, MaxOutputTokens = 2048 }));

        var response = updates.ToChatResponse();
        Assert.StartsWith("Clementine, a calico with a perpetually grumpy face, considered herself the queen of Willow Creek.", response.Text, StringComparison.Ordinal);
        Assert.EndsWith("she wasn't quite as grumpy as she thought she was.\n", response.Text, StringComparison.Ordinal);
        Assert.Equal("VB-jaN_BCZuThMIPnryvyAg", response.ResponseId);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        AssertUsage(response.Usage, input: 8, output: 578, total: 586, cached: null, reasoning: null);
        // 8 × 0.10 = 0.0000008; 578 × 0.40 = 0.0002312.
        Assert.Equal(new CallCost(0.0000008m, 0m, 0m, 0.0002312m, 0m), SingleStreamCost(updates));

        var recordedChunks = Json(exchanges[0].Response.BodyText)!.AsArray();
        Assert.Equal(recordedChunks.Count + 1, updates.Count); // one update per element, plus the usage tail
        var body = Json(server.ReceivedRequests.Single().Body)!;
        AssertJsonEqual(RecordedRequestBody(exchanges[0])!["contents"], body["contents"]);
    }

    [Fact]
    public async Task SemanticKernelStream_JsonArrayWithByteOrderMark_ParsesThroughTheClient()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var raw = await File.ReadAllBytesAsync(Fixture("gemini/stream__semantic-kernel__chat_stream_response.json"));
        Assert.Equal([0xEF, 0xBB, 0xBF], raw[..3]);
        server.Enqueue(new FakeResponse { Body = raw, ContentType = "application/json; charset=UTF-8" });
        using var client = GeminiClient(server);
        // The fixture names no model; priced as gemini-2.0-flash.
        var model = GeminiModel("gemini-2.0-flash", Flash20);

        var updates = await CollectAsync(client.GetStreamingResponseAsync(model, [new ChatMessage(ChatRole.User, "Describe the world.")]));

        var response = updates.ToChatResponse();
        Assert.StartsWith("The world is a vast and complex place, full of wonder and beauty, but also of challenges and difficulties.", response.Text, StringComparison.Ordinal);
        Assert.Equal(6, updates.Count);
        // Every element repeats finishReason STOP (edited by the maintainers); each update carries it.
        Assert.All(updates.Take(5), u => Assert.Equal(ChatFinishReason.Stop, u.FinishReason));
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Null(response.ResponseId);
        Assert.Equal("gemini-2.0-flash", response.ModelId);
        AssertUsage(response.Usage, input: 9, output: 27, total: 36, cached: null, reasoning: null);
        // 9 × 0.10 = 0.0000009; 27 × 0.40 = 0.0000108.
        Assert.Equal(new CallCost(0.0000009m, 0m, 0m, 0.0000108m, 0m), SingleStreamCost(updates));
    }

    [Fact]
    public async Task JsonArrayReader_SemanticKernelFixtureSplitAtEveryByte_YieldsTheFiveElements()
    {
        var raw = await File.ReadAllBytesAsync(Fixture("gemini/stream__semantic-kernel__chat_stream_response.json"));
        var whole = await ReadAllElementsAsync(new MemoryStream(raw));
        using var handlerStream = new OneByteStream(raw);
        var split = await ReadAllElementsAsync(handlerStream);

        Assert.Equal(5, whole.Count);
        Assert.Equal(whole, split);
        Assert.All(whole, e => Assert.StartsWith("{", e, StringComparison.Ordinal));
        Assert.Contains("\"finishReason\": \"STOP\"", whole[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task JsonArrayReader_MissingClosingBracket_IsNotCompleted()
    {
        var reader = new GeminiJsonArrayReader(new MemoryStream(Encoding.UTF8.GetBytes("[{\"a\":\"}]\"},\r\n{\"b\":[1,{\"c\":2}]}")));

        var first = await reader.ReadNextAsync(CancellationToken.None);
        var second = await reader.ReadNextAsync(CancellationToken.None);
        var end = await reader.ReadNextAsync(CancellationToken.None);

        Assert.Equal("{\"a\":\"}]\"}", Encoding.UTF8.GetString(first!.Value.Span));
        Assert.Equal("{\"b\":[1,{\"c\":2}]}", Encoding.UTF8.GetString(second!.Value.Span));
        Assert.Null(end);
        Assert.False(reader.Completed);
    }

    [Fact]
    public async Task JsonArrayReader_NotAnArray_ThrowsFormatException()
    {
        var reader = new GeminiJsonArrayReader(new MemoryStream(Encoding.UTF8.GetBytes("data: {}")));

        await Assert.ThrowsAsync<FormatException>(async () => await reader.ReadNextAsync(CancellationToken.None));
    }

    private static async Task<List<string>> ReadAllElementsAsync(Stream stream)
    {
        var reader = new GeminiJsonArrayReader(stream);
        var elements = new List<string>();
        while (await reader.ReadNextAsync(CancellationToken.None) is { } element)
        {
            elements.Add(Encoding.UTF8.GetString(element.Span));
        }

        Assert.True(reader.Completed);
        return elements;
    }

    private sealed class OneByteStream(byte[] data) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(1, buffer.Length)], cancellationToken);
    }
}
