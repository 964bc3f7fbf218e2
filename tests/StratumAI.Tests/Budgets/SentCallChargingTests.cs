using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;
using StratumAI.Testing;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.Budgets;

/// <summary>
/// Money is conservative: once a request has left the process, an attempt that ends without usage and without an error
/// response (cancelled, timed out, cut off) keeps its worst case charged, and cost tracking records it as estimated.
/// </summary>
public sealed class SentCallChargingTests
{
    private const string OpenAIText = "openai/chat__vercel-ai-openai__openai-text.json";
    private const string OpenAIStream = "openai/stream__vercel-ai-openai__openai-text.chunks.txt";
    private const string OpenAINotFound = "openai/error__pydantic-ai__test_model_name_suggestion_openai-chat_.yaml";

    private static readonly DateTimeOffset Noon = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Hang = TimeSpan.FromMinutes(10);
    private static readonly ChatOptions Options = new() { MaxOutputTokens = 100 };

    [Fact]
    public async Task ConcurrentCallersCancellingAfterTheirRequestReachedASlowServer_CannotOverrunADailyBudget()
    {
        const int Callers = 40;
        const int Room = 8;
        const int Rounds = 4;
        await using var server = await FakeProviderServer.StartAsync();
        var slow = FakeResponse.FromExchange(FixtureLoader.Load(Fixture(OpenAIText))[0]) with { DelayBeforeHeaders = Hang };
        for (var i = 0; i < Callers * Rounds; i++)
        {
            server.Enqueue(slow);
        }

        using var stratum = ClientFor(server, "openai");
        var tracker = new CostTracker();
        var ledger = new InMemoryCostLedger();
        var worstCase = WorstCase(stratum, server);
        var policy = BudgetPolicy.Daily(Room * worstCase);
        var budgets = new BudgetManager([policy], new FakeTimeProvider(Noon));
        using var client = stratum.GetChatClient(Nano(server)).AsBuilder().UseStratumBudget(budgets).UseStratumCostTracking(tracker, o => o.Ledger = ledger).Build();
        var refused = 0;

        // Each round: every admitted caller waits until its request reached the server, then gives up (cancels).
        for (var round = 0; round < Rounds; round++)
        {
            var before = server.ReceivedRequests.Count;
            using var giveUp = new CancellationTokenSource();
            var calls = Enumerable.Range(0, Callers).Select(_ => Task.Run(async () =>
            {
                try
                {
                    await client.GetResponseAsync("hi", Options, giveUp.Token);
                    Assert.Fail("The slow server never answers.");
                }
                catch (BudgetExceededException)
                {
                    Interlocked.Increment(ref refused);
                }
                catch (OperationCanceledException)
                {
                    // The caller gave up after its request was sent.
                }
            })).ToArray();

            await WaitUntil(() => server.ReceivedRequests.Count - before + calls.Count(c => c.IsCompleted) == Callers, "every caller was refused or reached the server");
            await giveUp.CancelAsync();
            await Task.WhenAll(calls);
        }

        var requests = server.ReceivedRequests.Count;
        var status = budgets.GetStatus(policy);

        // Today each cancelled call released its reservation: Room requests per round, $0 charged. Now the first round uses the
        // whole budget and every later caller is refused before sending.
        Assert.Equal(Room, requests);
        Assert.Equal(Callers * Rounds - Room, refused);
        Assert.True(status.Spent >= requests * worstCase, $"{requests} requests of worst case {worstCase} were charged only {status.Spent}.");
        Assert.True(status.Spent <= policy.Limit, $"Spent {status.Spent} > limit {policy.Limit}.");
        Assert.Equal(0m, status.Reserved);

        // The tracker and the ledger agree with the budget, each attempt flagged as estimated.
        Assert.Equal(requests, tracker.History.Count);
        Assert.All(tracker.History, r => Assert.True(r.IsEstimated && r.Outcome == CostOutcome.Failed && !r.HasUsage && r.Total == worstCase));
        Assert.Equal(status.Spent, tracker.GetTotal().Cost);
        Assert.Equal(requests, tracker.GetTotal().EstimatedCalls);
        Assert.Equal(status.Spent, (await ledger.GetTotalAsync()).Cost);
        Assert.Equal(requests, ledger.Count);
    }

