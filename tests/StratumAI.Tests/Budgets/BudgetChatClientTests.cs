using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.ML.Tokenizers;
using StratumAI.Testing;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.Budgets;

public sealed class BudgetChatClientTests
{
    private const string OpenAIText = "openai/chat__vercel-ai-openai__openai-text.json";
    private const string OpenAIStream = "openai/stream__vercel-ai-openai__openai-text.chunks.txt";

    // gpt-4.1-nano ($0.10 in, $0.40 out per 1M): the recorded response is 16 in + 363 out, the recorded stream 16 in + 300 out.
    private const decimal RecordedResponseCost = 0.0001468m;
    private const decimal RecordedStreamCost = 0.0001216m;

    private static readonly DateTimeOffset Noon = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task RefusedCall_ThrowsBeforeAnyRequestReachesTheServer()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(OpenAIText));
        using var stratum = ClientFor(server, "openai");
        var budgets = new BudgetManager([BudgetPolicy.Daily(0.0001m)], new FakeTimeProvider(Noon));
        var tracker = new CostTracker();
        using var client = stratum.GetChatClient(Nano(server)).AsBuilder().UseStratumBudget(budgets).UseStratumCostTracking(tracker).Build();

        // Worst case: ~30 input tokens + 16,384 output tokens at $0.40/1M ≈ $0.0066, far above $0.0001.
        var ex = await Assert.ThrowsAsync<BudgetExceededException>(() => client.GetResponseAsync("hi"));
        var streamed = await Assert.ThrowsAsync<BudgetExceededException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("hi"))
            {
                Assert.Fail("A refused stream yields nothing.");
            }
        });

        Assert.Empty(server.ReceivedRequests);
        Assert.Empty(tracker.History);
        Assert.Equal(0.0001m, ex.Limit);
        Assert.True(ex.Requested > 0.006m);
        Assert.Equal(ex.Requested, streamed.Requested);
        Assert.Equal((0m, 0m), (budgets.GetStatus(budgets.Policies[0]).Spent, budgets.GetStatus(budgets.Policies[0]).Reserved));
        Assert.DoesNotContain(CanaryKey, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefusedCall_IsLoggedWithTheLimitAndTheRequest()
    {
        await using var server = await FakeProviderServer.StartAsync();
        using var stratum = ClientFor(server, "openai");
        var budgets = new BudgetManager([BudgetPolicy.Daily(0.0001m)], new FakeTimeProvider(Noon));
        var logger = new Microsoft.Extensions.Logging.Testing.FakeLogger();
        using var client = stratum.GetChatClient(Nano(server)).AsBuilder().UseStratumBudget(budgets, c => c.Logger = logger).Build();

        var ex = await Assert.ThrowsAsync<BudgetExceededException>(() => client.GetResponseAsync("hi"));

        var record = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Equal(1013, record.Id.Id);
        Assert.Contains("0.0001", record.Message, StringComparison.Ordinal);
        Assert.Contains(ex.Requested.ToString(System.Globalization.CultureInfo.InvariantCulture), record.Message, StringComparison.Ordinal);
        Assert.Empty(server.ReceivedRequests);
    }

    [Fact]
    public async Task AlertReachedByACall_IsLoggedWithThePipelinesLogger()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(OpenAIText));
        using var stratum = ClientFor(server, "openai");
        var budgets = new BudgetManager([new BudgetPolicy(BudgetScope.Global, BudgetPeriod.Day, 0.01m, name: "tiny", alertThresholds: [0.0001m])], new FakeTimeProvider(Noon));
        var logger = new Microsoft.Extensions.Logging.Testing.FakeLogger();
        using var client = stratum.GetChatClient(Nano(server)).AsBuilder().UseStratumBudget(budgets, c => c.Logger = logger).Build();

        await client.GetResponseAsync("hi");

        Assert.Same(logger, budgets.Logger);
        var record = Assert.Single(logger.Collector.GetSnapshot(), r => r.Id.Id == 1014);
        Assert.StartsWith("Budget tiny reached 0.0100 % of its 0.01 USD limit", record.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdmittedCall_SettlesToTheRecordedResponsesExactCost()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(OpenAIText));
        using var stratum = ClientFor(server, "openai");
        var policy = BudgetPolicy.Daily(1m);
        var budgets = new BudgetManager([policy], new FakeTimeProvider(Noon));
        var tracker = new CostTracker();
        using var client = stratum.GetChatClient(Nano(server)).AsBuilder().UseStratumBudget(budgets).UseStratumCostTracking(tracker).Build();

        await client.GetResponseAsync("hi", new ChatOptions { MaxOutputTokens = 1_000 });

        Assert.Single(server.ReceivedRequests);
        Assert.Equal((RecordedResponseCost, 0m), (budgets.GetStatus(policy).Spent, budgets.GetStatus(policy).Reserved));
        Assert.Equal(RecordedResponseCost, tracker.GetTotal().Cost);
    }

    [Fact]
    public async Task BilledCallWhoseLedgerAppendFails_IsStillChargedItsCost()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(OpenAIText));
        using var stratum = ClientFor(server, "openai");
        var policy = BudgetPolicy.Daily(1m);
        var budgets = new BudgetManager([policy], new FakeTimeProvider(Noon));
        var tracker = new CostTracker();
        using var client = stratum.GetChatClient(Nano(server)).AsBuilder()
            .UseStratumBudget(budgets)
            .UseStratumCostTracking(tracker, o => o.Ledger = new RefusingLedger())
            .Build();

        var ex = await Assert.ThrowsAsync<CostLedgerException>(() => client.GetResponseAsync("hi", new ChatOptions { MaxOutputTokens = 1_000 }));

        Assert.Equal(RecordedResponseCost, ex.Record!.Total);
        Assert.Equal((RecordedResponseCost, 0m), (budgets.GetStatus(policy).Spent, budgets.GetStatus(policy).Reserved));
    }

    private sealed class RefusingLedger : ICostLedger
    {
        public ValueTask AppendAsync(CostRecord record, CancellationToken cancellationToken = default) =>
            ValueTask.FromException(new IOException("disk full"));

        public ValueTask<IReadOnlyList<CostRecord>> GetRecordsAsync(DateTimeOffset? since = null, DateTimeOffset? until = null, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("Not read in this test.");

        public ValueTask<CostTotals> GetTotalAsync(DateTimeOffset? since = null, DateTimeOffset? until = null, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("Not read in this test.");

        public ValueTask<IReadOnlyDictionary<string, CostTotals>> GetTotalsAsync(CostGrouping groupBy, DateTimeOffset? since = null, DateTimeOffset? until = null, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("Not read in this test.");
    }

    [Fact]
    public async Task RecordedStream_SettlesToItsCostWhenItEnds()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(OpenAIStream));
        using var stratum = ClientFor(server, "openai");
        var policy = BudgetPolicy.Daily(1m);
        var budgets = new BudgetManager([policy], new FakeTimeProvider(Noon));
        var tracker = new CostTracker();
        using var client = stratum.GetChatClient(Nano(server)).AsBuilder().UseStratumBudget(budgets).UseStratumCostTracking(tracker).Build();
        var reservedWhileStreaming = 0m;

        await foreach (var update in client.GetStreamingResponseAsync("hi"))
        {
            reservedWhileStreaming = Math.Max(reservedWhileStreaming, budgets.GetStatus(policy).Reserved);
        }

        Assert.True(reservedWhileStreaming > RecordedStreamCost);
        Assert.Equal((RecordedStreamCost, 0m), (budgets.GetStatus(policy).Spent, budgets.GetStatus(policy).Reserved));
        Assert.Equal(RecordedStreamCost, tracker.GetTotal().Cost);
    }

    [Fact]
    public async Task FailedCallThatBilledNothing_ReleasesItsReservation()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("openai/error__pydantic-ai__test_model_name_suggestion_openai-chat_.yaml"));
        using var stratum = ClientFor(server, "openai");
        var policy = BudgetPolicy.Daily(1m);
        var budgets = new BudgetManager([policy], new FakeTimeProvider(Noon));
        using var client = stratum.GetChatClient(Nano(server)).AsBuilder().UseStratumBudget(budgets).Build();

        await Assert.ThrowsAsync<StratumModelNotFoundException>(() => client.GetResponseAsync("hello"));

        Assert.Single(server.ReceivedRequests);
        Assert.Equal((0m, 0m), (budgets.GetStatus(policy).Spent, budgets.GetStatus(policy).Reserved));
    }

    [Fact]
    public async Task RecordedStreamCutAfterBilling_SettlesToTheUsageSoFar()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchange = FixtureLoader.Load(Fixture("anthropic/stream__vercel-ai-anthropic__anthropic-text.chunks.txt"))[0];
        var firstEventEnd = exchange.Response.BodyText.IndexOf("\n\n", StringComparison.Ordinal) + 2;
        server.Enqueue(FakeResponse.FromExchange(exchange) with { AbortAfterBodyBytes = firstEventEnd + 40 });
        using var stratum = ClientFor(server, "anthropic");
        var model = Model("claude-sonnet-4-5", Provider("anthropic", server.V1(), dialect: "anthropic"), ClaudeSonnetPricing);
        var policy = BudgetPolicy.Daily(1m);
        var budgets = new BudgetManager([policy], new FakeTimeProvider(Noon));
        var tracker = new CostTracker();
        using var client = stratum.GetChatClient(model).AsBuilder().UseStratumBudget(budgets).UseStratumCostTracking(tracker).Build();

        await Assert.ThrowsAsync<StratumProviderUnavailableException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("hi"))
            {
                Assert.NotNull(update);
            }
        });

        // message_start billed 12 input tokens and 1 output token: 12 × $3/1M + 1 × $15/1M.
        Assert.Equal((0.000051m, 0m), (budgets.GetStatus(policy).Spent, budgets.GetStatus(policy).Reserved));
        Assert.Equal(0.000051m, tracker.GetTotal().Cost);
    }

    [Fact]
    public async Task StreamStoppedEarlyBeforeItsUsage_IsChargedItsWholeReservation()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(OpenAIStream));
        using var stratum = ClientFor(server, "openai");
        var policy = BudgetPolicy.Daily(1m);
        var budgets = new BudgetManager([policy], new FakeTimeProvider(Noon));
        using var client = stratum.GetChatClient(Nano(server)).AsBuilder().UseStratumBudget(budgets).Build();
        var options = new ChatOptions { MaxOutputTokens = 2_000 };
        var worstCase = client.GetService<BudgetChatClient>()!.Estimate([new ChatMessage(ChatRole.User, "hi")], options).Cost;

        await foreach (var update in client.GetStreamingResponseAsync("hi", options))
        {
            break;
        }

        // The usage chunk comes last in an OpenAI stream: the cost of what the provider produced is unknown.
        Assert.Equal((worstCase, 0m), (budgets.GetStatus(policy).Spent, budgets.GetStatus(policy).Reserved));
    }

    [Fact]
    public async Task BilledFailure_IsChargedItsUsageSoFar_AndTheErrorSurfacesUnchanged()
    {
        var model = Model("gpt-4o", Provider("openai"), Gpt4oPricing);
        var error = new StratumServerErrorException("boom") { UsageSoFar = new UsageDetails { InputTokenCount = 1_000, OutputTokenCount = 200 } };
        var inner = new ScriptedChatClient(model) { Script = _ => new ScriptedChatClient.Outcome(null, error) };
        var policy = BudgetPolicy.Daily(1m);
        var budgets = new BudgetManager([policy], new FakeTimeProvider(Noon));
        using var client = inner.AsBuilder().UseStratumBudget(budgets).Build();

        Assert.Same(error, await Assert.ThrowsAsync<StratumServerErrorException>(() => client.GetResponseAsync("hi")));
        Assert.Same(error, await Assert.ThrowsAsync<StratumServerErrorException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("hi"))
            {
                Assert.NotNull(update);
            }
        }));

        // 1,000 × $2.50/1M + 200 × $10/1M = 0.0045, twice.
        Assert.Equal((0.009m, 0m), (budgets.GetStatus(policy).Spent, budgets.GetStatus(policy).Reserved));
    }

    [Fact]
    public async Task StreamFailingBeforeItsFirstUpdate_ReleasesItsReservation()
    {
        var inner = new ScriptedChatClient(Model("gpt-4o", Provider("openai"), Gpt4oPricing))
        {
            Script = _ => new ScriptedChatClient.Outcome(null, new StratumProviderUnavailableException("reset"), Updates: 0),
        };
        var policy = BudgetPolicy.Daily(1m);
        var budgets = new BudgetManager([policy], new FakeTimeProvider(Noon));
        using var client = inner.AsBuilder().UseStratumBudget(budgets).Build();

        await Assert.ThrowsAsync<StratumProviderUnavailableException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("hi"))
            {
                Assert.NotNull(update);
            }
        });

        Assert.Equal((0m, 0m), (budgets.GetStatus(policy).Spent, budgets.GetStatus(policy).Reserved));
    }

    [Fact]
    public async Task CacheHit_IsChargedNothing_AndAResponseWithoutUsageItsWholeReservation()
    {
        var inner = new ScriptedChatClient(Model("gpt-4o", Provider("openai"), Gpt4oPricing))
        {
            Script = n => n == 0
                ? new ScriptedChatClient.Outcome(new UsageDetails { InputTokenCount = 100, OutputTokenCount = 10 }, CacheHit: true)
                : new ScriptedChatClient.Outcome(null),
        };
        var policy = BudgetPolicy.Daily(1m);
        var budgets = new BudgetManager([policy], new FakeTimeProvider(Noon));
        using var client = inner.AsBuilder().UseStratumBudget(budgets).Build();
        var options = new ChatOptions { MaxOutputTokens = 100 };

        await client.GetResponseAsync("hi", options);
        Assert.Equal(0m, budgets.GetStatus(policy).Spent);

        await client.GetResponseAsync("hi", options);
        var worstCase = client.GetService<BudgetChatClient>()!.Estimate([new ChatMessage(ChatRole.User, "hi")], options).Cost;
        Assert.Equal((worstCase, 0m), (budgets.GetStatus(policy).Spent, budgets.GetStatus(policy).Reserved));
    }

    [Fact]
    public void Estimate_OpenAIModel_CountsTextWithO200k_AndMaxOutputTokensAtTheOutputPrice()
    {
        var model = Model("gpt-4o", Provider("openai"), Gpt4oPricing);
        using var client = new BudgetChatClient(new ScriptedChatClient(model), new BudgetManager([]));
        const string Prompt = "Summarize the following article in three bullet points, citing the section numbers.";
        var tokenizer = TiktokenTokenizer.CreateForModel("gpt-4o");

        var estimate = client.Estimate([new ChatMessage(ChatRole.System, "Be brief."), new ChatMessage(ChatRole.User, Prompt)], new ChatOptions { MaxOutputTokens = 500 });

        Assert.True(estimate.TokenizerCounted);
        Assert.Equal(16 + 8 + tokenizer.CountTokens("Be brief.") + 8 + tokenizer.CountTokens(Prompt), estimate.InputTokens);
        Assert.Equal(500, estimate.OutputTokens);
        Assert.Equal((2.5m, 10m), (estimate.InputPricePerMillion, estimate.OutputPricePerMillion));
        Assert.Equal((estimate.InputTokens * 2.5m / 1_000_000m) + 0.005m, estimate.Cost);
    }

    [Fact]
    public void Estimate_OtherModel_CountsOneTokenPerTwoUtf8Bytes_AndAFixedAmountPerImage()
    {
        var model = Model("claude-sonnet-4-5", Provider("anthropic", dialect: "anthropic"), ClaudeSonnetPricing);
        using var client = new BudgetChatClient(new ScriptedChatClient(model), new BudgetManager([]));
        var message = new ChatMessage(ChatRole.User, [new TextContent("Décris cette image."), new DataContent(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, "image/png")]);

        var estimate = client.Estimate([message]);

        // "Décris cette image." is 20 UTF-8 bytes → 10 tokens; the image 2,000; framing 16 + 8.
        Assert.False(estimate.TokenizerCounted);
        Assert.Equal(16 + 8 + 10 + 2_000, estimate.InputTokens);

        // No MaxOutputTokens: the model's maximum output (16,384). Input at the cache-write price ($3.75 > $3).
        Assert.Equal(16_384, estimate.OutputTokens);
        Assert.Equal((3.75m, 15m), (estimate.InputPricePerMillion, estimate.OutputPricePerMillion));
    }

    [Fact]
    public void Estimate_TieredAndReasoningPrices_ReserveAtTheHighestPrice()
    {
        var pricing = new ModelPricing(1.25m, 10m, 0.125m, ReasoningPerMillion: 12m, Tiers: [new PriceTier(200_000, 2.5m, 15m, 0.25m, 4m)]);
        var model = Model("gemini-2.5-pro", Provider("gemini", dialect: "gemini"), pricing);
        using var client = new BudgetChatClient(new ScriptedChatClient(model), new BudgetManager([]));

        var estimate = client.Estimate([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { MaxOutputTokens = 1_000 });

        Assert.Equal((4m, 15m), (estimate.InputPricePerMillion, estimate.OutputPricePerMillion));
    }

    [Fact]
    public void Estimate_PriorityTierAndAudioPrices_ReserveAtTheHighestPrice()
    {
        // The provider, not the caller, decides whether an answer is served at the priority tier or billed as audio.
        var pricing = new ModelPricing(
            2.5m, 10m, 1.25m,
            AudioInputPerMillion: 40m, AudioOutputPerMillion: 80m,
            Flex: new ServiceTierPricing(1.25m, 5m),
            Priority: new ServiceTierPricing(4.25m, 17m, AudioInputPerMillion: 50m));
        var model = Model("gpt-4o-audio-preview", Provider("openai"), pricing);
        using var client = new BudgetChatClient(new ScriptedChatClient(model), new BudgetManager([]));

        var estimate = client.Estimate([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { MaxOutputTokens = 1_000 });

        Assert.Equal((50m, 80m), (estimate.InputPricePerMillion, estimate.OutputPricePerMillion));
    }

    [Fact]
    public void Estimate_PriorityTier_ReservesItsPrice()
    {
        var pricing = new ModelPricing(1.25m, 10m, 0.125m, Priority: new ServiceTierPricing(2.5m, 20m));
        var model = Model("gpt-5", Provider("openai"), pricing);
        using var client = new BudgetChatClient(new ScriptedChatClient(model), new BudgetManager([]));

        var estimate = client.Estimate([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { MaxOutputTokens = 1_000 });

        Assert.Equal((2.5m, 20m), (estimate.InputPricePerMillion, estimate.OutputPricePerMillion));
    }

    [Fact]
    public void Estimate_CountsToolSchemasAndResults()
    {
        var model = Model("gpt-4.1", Provider("openai"), Gpt41Pricing);
        using var client = new BudgetChatClient(new ScriptedChatClient(model), new BudgetManager([]));
        var tool = AIFunctionFactory.Create((string city) => "sunny", "get_weather", "Gets the weather of a city.");
        var messages = new[] { new ChatMessage(ChatRole.User, "Weather in Paris?") };

        var plain = client.Estimate(messages).InputTokens;
        var withTool = client.Estimate(messages, new ChatOptions { Tools = [tool] }).InputTokens;

        var o200k = TiktokenTokenizer.CreateForModel("gpt-4o");
        var expectedTool = 16 + o200k.CountTokens("get_weather") + o200k.CountTokens("Gets the weather of a city.") + o200k.CountTokens(tool.JsonSchema.GetRawText());
        Assert.Equal(plain + expectedTool, withTool);
    }

    [Fact]
    public async Task ModelId_IsResolvedThroughTheRegistry_AndAnUnknownModelIsRefusedWithoutSendingAnything()
    {
        var registry = new ModelRegistry();
        registry.Register([Model("gpt-4o", Provider("openai"), Gpt4oPricing), Model("o3-mini", Provider("openai"), O3MiniPricing)]);
        var inner = new ScriptedChatClient(null);
        var budgets = new BudgetManager([BudgetPolicy.PerCall(1m)], new FakeTimeProvider(Noon));
        using var client = inner.AsBuilder().UseStratumBudget(budgets, c => c.Models = registry).Build();
        var budget = client.GetService<BudgetChatClient>()!;

        Assert.Equal(4.4m, budget.Estimate([], new ChatOptions { ModelId = "o3-mini" }).OutputPricePerMillion);
        await client.GetResponseAsync("hi", new ChatOptions { ModelId = "gpt-4o", MaxOutputTokens = 10 });
        var ex = await Assert.ThrowsAsync<StratumModelNotFoundException>(() => client.GetResponseAsync("hi", new ChatOptions { ModelId = "gpt-9" }));

        Assert.Equal("gpt-9", ex.ModelId);
        Assert.Contains("cannot price the model 'gpt-9'", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, inner.Calls);
    }

    [Fact]
    public async Task InAStratumClientPipeline_TheModelIsResolvedInTheClientsOwnCatalog()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(OpenAIText));
        var policy = BudgetPolicy.Daily(0.0067m);
        var budgets = new BudgetManager([policy], new FakeTimeProvider(Noon));
        var tracker = new CostTracker();
        using var stratum = ClientFor(server, "openai", configure: o => o.Pipeline = b => b.UseStratumBudget(budgets).UseStratumCostTracking(tracker));
        var model = Nano(server);
        stratum.Models.Register([model]);

        // The worst case (25 input + 16,384 output tokens ≈ $0.00656) fits $0.0067 once; after the first call settled
        // ($0.0001468) there is no room for a second worst case.
        await stratum.GetResponseAsync(model, "hi");
        await Assert.ThrowsAsync<BudgetExceededException>(() => stratum.GetResponseAsync(model, "hi"));

        Assert.Single(server.ReceivedRequests);
        Assert.Equal(RecordedResponseCost, budgets.GetStatus(policy).Spent);
        Assert.Equal(RecordedResponseCost, tracker.GetTotal().Cost);
    }

    [Fact]
    public async Task TagsAndCallerFromTheOptions_ChooseThePolicies()
    {
        var inner = new ScriptedChatClient(Model("gpt-4o", Provider("openai"), Gpt4oPricing));
        var perUser = new BudgetPolicy(BudgetScope.EachCaller, BudgetPeriod.Day, 0.002m);
        var tagged = new BudgetPolicy(BudgetScope.Tag("nightly"), BudgetPeriod.Day, 1m);
        var budgets = new BudgetManager([perUser, tagged], new FakeTimeProvider(Noon));
        using var client = inner.AsBuilder().UseStratumBudget(budgets, c => c.DefaultCaller = "anonymous").Build();
        ChatOptions Options(string? caller) => new()
        {
            MaxOutputTokens = 100,
            AdditionalProperties = caller is null
                ? new() { [StratumOptionKeys.Tags] = new[] { "nightly" } }
                : new() { [StratumOptionKeys.Tags] = new[] { "nightly" }, [StratumOptionKeys.Caller] = caller },
        };

        // Each call: 100 in × $2.50/1M + 10 out × $10/1M = 0.00035.
        await client.GetResponseAsync("hi", Options("alice"));
        await client.GetResponseAsync("hi", Options("bob"));
        await client.GetResponseAsync("hi", Options(null));

        Assert.Equal(0.00035m, budgets.GetStatus(perUser, "alice").Spent);
        Assert.Equal(0.00035m, budgets.GetStatus(perUser, "anonymous").Spent);
        Assert.Equal(0.00105m, budgets.GetStatus(tagged).Spent);
    }

    [Fact]
    public async Task UseStratumBudget_WithoutAManager_TakesTheOneFromTheServices()
    {
        var budgets = new BudgetManager([BudgetPolicy.Daily(1m)], new FakeTimeProvider(Noon));
        using var services = new ServiceCollection().AddSingleton(budgets).BuildServiceProvider();
        var inner = new ScriptedChatClient(Model("gpt-4o", Provider("openai"), Gpt4oPricing));

        using var client = inner.AsBuilder().UseStratumBudget().Build(services);
        await client.GetResponseAsync("hi", new ChatOptions { MaxOutputTokens = 10 });

        Assert.Same(budgets, client.GetService<BudgetManager>());
        Assert.Equal(0.00035m, budgets.GetStatus(budgets.Policies[0]).Spent);
        using var empty = new ServiceCollection().BuildServiceProvider();
        Assert.Throws<InvalidOperationException>(() => inner.AsBuilder().UseStratumBudget().Build(empty));
    }

    private static ModelInfo Nano(FakeProviderServer server) => Model("gpt-4.1-nano", Provider("openai", server.V1()), Gpt41NanoPricing);
}
