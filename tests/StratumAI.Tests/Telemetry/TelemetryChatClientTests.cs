using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using StratumAI.Testing;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.Telemetry;

public sealed class TelemetryChatClientTests
{
    private const string Prompt = "Invent a new holiday and describe its traditions. PROMPT-7c41";

    private static ModelInfo Nano(FakeProviderServer server) => Model("gpt-4.1-nano", Provider("openai", server.V1()), Gpt41NanoPricing);

    private static ModelInfo Claude(FakeProviderServer server) => Model("claude-sonnet-4-5", Provider("anthropic", server.V1(), dialect: "anthropic"), ClaudeSonnetPricing);

    private static ModelInfo Gemini(FakeProviderServer server) => Model("gemini-2.5-flash", Provider("gemini", server.V1(), dialect: "gemini"), new ModelPricing(0.3m, 2.5m));

    private static ChatOptions For(ModelInfo model) => new() { ModelId = model.Id };

    [Fact]
    public async Task RecordedOpenAIResponse_SpanFollowsTheGenAIConventions()
    {
        await using var h = await Harness.StartAsync(Nano);
        h.Server.EnqueueFixture(Fixture("openai/chat__vercel-ai-openai__openai-text.json"));
        var (model, capture, client) = (h.Model, h.Capture, h.Client);

        var response = await client.GetResponseAsync(Prompt, new ChatOptions { ModelId = model.Id, Temperature = 0.25f, MaxOutputTokens = 500, TopP = 0.9f });

        var span = capture.Span;
        Assert.Equal("chat gpt-4.1-nano", span.DisplayName);
        Assert.Equal(ActivityKind.Client, span.Kind);
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
        Assert.Equal("chat", span.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("openai", span.GetTagItem("gen_ai.provider.name"));
        Assert.Equal("gpt-4.1-nano", span.GetTagItem("gen_ai.request.model"));
        Assert.Equal("gpt-4.1-nano-2025-04-14", span.GetTagItem("gen_ai.response.model"));
        Assert.Equal(response.ModelId, span.GetTagItem("gen_ai.response.model"));
        Assert.Equal("chatcmpl-D8Z5f52zQqikDBEKQMQoYcWMcWPeU", span.GetTagItem("gen_ai.response.id"));
        Assert.Equal(new[] { "stop" }, span.GetTagItem("gen_ai.response.finish_reasons"));
        Assert.Equal(0.25f, span.GetTagItem("gen_ai.request.temperature"));
        Assert.Equal(500, span.GetTagItem("gen_ai.request.max_tokens"));
        Assert.Equal(0.9f, span.GetTagItem("gen_ai.request.top_p"));
        Assert.Equal(16L, span.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal(363L, span.GetTagItem("gen_ai.usage.output_tokens"));
        Assert.Equal(response.Usage!.InputTokenCount, span.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal(response.Usage.OutputTokenCount, span.GetTagItem("gen_ai.usage.output_tokens"));
        Assert.Equal("127.0.0.1", span.GetTagItem("server.address"));
        Assert.Equal(h.Server.BaseUri.Port, span.GetTagItem("server.port"));
        Assert.Equal("openai", span.GetTagItem(StratumTelemetryNames.ProviderIdAttribute));

        // gpt-4.1-nano: 16 × $0.10/1M + 363 × $0.40/1M.
        Assert.Equal(0.0001468m, response.GetCost()!.Total);
        Assert.Equal((double)response.GetCost()!.Total, span.GetTagItem(StratumTelemetryNames.CostAttribute));
        Assert.Null(span.GetTagItem("error.type"));
        Assert.Null(span.GetTagItem("gen_ai.input.messages"));
        Assert.Null(span.GetTagItem("gen_ai.output.messages"));
    }

    [Fact]
    public async Task RecordedOpenAIResponse_MetricsEqualTheResponseUsageAndCost()
    {
        await using var h = await Harness.StartAsync(Nano);
        h.Server.EnqueueFixture(Fixture("openai/chat__vercel-ai-openai__openai-text.json"));
        h.Server.EnqueueFixture(Fixture("openai/chat__vercel-ai-openai__openai-text.json"));
        var (model, capture, client) = (h.Model, h.Capture, h.Client);

        var first = await client.GetResponseAsync(Prompt, For(model));
        var second = await client.GetResponseAsync(Prompt, For(model));

        var tokens = capture.Metric("gen_ai.client.token.usage");
        Assert.Equal("{token}", tokens.Unit);
        var input = Assert.Single(tokens.MetricPoints, p => (string?)TelemetryCapture.Tag(p, "gen_ai.token.type") == "input");
        var output = Assert.Single(tokens.MetricPoints, p => (string?)TelemetryCapture.Tag(p, "gen_ai.token.type") == "output");
        Assert.Equal(2, input.GetHistogramCount());
        Assert.Equal((double)(first.Usage!.InputTokenCount!.Value + second.Usage!.InputTokenCount!.Value), input.GetHistogramSum());
        Assert.Equal(32d, input.GetHistogramSum());
        Assert.Equal(726d, output.GetHistogramSum());
        Assert.Equal("openai", TelemetryCapture.Tag(input, "gen_ai.provider.name"));
        Assert.Equal("gpt-4.1-nano", TelemetryCapture.Tag(input, "gen_ai.request.model"));
        Assert.Equal("gpt-4.1-nano-2025-04-14", TelemetryCapture.Tag(input, "gen_ai.response.model"));
        Assert.Equal("chat", TelemetryCapture.Tag(input, "gen_ai.operation.name"));

        var cost = capture.Metric(StratumTelemetryNames.CostMetric);
        Assert.Equal("USD", cost.Unit);
        Assert.Equal((double)(first.GetCost()!.Total + second.GetCost()!.Total), Assert.Single(cost.MetricPoints).GetSumDouble(), 12);
        Assert.Equal(0.0002936, Assert.Single(cost.MetricPoints).GetSumDouble(), 12);

        var duration = capture.Metric("gen_ai.client.operation.duration");
        Assert.Equal("s", duration.Unit);
        Assert.Equal(2, Assert.Single(duration.MetricPoints).GetHistogramCount());
    }

    [Fact]
    public async Task OperationDuration_IsTheElapsedTimeOfTheConfiguredClock()
    {
        var time = new FakeTimeProvider();
        await using var h = await Harness.StartAsync(Nano, time: time, wrapInner: inner => new AdvanceClockChatClient(inner, time, TimeSpan.FromMilliseconds(1_250)));
        h.Server.EnqueueFixture(Fixture("openai/chat__vercel-ai-openai__openai-text.json"));
        var (model, capture, client) = (h.Model, h.Capture, h.Client);

        await client.GetResponseAsync(Prompt, For(model));

        var point = Assert.Single(capture.Metric("gen_ai.client.operation.duration").MetricPoints);
        Assert.Equal(1.25, point.GetHistogramSum());
        var completed = Assert.Single(capture.Logs.GetSnapshot(), r => r.Id.Name == "ChatRequestCompleted");
        Assert.Equal(1.25, double.Parse(completed.GetStructuredStateValue("DurationSeconds")!, CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task RecordedStream_TimeToFirstChunkAndDurationAreTheElapsedTimesOfTheConfiguredClock()
    {
        var time = new FakeTimeProvider();
        await using var h = await Harness.StartAsync(Nano, time: time, wrapInner: inner => new SlowStreamChatClient(inner, time));
        h.Server.EnqueueFixture(Fixture("openai/stream__vercel-ai-openai__openai-text.chunks.txt"));
        var (model, capture, client) = (h.Model, h.Capture, h.Client);

        await foreach (var update in client.GetStreamingResponseAsync(Prompt, For(model)))
        {
            Assert.NotNull(update);
        }

        // The first chunk after 0.5 s, the end of the stream 1 s later.
        Assert.Equal(0.5, capture.Span.GetTagItem("gen_ai.response.time_to_first_chunk"));
        Assert.Equal(0.5, Assert.Single(capture.Metric("gen_ai.client.operation.time_to_first_chunk").MetricPoints).GetHistogramSum());
        Assert.Equal(1.5, Assert.Single(capture.Metric("gen_ai.client.operation.duration").MetricPoints).GetHistogramSum());
    }

    [Fact]
    public async Task RecordedAnthropicCacheUsage_SpanHasCacheReadAndCacheCreationTokens()
    {
        await using var h = await Harness.StartAsync(Claude);
        var exchanges = FixtureLoader.Load(Fixture("anthropic/chat__pydantic-ai__test_anthropic_cache_real_api.yaml"));
        h.Server.Enqueue(exchanges[1]);
        var (model, capture, client) = (h.Model, h.Capture, h.Client);

        var response = await client.GetResponseAsync(Prompt, For(model));

        var span = capture.Span;
        Assert.Equal("anthropic", span.GetTagItem("gen_ai.provider.name"));
        Assert.Equal("claude-sonnet-4-5-20250929", span.GetTagItem("gen_ai.response.model"));
        Assert.Equal(1111L, span.GetTagItem("gen_ai.usage.cache_read.input_tokens"));
        Assert.Equal(418L, span.GetTagItem("gen_ai.usage.cache_creation.input_tokens"));
        Assert.Equal(3L + 1111L + 418L, span.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal(33L, span.GetTagItem("gen_ai.usage.output_tokens"));
        Assert.Equal(response.Usage!.CachedInputTokenCount, span.GetTagItem("gen_ai.usage.cache_read.input_tokens"));

        // 3 × $3 + 1,111 × $0.30 + 418 × $3.75 + 33 × $15, per 1M tokens.
        Assert.Equal(0.0024048m, response.GetCost()!.Total);
        Assert.Equal(0.0024048, (double)span.GetTagItem(StratumTelemetryNames.CostAttribute)!, 12);
    }

    [Fact]
    public async Task RecordedGeminiResponse_ProviderIsTheConventionsGeminiNameAndReasoningTokensAreRecorded()
    {
        await using var h = await Harness.StartAsync(Gemini);
        h.Server.EnqueueFixture(Fixture("gemini/chat__pydantic-ai__test_google_model.yaml"));
        var (model, capture, client) = (h.Model, h.Capture, h.Client);

        var response = await client.GetResponseAsync(Prompt, For(model));

        var span = capture.Span;
        Assert.Equal("gcp.gemini", span.GetTagItem("gen_ai.provider.name"));
        Assert.Equal("gemini", span.GetTagItem(StratumTelemetryNames.ProviderIdAttribute));
        Assert.Equal("bzlXaa_EE_aHqtsPi_zw8Ao", span.GetTagItem("gen_ai.response.id"));
        Assert.Equal(34L, span.GetTagItem("gen_ai.usage.reasoning.output_tokens"));
        Assert.Equal(9L, span.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal(response.Usage!.OutputTokenCount, span.GetTagItem("gen_ai.usage.output_tokens"));
        Assert.Equal(43L, span.GetTagItem("gen_ai.usage.output_tokens"));
    }

    [Fact]
    public async Task RecordedGemini429_SpanIsAnErrorWithTheExceptionTypeAndNoTokensAreRecorded()
    {
        await using var h = await Harness.StartAsync(Gemini);
        h.Server.EnqueueFixture(Fixture("gemini/error__vercel-ai-google__google-429-retry-info.json"));
        var (model, capture, client) = (h.Model, h.Capture, h.Client);

        var ex = await Assert.ThrowsAsync<StratumRateLimitException>(() => client.GetResponseAsync(Prompt, For(model)));

        var span = capture.Span;
        Assert.Equal("chat gemini-2.5-flash", span.DisplayName);
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal(ex.Message, span.StatusDescription);
        Assert.Equal(typeof(StratumRateLimitException).FullName, span.GetTagItem("error.type"));
        Assert.Equal(429, span.GetTagItem("http.response.status_code"));
        Assert.Equal("gcp.gemini", span.GetTagItem("gen_ai.provider.name"));
        Assert.Null(span.GetTagItem("gen_ai.usage.input_tokens"));

        Assert.Empty(capture.Points("gen_ai.client.token.usage"));
        Assert.Empty(capture.Points(StratumTelemetryNames.CostMetric));
        var duration = Assert.Single(capture.Points("gen_ai.client.operation.duration"));
        Assert.Equal(typeof(StratumRateLimitException).FullName, TelemetryCapture.Tag(duration, "error.type"));

        var failed = Assert.Single(capture.Logs.GetSnapshot(), r => r.Id.Name == "ChatRequestFailed");
        Assert.Equal(LogLevel.Warning, failed.Level);
        Assert.Same(ex, failed.Exception);
        Assert.Equal(typeof(StratumRateLimitException).FullName, failed.GetStructuredStateValue("ErrorType"));
    }

    [Fact]
    public async Task RecordedAnthropic400_SpanIsAnErrorWithStatusCode400()
    {
        await using var h = await Harness.StartAsync(Claude);
        h.Server.EnqueueFixture(Fixture("anthropic/error__pydantic-ai__test_anthropic_explicit_effort_xhigh_unsupported_model_errors.yaml"));
        var (model, capture, client) = (h.Model, h.Capture, h.Client);

        var ex = await Assert.ThrowsAnyAsync<StratumException>(() => client.GetResponseAsync(Prompt, For(model)));

        Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
        var span = capture.Span;
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal(ex.GetType().FullName, span.GetTagItem("error.type"));
        Assert.Equal(400, span.GetTagItem("http.response.status_code"));
    }

    [Fact]
    public async Task RecordedOpenAIStream_OneSpanCoversTheWholeStreamWithUsageFromTheFinalUpdate()
    {
        await using var h = await Harness.StartAsync(Nano);
        h.Server.EnqueueFixture(Fixture("openai/stream__vercel-ai-openai__openai-text.chunks.txt"));
        var (model, capture, client) = (h.Model, h.Capture, h.Client);
        var updates = new List<ChatResponseUpdate>();

        await foreach (var update in client.GetStreamingResponseAsync(Prompt, For(model)))
        {
            // The span ends (and is exported) only when the stream does.
            Assert.Empty(capture.Spans);
            updates.Add(update);
        }

        var response = updates.ToChatResponse();
        var span = capture.Span;
        Assert.Equal("chat gpt-4.1-nano", span.DisplayName);
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
        Assert.Equal(16L, span.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal(300L, span.GetTagItem("gen_ai.usage.output_tokens"));
        Assert.Equal(response.Usage!.OutputTokenCount, span.GetTagItem("gen_ai.usage.output_tokens"));
        Assert.Equal(response.ResponseId, span.GetTagItem("gen_ai.response.id"));
        Assert.Equal(response.ModelId, span.GetTagItem("gen_ai.response.model"));
        Assert.Equal(new[] { "stop" }, span.GetTagItem("gen_ai.response.finish_reasons"));

        // 16 × $0.10/1M + 300 × $0.40/1M.
        Assert.Equal(0.0001216, (double)span.GetTagItem(StratumTelemetryNames.CostAttribute)!, 12);
        Assert.Equal(0.0001216, Assert.Single(capture.Points(StratumTelemetryNames.CostMetric)).GetSumDouble(), 12);
        var output = Assert.Single(capture.Points("gen_ai.client.token.usage"), p => (string?)TelemetryCapture.Tag(p, "gen_ai.token.type") == "output");
        Assert.Equal(300d, output.GetHistogramSum());
    }

    [Fact]
    public async Task RecordedAnthropicStreamCutAfterItsFirstEvent_SpanIsAnErrorWithTheBilledUsageAndCost()
    {
        await using var h = await Harness.StartAsync(Claude);
        var exchange = FixtureLoader.Load(Fixture("anthropic/stream__vercel-ai-anthropic__anthropic-text.chunks.txt"))[0];
        var firstEventEnd = exchange.Response.BodyText.IndexOf("\n\n", StringComparison.Ordinal) + 2;
        h.Server.Enqueue(FakeResponse.FromExchange(exchange) with { AbortAfterBodyBytes = firstEventEnd + 40 });
        var (model, capture, client) = (h.Model, h.Capture, h.Client);

        var ex = await Assert.ThrowsAsync<StratumProviderUnavailableException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync(Prompt, For(model)))
            {
                Assert.NotNull(update);
            }
        });

        // message_start billed 12 input tokens and 1 output token: 12 × $3/1M + 1 × $15/1M.
        var span = capture.Span;
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal(typeof(StratumProviderUnavailableException).FullName, span.GetTagItem("error.type"));
        Assert.Equal(ex.UsageSoFar!.InputTokenCount, span.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal(12L, span.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal(1L, span.GetTagItem("gen_ai.usage.output_tokens"));
        Assert.Equal(0.000051, (double)span.GetTagItem(StratumTelemetryNames.CostAttribute)!, 12);
        Assert.Equal(0.000051, Assert.Single(capture.Points(StratumTelemetryNames.CostMetric)).GetSumDouble(), 12);
    }

    [Fact]
    public async Task StreamDisposedEarlyByTheCaller_EndsTheSpanWithoutAnError()
    {
        await using var h = await Harness.StartAsync(Nano);
        h.Server.EnqueueFixture(Fixture("openai/stream__vercel-ai-openai__openai-text.chunks.txt"));
        var (model, capture, client) = (h.Model, h.Capture, h.Client);

        await foreach (var update in client.GetStreamingResponseAsync(Prompt, For(model)))
        {
            Assert.NotNull(update);
            break;
        }

        var span = capture.Span;
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
        Assert.Equal(true, span.GetTagItem("stratum.stream.abandoned"));
        Assert.Null(span.GetTagItem("error.type"));
        Assert.Single(capture.Logs.GetSnapshot(), r => r.Id.Name == "ChatStreamAbandoned");
    }

    [Fact]
    public async Task ByDefault_NoPromptOrResponseTextIsLoggedOrRecorded()
    {
        await using var h = await Harness.StartAsync(Nano);
        h.Server.EnqueueFixture(Fixture("openai/chat__vercel-ai-openai__openai-text.json"));
        h.Server.EnqueueFixture(Fixture("openai/stream__vercel-ai-openai__openai-text.chunks.txt"));
        var (model, capture, client) = (h.Model, h.Capture, h.Client);

        var response = await client.GetResponseAsync(Prompt, For(model));
        var streamed = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync(Prompt, For(model)))
        {
            streamed.Add(update);
        }

        var answers = new[] { response.Text[..40], streamed.ToChatResponse().Text[..40] };
        var logs = capture.Logs.GetSnapshot();
        Assert.NotEmpty(logs);
        Assert.All(logs, record =>
        {
            Assert.DoesNotContain("PROMPT-7c41", record.Message, StringComparison.Ordinal);
            Assert.All(answers, answer => Assert.DoesNotContain(answer, record.Message, StringComparison.Ordinal));
        });
        Assert.DoesNotContain(logs, r => r.Id.Name is "ChatRequestContent" or "ChatResponseContent");
        Assert.Equal(2, capture.Spans.Count);
        Assert.All(capture.Spans, span =>
        {
            Assert.Null(span.GetTagItem("gen_ai.input.messages"));
            Assert.Null(span.GetTagItem("gen_ai.output.messages"));
            Assert.All(span.TagObjects, tag => Assert.DoesNotContain("PROMPT-7c41", tag.Value?.ToString() ?? string.Empty, StringComparison.Ordinal));
        });
    }

    [Fact]
    public async Task WhenOptedIn_PromptAndResponseTextAreLoggedAndRecordedAsConventionMessages()
    {
        await using var h = await Harness.StartAsync(Nano, sensitive: true);
        h.Server.EnqueueFixture(Fixture("openai/chat__vercel-ai-openai__openai-text.json"));
        h.Server.EnqueueFixture(Fixture("openai/stream__vercel-ai-openai__openai-text.chunks.txt"));
        var (model, capture, client) = (h.Model, h.Capture, h.Client);

        var response = await client.GetResponseAsync(Prompt, For(model));
        var streamed = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync(Prompt, For(model)))
        {
            streamed.Add(update);
        }

        var logs = capture.Logs.GetSnapshot();
        Assert.Equal(2, logs.Count(r => r.Id.Name == "ChatRequestContent" && r.Message.Contains("PROMPT-7c41", StringComparison.Ordinal)));
        var responseLogs = logs.Where(r => r.Id.Name == "ChatResponseContent").ToList();
        Assert.Equal(2, responseLogs.Count);
        Assert.Contains(JsonEncodedText.Encode(response.Text[..40]).ToString(), responseLogs[0].Message, StringComparison.Ordinal);
        Assert.Contains(JsonEncodedText.Encode(streamed.ToChatResponse().Text[..40]).ToString(), responseLogs[1].Message, StringComparison.Ordinal);

        var span = capture.Spans[0];
        using var input = JsonDocument.Parse((string)span.GetTagItem("gen_ai.input.messages")!);
        var message = Assert.Single(input.RootElement.EnumerateArray());
        Assert.Equal("user", message.GetProperty("role").GetString());
        var part = Assert.Single(message.GetProperty("parts").EnumerateArray());
        Assert.Equal("text", part.GetProperty("type").GetString());
        Assert.Equal(Prompt, part.GetProperty("content").GetString());

        using var output = JsonDocument.Parse((string)span.GetTagItem("gen_ai.output.messages")!);
        var answer = Assert.Single(output.RootElement.EnumerateArray());
        Assert.Equal("assistant", answer.GetProperty("role").GetString());
        Assert.Equal("stop", answer.GetProperty("finish_reason").GetString());
        Assert.Equal(response.Text, answer.GetProperty("parts")[0].GetProperty("content").GetString());

        using var streamedOutput = JsonDocument.Parse((string)capture.Spans[1].GetTagItem("gen_ai.output.messages")!);
        Assert.Equal(streamed.ToChatResponse().Text, streamedOutput.RootElement[0].GetProperty("parts")[0].GetProperty("content").GetString());
    }

    [Fact]
    public async Task CompletedCall_IsLoggedOnceAtInformationWithModelProviderTokensAndCost()
    {
        await using var h = await Harness.StartAsync(Nano);
        h.Server.EnqueueFixture(Fixture("openai/chat__vercel-ai-openai__openai-text.json"));
        var (model, capture, client) = (h.Model, h.Capture, h.Client);

        await client.GetResponseAsync(Prompt, For(model));

        var logs = capture.Logs.GetSnapshot();
        var started = Assert.Single(logs, r => r.Id.Name == "ChatRequestStarted");
        Assert.Equal(LogLevel.Debug, started.Level);
        var completed = Assert.Single(logs, r => r.Id.Name == "ChatRequestCompleted");
        Assert.Equal(LogLevel.Information, completed.Level);
        Assert.Equal("gpt-4.1-nano", completed.GetStructuredStateValue("Model"));
        Assert.Equal("openai", completed.GetStructuredStateValue("Provider"));
        Assert.Equal("16", completed.GetStructuredStateValue("InputTokens"));
        Assert.Equal("363", completed.GetStructuredStateValue("OutputTokens"));
        Assert.Equal(0.0001468m, decimal.Parse(completed.GetStructuredStateValue("CostUsd")!, CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task CallerCancellation_IsLoggedAsCanceledNotAsAFailure()
    {
        using var capture = new TelemetryCapture();
        using var cts = new CancellationTokenSource();
        using var client = capture.Wrap(new CancelingChatClient(cts));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetResponseAsync(Prompt, new ChatOptions { ModelId = "m" }, cts.Token));

        var logs = capture.Logs.GetSnapshot();
        Assert.Single(logs, r => r.Id.Name == "ChatRequestCanceled");
        Assert.DoesNotContain(logs, r => r.Level >= LogLevel.Warning);
        Assert.Equal(ActivityStatusCode.Error, capture.Span.Status);
    }

    [Fact]
    public async Task AttemptEventsFromInnerMiddleware_AreAddedToTheCallsSpan()
    {
        using var capture = new TelemetryCapture();
        using var client = capture.Wrap(new AttemptReportingChatClient());

        await client.GetResponseAsync(Prompt, new ChatOptions { ModelId = "gpt-4o" });

        var events = capture.Span.Events.ToList();
        Assert.Equal(
            [StratumTelemetryNames.RetryEvent, StratumTelemetryNames.FallbackEvent],
            events.Select(e => e.Name));
        var retry = events[0].Tags.ToDictionary(t => t.Key, t => t.Value);
        Assert.Equal(2, retry["stratum.attempt"]);
        Assert.Equal(1.5, retry["stratum.retry.delay_seconds"]);
        Assert.Equal("StratumAI.StratumRateLimitException", retry["error.type"]);
        var fallback = events[1].Tags.ToDictionary(t => t.Key, t => t.Value);
        Assert.Equal("gpt-4o", fallback["stratum.fallback.from_model"]);
        Assert.Equal("claude-sonnet-4-5", fallback["stratum.fallback.to_model"]);
    }

    [Fact]
    public void AttemptEvents_OutsideAStratumSpan_LeaveOtherActivitiesAlone()
    {
        using var source = new ActivitySource("StratumAI.Tests.Other." + Guid.NewGuid().ToString("N"));
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s == source,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        using var other = source.StartActivity("someone else's span");

        StratumActivityEvents.Retry("gpt-4o", "openai", 2, TimeSpan.FromSeconds(1), "X");

        Assert.NotNull(other);
        Assert.Empty(other.Events);
    }

    [Fact]
    public async Task UseStratumTelemetry_TakesTheLoggerFactoryFromThePipelineServices()
    {
        using var capture = new TelemetryCapture();
        var services = new ServiceCollection().AddSingleton(capture.LoggerFactory).BuildServiceProvider();
        using var client = new AttemptReportingChatClient().AsBuilder()
            .UseStratumTelemetry(o => o.SourceName = capture.SourceName)
            .Build(services);

        await client.GetResponseAsync(Prompt, new ChatOptions { ModelId = "gpt-4o" });

        Assert.Single(capture.Logs.GetSnapshot(), r => r.Id.Name == "ChatRequestCompleted");
        Assert.Single(capture.Spans);
        Assert.Same(client.GetService<ActivitySource>(), client.GetService(typeof(ActivitySource)));
        Assert.Equal(capture.SourceName, client.GetService<ActivitySource>()!.Name);
    }

    [Fact]
    public async Task StratumClientPipeline_RecordsCallsMadeThroughTheClientByModelId()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("openai/chat__vercel-ai-openai__openai-text.json"));
        server.EnqueueFixture(Fixture("openai/stream__vercel-ai-openai__openai-text.chunks.txt"));
        using var capture = new TelemetryCapture();
        var model = Nano(server);
        using var stratum = ClientFor(server, "openai", configure: options =>
        {
            options.Models.Register([model]);
            options.Pipeline = pipeline => pipeline.UseStratumTelemetry(o =>
            {
                o.SourceName = capture.SourceName;
                o.LoggerFactory = capture.LoggerFactory;
            });
        });

        var response = await stratum.GetResponseAsync("gpt-4.1-nano", Prompt);
        await foreach (var update in stratum.GetStreamingResponseAsync("gpt-4.1-nano", [new ChatMessage(ChatRole.User, Prompt)]))
        {
            Assert.NotNull(update);
        }

        Assert.Equal(2, capture.Spans.Count);
        Assert.All(capture.Spans, span =>
        {
            Assert.Equal("chat gpt-4.1-nano", span.DisplayName);
            Assert.Equal("openai", span.GetTagItem("gen_ai.provider.name"));
            Assert.Equal(server.BaseUri.Port, span.GetTagItem("server.port"));
        });
        Assert.Equal(response.Usage!.OutputTokenCount, capture.Spans[0].GetTagItem("gen_ai.usage.output_tokens"));
        Assert.Equal(300L, capture.Spans[1].GetTagItem("gen_ai.usage.output_tokens"));
        Assert.Equal(2, capture.Logs.GetSnapshot().Count(r => r.Id.Name == "ChatRequestCompleted"));
    }

    [Theory]
    [InlineData("openai", "openai")]
    [InlineData("anthropic", "anthropic")]
    [InlineData("gemini", "gcp.gemini")]
    [InlineData("deepseek", "deepseek")]
    [InlineData("groq", "groq")]
    [InlineData("xai", "x_ai")]
    [InlineData("mistral", "mistral_ai")]
    [InlineData("openrouter", "openrouter")]
    [InlineData("ollama", "ollama")]
    [InlineData("my-private-gateway", "my-private-gateway")]
    public void CatalogProviderIds_MapToTheConventionsWellKnownNamesOrStayAsTheyAre(string providerId, string expected) =>
        Assert.Equal(expected, GenAI.ProviderNameOf(providerId));

    [Fact]
    public async Task ModelWithoutACatalogEntry_StillGetsASpanNamedAfterTheRequestedModel()
    {
        using var capture = new TelemetryCapture();
        using var client = capture.Wrap(new AttemptReportingChatClient());

        await client.GetResponseAsync(Prompt, new ChatOptions { ModelId = "not-in-any-catalog" });

        Assert.Equal("chat not-in-any-catalog", capture.Span.DisplayName);
        Assert.Equal("not-in-any-catalog", capture.Span.GetTagItem("gen_ai.request.model"));
    }

    /// <summary>A fake provider server, a StratumClient whose catalog holds one model served by it, and its
    /// <c>AsChatClient()</c> wrapped in the telemetry middleware reporting to a <see cref="TelemetryCapture"/>.</summary>
    private sealed class Harness : IAsyncDisposable
    {
        private Harness(FakeProviderServer server, StratumClient stratum, ModelInfo model, TelemetryCapture capture, IChatClient client)
        {
            (Server, Stratum, Model, Capture, Client) = (server, stratum, model, capture, client);
        }

        public FakeProviderServer Server { get; }

        public StratumClient Stratum { get; }

        public ModelInfo Model { get; }

        public TelemetryCapture Capture { get; }

        public IChatClient Client { get; }

        public static async Task<Harness> StartAsync(Func<FakeProviderServer, ModelInfo> model, bool sensitive = false, TimeProvider? time = null, Func<IChatClient, IChatClient>? wrapInner = null)
        {
            var server = await FakeProviderServer.StartAsync();
            var info = model(server);
            var stratum = ClientFor(server, info.Provider.Id);
            stratum.Models.Register([info]);
            var inner = stratum.AsChatClient();
            var capture = new TelemetryCapture();
            return new Harness(server, stratum, info, capture, capture.Wrap(wrapInner?.Invoke(inner) ?? inner, sensitive, time));
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            Capture.Dispose();
            Stratum.Dispose();
            await Server.DisposeAsync();
        }
    }

    /// <summary>Advances a fake clock while a call is in flight, as a slow provider would.</summary>
    private sealed class AdvanceClockChatClient(IChatClient inner, FakeTimeProvider time, TimeSpan by) : DelegatingChatClient(inner)
    {
        public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            var response = await base.GetResponseAsync(messages, options, cancellationToken);
            time.Advance(by);
            return response;
        }
    }

    /// <summary>A stream whose first chunk takes 0.5 s on a fake clock and whose end comes 1 s after it.</summary>
    private sealed class SlowStreamChatClient(IChatClient inner, FakeTimeProvider time) : DelegatingChatClient(inner)
    {
        public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
            IEnumerable<ChatMessage> messages,
            ChatOptions? options = null,
            [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            time.Advance(TimeSpan.FromMilliseconds(500));
            await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken))
            {
                yield return update;
            }

            time.Advance(TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>Stands in for the caller cancelling while the provider is still answering.</summary>
    private sealed class CancelingChatClient(CancellationTokenSource cts) : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            cts.Cancel();
            cancellationToken.ThrowIfCancellationRequested();
            return Task.FromResult(new ChatResponse());
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("Only the non-streaming path is used here.");

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    /// <summary>Reports a retry and a fallback the way resilience and fallback middleware do, then answers.</summary>
    private sealed class AttemptReportingChatClient : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            StratumActivityEvents.Retry(options?.ModelId, "openai", 2, TimeSpan.FromSeconds(1.5), typeof(StratumRateLimitException).FullName!);
            StratumActivityEvents.Fallback(options?.ModelId, "claude-sonnet-4-5", typeof(StratumRateLimitException).FullName!);
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")) { ModelId = "claude-sonnet-4-5" });
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("Only the non-streaming path is used here.");

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