    [Fact]
    public async Task AttemptTimeouts_ThroughResilience_ChargeEverySentAttempt()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var hung = FakeResponse.FromExchange(FixtureLoader.Load(Fixture(OpenAIText))[0]) with { DelayBeforeHeaders = Hang };
        for (var i = 0; i < 3; i++)
        {
            server.Enqueue(hung);
        }

        using var stratum = ClientFor(server, "openai");
        var time = new FakeTimeProvider(Noon);
        var policy = BudgetPolicy.Daily(1m);
        var budgets = new BudgetManager([policy], time);
        var tracker = new CostTracker(time);
        var ledger = new InMemoryCostLedger();
        using var client = stratum.GetChatClient(Nano(server)).AsBuilder()
            .UseStratumResilience(o => Timeouts(o, time, retries: 2))
            .UseStratumBudget(budgets)
            .UseStratumCostTracking(tracker, o => o.Ledger = ledger)
            .Build();
        var worstCase = WorstCase(stratum, server);

        var call = client.GetResponseAsync("hi", Options);
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await WaitUntil(() => server.ReceivedRequests.Count >= attempt, $"attempt {attempt} reached the server");
            time.Advance(TimeSpan.FromSeconds(1));
        }

        await Assert.ThrowsAsync<StratumTimeoutException>(() => call.WaitAsync(TimeSpan.FromSeconds(60)));

        var sent = server.ReceivedRequests.Count;
        Assert.Equal(3, sent);
        Assert.Equal((sent * worstCase, 0m), (budgets.GetStatus(policy).Spent, budgets.GetStatus(policy).Reserved));
        Assert.Equal(sent, tracker.History.Count);
        Assert.All(tracker.History, r => Assert.True(r.IsEstimated && r.Total == worstCase, $"{r.IsEstimated} {r.Total}"));
        Assert.Equal(sent * worstCase, (await ledger.GetTotalAsync()).Cost);
    }

    [Fact]
    public async Task AttemptTimeouts_WithASmallBudget_FurtherAttemptsAreRefusedBeforeSending()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var hung = FakeResponse.FromExchange(FixtureLoader.Load(Fixture(OpenAIText))[0]) with { DelayBeforeHeaders = Hang };
        for (var i = 0; i < 4; i++)
        {
            server.Enqueue(hung);
        }

        using var stratum = ClientFor(server, "openai");
        var time = new FakeTimeProvider(Noon);
        var worstCase = WorstCase(stratum, server);
        var policy = BudgetPolicy.Daily(2 * worstCase);
        var budgets = new BudgetManager([policy], time);
        using var client = stratum.GetChatClient(Nano(server)).AsBuilder()
            .UseStratumResilience(o => Timeouts(o, time, retries: 3))
            .UseStratumBudget(budgets)
            .Build();

        var call = client.GetResponseAsync("hi", Options);
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            await WaitUntil(() => server.ReceivedRequests.Count >= attempt, $"attempt {attempt} reached the server");
            time.Advance(TimeSpan.FromSeconds(1));
        }

        // Two timed-out attempts used the budget up: the third is refused, and a refusal is not retried.
        await Assert.ThrowsAsync<BudgetExceededException>(() => call.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(2, server.ReceivedRequests.Count);
        Assert.Equal((2 * worstCase, 0m), (budgets.GetStatus(policy).Spent, budgets.GetStatus(policy).Reserved));
    }

    [Fact]
    public async Task StreamCutBeforeItsFirstUpdate_IsChargedItsReservation_AndRecordedAsEstimated()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchange = FixtureLoader.Load(Fixture(OpenAIStream))[0];
        server.Enqueue(FakeResponse.FromExchange(exchange) with { AbortAfterBodyBytes = 0 });
        using var stratum = ClientFor(server, "openai");
        var policy = BudgetPolicy.Daily(1m);
        var budgets = new BudgetManager([policy], new FakeTimeProvider(Noon));
        var tracker = new CostTracker();
        using var client = stratum.GetChatClient(Nano(server)).AsBuilder().UseStratumBudget(budgets).UseStratumCostTracking(tracker).Build();
        var worstCase = WorstCase(stratum, server);

        await Assert.ThrowsAnyAsync<StratumException>(() => Drain(client.GetStreamingResponseAsync("hi", Options)));

        Assert.Equal((worstCase, 0m), (budgets.GetStatus(policy).Spent, budgets.GetStatus(policy).Reserved));
        var record = Assert.Single(tracker.History);
        Assert.True(record.IsEstimated);
        Assert.Equal(CostOutcome.Failed, record.Outcome);
        Assert.Equal(worstCase, record.Total);
    }

    [Fact]
    public async Task ErrorResponses_ReleaseTheReservation_AndRecordNothing()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(OpenAINotFound));
        server.EnqueueFixture(Fixture(OpenAINotFound));
        using var stratum = ClientFor(server, "openai");
        var policy = BudgetPolicy.Daily(1m);
        var budgets = new BudgetManager([policy], new FakeTimeProvider(Noon));
        var tracker = new CostTracker();
        using var client = stratum.GetChatClient(Nano(server)).AsBuilder().UseStratumBudget(budgets).UseStratumCostTracking(tracker).Build();

        var error = await Assert.ThrowsAsync<StratumModelNotFoundException>(() => client.GetResponseAsync("hi", Options));
        await Assert.ThrowsAsync<StratumModelNotFoundException>(() => Drain(client.GetStreamingResponseAsync("hi", Options)));

        // A 4xx is the provider's refusal: not billed, so nothing is charged or recorded.
        Assert.Equal(System.Net.HttpStatusCode.NotFound, error.StatusCode);
        Assert.Equal(2, server.ReceivedRequests.Count);
        Assert.Equal((0m, 0m), (budgets.GetStatus(policy).Spent, budgets.GetStatus(policy).Reserved));
        Assert.Empty(tracker.History);
    }

    [Fact]
    public async Task ConnectionRefused_AndACallCancelledBeforeSending_ChargeNothing()
    {
        Uri closed;
        await using (var gone = await FakeProviderServer.StartAsync())
        {
            closed = gone.V1();
        }

        await using var server = await FakeProviderServer.StartAsync();
        using var stratum = ClientFor(server, "openai");
        var policy = BudgetPolicy.Daily(1m);
        var budgets = new BudgetManager([policy], new FakeTimeProvider(Noon));
        var tracker = new CostTracker();
        using var closedPort = ClientFor(server, "openai", configure: o => o.Provider("openai").BaseUrl = closed);
        using var toClosedPort = closedPort.GetChatClient(Model("gpt-4.1-nano", Provider("openai", closed), Gpt41NanoPricing))
            .AsBuilder().UseStratumBudget(budgets).UseStratumCostTracking(tracker).Build();
        using var client = stratum.GetChatClient(Nano(server)).AsBuilder().UseStratumBudget(budgets).UseStratumCostTracking(tracker).Build();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAsync<StratumProviderUnavailableException>(() => toClosedPort.GetResponseAsync("hi", Options));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetResponseAsync("hi", Options, cancelled.Token));

        Assert.Empty(server.ReceivedRequests);
        Assert.Equal((0m, 0m), (budgets.GetStatus(policy).Spent, budgets.GetStatus(policy).Reserved));
        Assert.Empty(tracker.History);
    }

    [Fact]
    public async Task CostTrackingWithoutABudget_RecordsACancelledSentCallAtTheSameWorstCaseABudgetWouldCharge()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.FromExchange(FixtureLoader.Load(Fixture(OpenAIText))[0]) with { DelayBeforeHeaders = Hang });
        using var stratum = ClientFor(server, "openai");
        var tracker = new CostTracker();
        using var client = stratum.GetChatClient(Nano(server)).AsBuilder().UseStratumCostTracking(tracker).Build();
        using var giveUp = new CancellationTokenSource();

        var call = client.GetResponseAsync("hi", Options, giveUp.Token);
        await WaitUntil(() => server.ReceivedRequests.Count == 1, "the request reached the server");
        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(TimeSpan.FromSeconds(60)));

        var record = Assert.Single(tracker.History);
        Assert.True(record.IsEstimated);
        Assert.True(record.IsPriced);
        Assert.Equal(WorstCase(stratum, server), record.Total);
        Assert.Equal("gpt-4.1-nano", record.ModelId);
        Assert.Equal("openai", record.ProviderId);
    }

    [Fact]
    public async Task AnInnerClientThatIsNotAStratumDialect_IsChargedWhenCancelled_AndReleasedOnOtherFailures()
    {
        var model = Model("gpt-4o", Provider("openai"), Gpt4oPricing);
        var policy = BudgetPolicy.Daily(1m);
        var budgets = new BudgetManager([policy], new FakeTimeProvider(Noon));
        var tracker = new CostTracker();
        var inner = new ScriptedChatClient(model)
        {
            Script = n => new ScriptedChatClient.Outcome(null, n == 0 ? new TaskCanceledException("gave up") : new StratumServerErrorException("refused"), Updates: 0),
        };
        using var client = inner.AsBuilder().UseStratumBudget(budgets).UseStratumCostTracking(tracker).Build();
        var worstCase = client.GetService<BudgetChatClient>()!.Estimate([new ChatMessage(ChatRole.User, "hi")], Options).Cost;

        // Whether such a client sent anything is unknown: a cancellation may come after the request left, so it is charged.
        await Assert.ThrowsAsync<TaskCanceledException>(() => client.GetResponseAsync("hi", Options));
        await Assert.ThrowsAsync<StratumServerErrorException>(() => client.GetResponseAsync("hi", Options));

        Assert.Equal((worstCase, 0m), (budgets.GetStatus(policy).Spent, budgets.GetStatus(policy).Reserved));
        var record = Assert.Single(tracker.History);
        Assert.True(record.IsEstimated);
        Assert.Equal(worstCase, record.Total);
    }

    private static void Timeouts(StratumResilienceOptions options, TimeProvider time, int retries)
    {
        options.TimeProvider = time;
        options.AttemptTimeout = TimeSpan.FromSeconds(1);
        options.MaxRetryAttempts = retries;
        options.RetryTimeouts = true;
        options.BaseDelay = TimeSpan.Zero;
        options.EnableCircuitBreaker = false;
    }

    private static decimal WorstCase(StratumClient stratum, FakeProviderServer server)
    {
        using var budget = new BudgetChatClient(stratum.GetChatClient(Nano(server)), new BudgetManager([]));
        return budget.Estimate([new ChatMessage(ChatRole.User, "hi")], Options).Cost;
    }

    private static async Task Drain(IAsyncEnumerable<ChatResponseUpdate> updates)
    {
        await foreach (var update in updates)
        {
            Assert.NotNull(update);
        }
    }

    /// <summary>A bounded wait on the real server: fails only when the condition never comes (a hang), never on timing.</summary>
    private static async Task WaitUntil(Func<bool> condition, string what, [CallerArgumentExpression(nameof(condition))] string? expression = null)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Not reached within 60 s: {what} ({expression}).");
            await Task.Delay(10);
        }
    }

    private static ModelInfo Nano(FakeProviderServer server) => Model("gpt-4.1-nano", Provider("openai", server.V1()), Gpt41NanoPricing);
}
