using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;
using StratumAI.Testing;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.Budgets;

/// <summary>The proof that budgets cannot be overrun: many concurrent calls against a small limit.</summary>
public sealed class BudgetConcurrencyTests
{
    private const int Calls = 1_000;

    private static readonly DateTimeOffset Noon = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task ThousandConcurrentCalls_AgainstARecordedOpenAIServer_NeverSpendMoreThanTheLimit_AndTrackerAndLedgerMatchExactly()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchange = FixtureLoader.Load(Fixture("openai/chat__vercel-ai-openai__openai-text.json"))[0];
        for (var i = 0; i < Calls; i++)
        {
            server.Enqueue(exchange);
        }

        using var stratum = ClientFor(server, "openai");
        var model = Model("gpt-4.1-nano", Provider("openai", server.V1()), Gpt41NanoPricing);
        var policy = BudgetPolicy.Daily(0.002m);
        var budgets = new BudgetManager([policy], new FakeTimeProvider(Noon));
        var tracker = new CostTracker();
        var ledger = new InMemoryCostLedger();
        using var client = stratum.GetChatClient(model).AsBuilder().UseStratumBudget(budgets).UseStratumCostTracking(tracker, o => o.Ledger = ledger).Build();
        var options = new ChatOptions { MaxOutputTokens = 500 };
        var worstCase = client.GetService<BudgetChatClient>()!.Estimate([new ChatMessage(ChatRole.User, "hi")], options).Cost;

        var outcomes = await Task.WhenAll(Enumerable.Range(0, Calls).Select(_ => Task.Run(async () =>
        {
            try
            {
                await client.GetResponseAsync("hi", options);
                return true;
            }
            catch (BudgetExceededException)
            {
                return false;
            }
        })));

        var admitted = outcomes.Count(ok => ok);
        var status = budgets.GetStatus(policy);

        // Never over the limit, nothing left reserved, and every admitted call cost exactly the recorded response.
        Assert.True(status.Spent <= policy.Limit, $"Spent {status.Spent} > limit {policy.Limit}.");
        Assert.Equal(0m, status.Reserved);
        Assert.Equal(admitted * 0.0001468m, status.Spent);

        // The tracker's and the ledger's totals are exactly the settled spend; refused calls never reached the server or the tracker.
        Assert.Equal(status.Spent, tracker.GetTotal().Cost);
        Assert.Equal(tracker.GetTotal().Cost, (await ledger.GetTotalAsync()).Cost);
        Assert.Equal(admitted, ledger.Count);
        Assert.Equal(admitted, tracker.GetTotal().Calls);
        Assert.Equal(admitted, server.ReceivedRequests.Count);

        // Refusals happened, and only once spent + reserved left no room for another worst case.
        Assert.True(admitted < Calls);
        Assert.True(admitted >= (int)(policy.Limit / worstCase), $"Only {admitted} calls were admitted; the worst case is {worstCase}.");
    }

    [Fact]
    public async Task ThousandConcurrentMixedCalls_WithBilledAndUnbilledFailuresAndStreams_SpendExactlyWhatTrackerAndLedgerRecord()
    {
        var model = Model("gpt-4o", Provider("openai"), Gpt4oPricing);
        var inner = new ScriptedChatClient(model) { Script = Outcome };
        var daily = BudgetPolicy.Daily(0.25m);
        var perUser = new BudgetPolicy(BudgetScope.EachCaller, BudgetPeriod.Day, 0.05m);
        var budgets = new BudgetManager([daily, perUser], new FakeTimeProvider(Noon));
        var tracker = new CostTracker();
        var ledger = new InMemoryCostLedger();
        using var client = inner.AsBuilder().UseStratumBudget(budgets).UseStratumCostTracking(tracker, o => o.Ledger = ledger).Build();
        var refused = 0;

        await Task.WhenAll(Enumerable.Range(0, Calls).Select(i => Task.Run(async () =>
        {
            var options = new ChatOptions
            {
                MaxOutputTokens = 400,
                AdditionalProperties = new() { [StratumOptionKeys.Caller] = "user" + (i % 7) },
            };
            try
            {
                if (i % 2 == 0)
                {
                    await client.GetResponseAsync("hi", options);
                }
                else
                {
                    await foreach (var update in client.GetStreamingResponseAsync("hi", options))
                    {
                        Assert.NotNull(update);
                    }
                }
            }
            catch (BudgetExceededException)
            {
                Interlocked.Increment(ref refused);
            }
            catch (StratumServerErrorException ex)
            {
                Assert.Equal("scripted", ex.Message);
            }
        })));

        var total = budgets.GetStatus(daily);
        Assert.True(total.Spent <= daily.Limit, $"Spent {total.Spent} > limit {daily.Limit}.");
        Assert.Equal(0m, total.Reserved);
        Assert.Equal(total.Spent, tracker.GetTotal().Cost);
        Assert.Equal(tracker.GetTotal().Cost, (await ledger.GetTotalAsync()).Cost);
        Assert.Equal(tracker.History.Count, ledger.Count);
        Assert.True(refused > 0);
        Assert.Equal(Calls - refused, inner.Calls);
        foreach (var (caller, totals) in tracker.GetTotalsByCaller())
        {
            var user = budgets.GetStatus(perUser, caller);
            Assert.True(user.Spent <= perUser.Limit, $"{caller} spent {user.Spent} > {perUser.Limit}.");
            Assert.Equal(user.Spent, totals.Cost);
        }
    }

    /// <summary>Varied usage; every fifth call fails after billing (UsageSoFar), every seventh fails before billing.</summary>
    private static ScriptedChatClient.Outcome Outcome(int n)
    {
        var usage = new UsageDetails
        {
            InputTokenCount = 20 + (n % 37),
            CachedInputTokenCount = n % 3 == 0 ? 8 : 0,
            OutputTokenCount = 1 + (n * 13 % 390),
        };
        if (n % 7 == 0)
        {
            return new ScriptedChatClient.Outcome(null, new StratumServerErrorException("scripted"), Updates: 0);
        }

        return n % 5 == 0
            ? new ScriptedChatClient.Outcome(null, new StratumServerErrorException("scripted") { UsageSoFar = usage })
            : new ScriptedChatClient.Outcome(usage);
    }
}
