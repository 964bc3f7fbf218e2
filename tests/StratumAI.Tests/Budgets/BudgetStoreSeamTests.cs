using System.Collections.Concurrent;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.Budgets;

/// <summary>
/// The seam a shared store plugs into (StratumAI.Redis implements it): the manager decides the windows and per-call limits,
/// the store reserves and completes by id, and the middleware awaits it — refusing before sending when the store cannot
/// be reached.
/// </summary>
public sealed class BudgetStoreSeamTests
{
    private static readonly DateTimeOffset Noon = new(2026, 12, 8, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task ACall_ReservesTheWindowsOfEveryCoveringPolicyInTheStore_SettlesByIdToItsCost_AndRaisesTheStoresAlerts()
    {
        var model = Model("gpt-4o", Provider("openai"), Gpt4oPricing);
        var inner = new ScriptedChatClient(model);
        var daily = BudgetPolicy.Daily(10m);
        var perUser = new BudgetPolicy(BudgetScope.EachCaller, BudgetPeriod.Month, 1m);
        var untagged = new BudgetPolicy(BudgetScope.Tag("other"), BudgetPeriod.Day, 1m);
        var store = new RecordingStore { AlertOnSettle = true };
        var budgets = new BudgetManager([daily, perUser, untagged, BudgetPolicy.PerCall(5m)], store, new FakeTimeProvider(Noon));
        var alerts = new List<BudgetAlert>();
        budgets.AlertRaised += (_, e) => alerts.Add(e.Alert);
        using var client = inner.AsBuilder().UseStratumBudget(budgets).Build();

        await client.GetResponseAsync("hi", new ChatOptions { MaxOutputTokens = 100 }.WithCaller("u1"));

        var (id, windows, amount) = Assert.Single(store.Reserved);
        Assert.Equal([daily, perUser], windows.Select(w => w.Policy));
        Assert.Equal(new BudgetWindow(daily, null, new DateTimeOffset(2026, 12, 8, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 9, 0, 0, 0, TimeSpan.Zero)), windows[0]);
        Assert.Equal("u1", windows[1].ScopeKey);
        var settled = Assert.Single(store.Settled);
        Assert.Equal(id, settled.Id);
        Assert.Equal(amount, settled.Amount);
        Assert.Equal(CostCalculator.Calculate(model.Pricing, new UsageDetails { InputTokenCount = 100, OutputTokenCount = 10 }).Total, settled.Actual);
        Assert.Empty(store.Released);
        Assert.Equal(0.5m, Assert.Single(alerts).Threshold);
    }

    [Fact]
    public async Task AStoreThatCannotBeReached_RefusesTheCallBeforeItIsSent()
    {
        var inner = new ScriptedChatClient(Model("gpt-4o", Provider("openai"), Gpt4oPricing));
        var store = new RecordingStore { Unavailable = true };
        var budgets = new BudgetManager([BudgetPolicy.Daily(10m)], store, new FakeTimeProvider(Noon));
        using var client = inner.AsBuilder().UseStratumBudget(budgets).Build();

        var error = await Assert.ThrowsAsync<BudgetStoreUnavailableException>(() => client.GetResponseAsync("hi"));

        Assert.Equal("test store", error.StoreName);
        Assert.True(error.IsRetryable);
        Assert.IsNotType<BudgetExceededException>(error, exactMatch: false);
        Assert.Equal(0, inner.Calls);
    }

    [Fact]
    public async Task APerCallLimit_RefusesWithoutAskingTheStore_AndAFailedUnsentCallIsReleased()
    {
        var inner = new ScriptedChatClient(Model("gpt-4o", Provider("openai"), Gpt4oPricing))
        {
            Script = _ => new ScriptedChatClient.Outcome(null, Error: new StratumServerErrorException("upstream 500")),
        };
        var store = new RecordingStore();
        var budgets = new BudgetManager([BudgetPolicy.Daily(10m), BudgetPolicy.PerCall(0.001m)], store, new FakeTimeProvider(Noon));
        using var client = inner.AsBuilder().UseStratumBudget(budgets).Build();

        await Assert.ThrowsAsync<BudgetExceededException>(() => client.GetResponseAsync("hi", new ChatOptions { MaxOutputTokens = 10_000 }));
        Assert.Empty(store.Reserved);

        await Assert.ThrowsAsync<StratumServerErrorException>(() => client.GetResponseAsync("hi", new ChatOptions { MaxOutputTokens = 10 }));
        var reserved = Assert.Single(store.Reserved);
        Assert.Equal(reserved.Id, Assert.Single(store.Released));
        Assert.Empty(store.Settled);
    }

    private sealed class RecordingStore : IBudgetStore
    {
        public bool Unavailable { get; init; }

        public bool AlertOnSettle { get; init; }

        public ConcurrentQueue<(string Id, IReadOnlyList<BudgetWindow> Windows, decimal Amount)> Reserved { get; } = new();

        public ConcurrentQueue<(string Id, decimal Amount, decimal Actual)> Settled { get; } = new();

        public ConcurrentQueue<string> Released { get; } = new();

        public string Name => "test store";

        public ValueTask<BudgetStatus?> ReserveAsync(string reservationId, IReadOnlyList<BudgetWindow> windows, decimal amount, CancellationToken cancellationToken)
        {
            if (Unavailable)
            {
                throw new BudgetStoreUnavailableException("The budget store test store cannot be reached.") { StoreName = Name };
            }

            Reserved.Enqueue((reservationId, windows, amount));
            return new((BudgetStatus?)null);
        }

        public ValueTask<IReadOnlyList<BudgetAlert>> SettleAsync(string reservationId, IReadOnlyList<BudgetWindow> windows, decimal amount, decimal actualCost)
        {
            Settled.Enqueue((reservationId, amount, actualCost));
            var window = windows[0];
            IReadOnlyList<BudgetAlert> alerts = AlertOnSettle ? [new BudgetAlert(window.Policy, window.ScopeKey, window.Start, window.End, 0.5m, actualCost)] : [];
            return new(alerts);
        }

        public ValueTask ReleaseAsync(string reservationId, IReadOnlyList<BudgetWindow> windows, decimal amount)
        {
            Released.Enqueue(reservationId);
            return default;
        }

        public ValueTask<IReadOnlyList<BudgetAlert>> ChargeAsync(IReadOnlyList<BudgetWindow> windows, decimal cost, CancellationToken cancellationToken) => new([]);

        public ValueTask<BudgetStatus> GetStatusAsync(BudgetWindow window, CancellationToken cancellationToken) =>
            new(new BudgetStatus(window.Policy, window.ScopeKey, window.Start, window.End, 0m, 0m));
    }
}
