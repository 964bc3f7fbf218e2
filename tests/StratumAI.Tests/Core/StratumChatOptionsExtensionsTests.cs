using Microsoft.Extensions.AI;
using StratumAI.Tests.Caching;

namespace StratumAI.Tests.Core;

/// <summary>The typed per-call settings: what they write, what they read back, and that the middleware honour them.</summary>
public sealed class StratumChatOptionsExtensionsTests
{
    [Fact]
    public void EachSetting_IsWrittenUnderItsKey_AndReadBack_OnTheSameOptions()
    {
        var options = new ChatOptions();

        var returned = options.WithTags("reports", "nightly").WithCaller("user-7").WithCacheTtl(TimeSpan.FromMinutes(5)).WithCache(true);

        Assert.Same(options, returned);
        Assert.Equal(["reports", "nightly"], options.GetTags());
        Assert.Equal("user-7", options.GetCaller());
        Assert.Equal(TimeSpan.FromMinutes(5), options.GetCacheTtl());
        Assert.True(options.GetCacheEnabled());
        Assert.Equal(
            [StratumOptionKeys.CacheEnabled, StratumOptionKeys.CacheTtl, StratumOptionKeys.Caller, StratumOptionKeys.Tags],
            options.AdditionalProperties!.Keys.Order(StringComparer.Ordinal));
        Assert.All(options.AdditionalProperties.Keys, key => Assert.True(StratumOptionKeys.IsStratumKey(key)));
    }

    [Fact]
    public void Readers_OnNullOrEmptyOptions_ReturnNoSetting()
    {
        ChatOptions? none = null;

        Assert.Empty(none.GetTags());
        Assert.Null(none.GetCaller());
        Assert.Null(none.GetCacheTtl());
        Assert.Null(none.GetCacheEnabled());
        Assert.Null(none.GetCallContext());
        Assert.Empty(new ChatOptions().GetTags());
        Assert.Null(new ChatOptions().GetCaller());
    }

    [Fact]
    public void Readers_AcceptValuesWrittenByHand_AndIgnoreValuesOfAnotherType()
    {
        var byHand = new ChatOptions
        {
            AdditionalProperties = new()
            {
                [StratumOptionKeys.Tags] = new List<string> { "a", "b" },
                [StratumOptionKeys.Caller] = 42,
                [StratumOptionKeys.CacheTtl] = "10 minutes",
                [StratumOptionKeys.CacheEnabled] = "yes",
            },
        };

        Assert.Equal(["a", "b"], byHand.GetTags());
        Assert.Null(byHand.GetCaller());
        Assert.Null(byHand.GetCacheTtl());
        Assert.Null(byHand.GetCacheEnabled());
    }

    [Fact]
    public void Writers_RefuseWhatNoMiddlewareCouldUse()
    {
        var options = new ChatOptions();

        Assert.Throws<ArgumentNullException>(() => ((ChatOptions)null!).WithTags("x"));
        Assert.Throws<ArgumentNullException>(() => options.WithTags(null!));
        Assert.Throws<ArgumentNullException>(() => options.WithCaller(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => options.WithCacheTtl(TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => options.WithCacheTtl(TimeSpan.FromSeconds(-1)));
        Assert.Null(options.AdditionalProperties);
    }

    [Fact]
    public void IsStratumKey_IsTrueOnlyForTheStratumPrefix()
    {
        Assert.True(StratumOptionKeys.IsStratumKey("stratum.anything"));
        Assert.False(StratumOptionKeys.IsStratumKey("strictJsonSchema"));
        Assert.False(StratumOptionKeys.IsStratumKey("Stratum.tags"));
        Assert.False(StratumOptionKeys.IsStratumKey(null!));
    }

    [Fact]
    public async Task TheCache_HonoursWithCacheTtl_AndWithCacheFalse_AndLeavesTheSettingsOutOfItsKey()
    {
        var inner = new ScriptedChatClient();
        using var cache = CacheTestKit.NewCacheClient(inner, Store.Distributed);

        await cache.GetResponseAsync("Summarize: x", new ChatOptions { ModelId = "m" }.WithCacheTtl(TimeSpan.FromMinutes(5)).WithCaller("a"));
        var hit = await cache.GetResponseAsync("Summarize: x", new ChatOptions { ModelId = "m" }.WithCacheTtl(TimeSpan.FromMinutes(5)).WithCaller("b").WithTags("t"));
        var bypassed = await cache.GetResponseAsync("Summarize: x", new ChatOptions { ModelId = "m" }.WithCacheTtl(TimeSpan.FromMinutes(5)).WithCache(false));

        Assert.True(hit.IsCacheHit());
        Assert.False(bypassed.IsCacheHit());
        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public async Task CostTrackingAndTheBudget_RecordTheTypedTagsAndCaller()
    {
        var model = TestCatalog.Model("gpt-4o", TestCatalog.Provider("openai"), TestCatalog.Gpt4oPricing);
        var tracker = new CostTracker();
        var perCaller = new BudgetPolicy(BudgetScope.Caller("user-7"), BudgetPeriod.Day, 1m);
        var perTag = new BudgetPolicy(BudgetScope.Tag("reports"), BudgetPeriod.Day, 1m);
        var budgets = new BudgetManager([perCaller, perTag]);
        using var client = new Budgets.ScriptedChatClient(model).AsBuilder().UseStratumBudget(budgets).UseStratumCostTracking(tracker).Build();

        await client.GetResponseAsync("hi", new ChatOptions().WithTags("reports").WithCaller("user-7"));

        var record = Assert.Single(tracker.History);
        Assert.Equal(["reports"], record.Tags);
        Assert.Equal("user-7", record.Caller);
        Assert.Equal(record.Total, budgets.GetStatus(perCaller, "user-7").Spent);
        Assert.Equal(record.Total, budgets.GetStatus(perTag).Spent);
        Assert.True(record.Total > 0m);
    }
}
