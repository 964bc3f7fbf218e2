using System.Reflection;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.Core;

/// <summary>
/// Every StratumAI middleware is added the way Microsoft.Extensions.AI adds its own: <c>UseStratumXxx</c> on
/// <see cref="ChatClientBuilder"/>, in an <c>XxxChatClientBuilderExtensions</c> class of namespace <c>StratumAI</c>, whose
/// <c>configure</c> sets an options object the client then exposes.
/// </summary>
public sealed class MiddlewareBuilderExtensionsTests
{
    private static readonly MethodInfo[] BuilderExtensions = typeof(StratumClient).Assembly.GetExportedTypes()
        .Where(type => type.IsAbstract && type.IsSealed)
        .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.Static))
        .Where(method => method.IsDefined(typeof(System.Runtime.CompilerServices.ExtensionAttribute)) && method.GetParameters()[0].ParameterType == typeof(ChatClientBuilder))
        .ToArray();

    [Fact]
    public void EveryBuilderExtension_IsUseStratumSomething_InAChatClientBuilderExtensionsClassOfTheRootNamespace()
    {
        Assert.NotEmpty(BuilderExtensions);
        Assert.All(BuilderExtensions, method =>
        {
            Assert.StartsWith("UseStratum", method.Name, StringComparison.Ordinal);
            Assert.Equal("StratumAI", method.DeclaringType!.Namespace);
            Assert.EndsWith("ChatClientBuilderExtensions", method.DeclaringType.Name, StringComparison.Ordinal);
        });
        Assert.Equal(
            ["UseStratumBudget", "UseStratumCache", "UseStratumCostTracking", "UseStratumFallbacks", "UseStratumRateLimits", "UseStratumResilience", "UseStratumRouter", "UseStratumTelemetry"],
            BuilderExtensions.Select(method => method.Name).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void EveryEmbeddingBuilderExtension_IsUseStratumSomething_UnderTheChatName_InOneClassOfTheRootNamespace()
    {
        var embedding = typeof(StratumClient).Assembly.GetExportedTypes()
            .Where(type => type.IsAbstract && type.IsSealed)
            .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.Static))
            .Where(method => method.IsDefined(typeof(System.Runtime.CompilerServices.ExtensionAttribute))
                && method.GetParameters()[0].ParameterType == typeof(EmbeddingGeneratorBuilder<string, Embedding<float>>))
            .ToArray();

        Assert.All(embedding, method =>
        {
            Assert.Equal("StratumAI", method.DeclaringType!.Namespace);
            Assert.Equal("StratumEmbeddingGeneratorBuilderExtensions", method.DeclaringType.Name);
        });

        // The money middleware, the cache and telemetry, named as for chat.
        var names = embedding.Select(method => method.Name).Distinct().Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["UseStratumBudget", "UseStratumCache", "UseStratumCostTracking", "UseStratumTelemetry"], names);
        Assert.Subset(BuilderExtensions.Select(method => method.Name).ToHashSet(), names.ToHashSet());
    }

    [Fact]
    public void EveryConfigure_SetsAnOptionsObject_NeverTheClient()
    {
        var configures = BuilderExtensions.SelectMany(method => method.GetParameters().Where(parameter => parameter.Name == "configure")).ToArray();

        Assert.NotEmpty(configures);
        Assert.All(configures, parameter =>
        {
            Assert.True(parameter.ParameterType.IsGenericType && parameter.ParameterType.GetGenericTypeDefinition() == typeof(Action<>), parameter.Member.Name);
            var configured = parameter.ParameterType.GetGenericArguments()[0];
            Assert.EndsWith("Options", configured.Name, StringComparison.Ordinal);
            Assert.False(typeof(IChatClient).IsAssignableFrom(configured), $"{parameter.Member.Name} configures {configured.Name}, a client");
        });
    }

    [Fact]
    public void EachConfigure_ReachesTheClientItBuilds()
    {
        var budgets = new BudgetManager([BudgetPolicy.Daily(1m)]);
        var tracker = new CostTracker();
        var ledger = new InMemoryCostLedger();
        IDistributedCache store = new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions()));
        using var inner = new Budgets.ScriptedChatClient(Model("gpt-4o", Provider("openai"), Gpt4oPricing));

        using var client = inner.AsBuilder()
            .UseStratumCache(store, o => o.CacheEveryCall = true)
            .UseStratumTelemetry(o => o.SourceName = "StratumAI.Tests.Builder")
            .UseStratumBudget(budgets, o => (o.DefaultCaller, o.TokensPerAttachment) = ("svc", 10))
            .UseStratumCostTracking(tracker, o => (o.DefaultCaller, o.Ledger) = ("svc", ledger))
            .Build();

        Assert.True(client.GetService<ResponseCacheChatClient>()!.Options.CacheEveryCall);
        Assert.Equal("StratumAI.Tests.Builder", client.GetService<TelemetryChatClient>()!.SourceName);
        var budget = client.GetService<BudgetChatClient>()!;
        Assert.Same(budgets, budget.Budgets);
        Assert.Equal(("svc", 10), (budget.Options.DefaultCaller, budget.Options.TokensPerAttachment));
        var tracking = client.GetService<CostTrackingChatClient>()!;
        Assert.Same(tracker, tracking.Tracker);
        Assert.Equal("svc", tracking.Options.DefaultCaller);
        Assert.Same(ledger, tracking.Options.Ledger);
    }

    [Fact]
    public void UseStratumCostTracking_WithoutATracker_TakesTrackerAndLedgerFromTheServices_WithATracker_TakesNothingFromThem()
    {
        var registeredTracker = new CostTracker();
        var registeredLedger = new InMemoryCostLedger();
        using var services = new ServiceCollection().AddSingleton(registeredTracker).AddSingleton<ICostLedger>(registeredLedger).BuildServiceProvider();
        using var inner = new Budgets.ScriptedChatClient(Model("gpt-4o", Provider("openai"), Gpt4oPricing));

        using var fromServices = inner.AsBuilder().UseStratumCostTracking().Build(services);
        var mine = new CostTracker();
        using var given = inner.AsBuilder().UseStratumCostTracking(mine).Build(services);

        var registered = fromServices.GetService<CostTrackingChatClient>()!;
        Assert.Same(registeredTracker, registered.Tracker);
        Assert.Same(registeredLedger, registered.Options.Ledger);
        var explicitTracker = given.GetService<CostTrackingChatClient>()!;
        Assert.Same(mine, explicitTracker.Tracker);
        Assert.Null(explicitTracker.Options.Ledger);
    }

    [Fact]
    public void UseStratumBudget_WithoutALogger_TakesOneFromTheServices_AndGivesItToTheManager()
    {
        var budgets = new BudgetManager([BudgetPolicy.Daily(1m)]);
        using var services = new ServiceCollection().AddLogging().BuildServiceProvider();
        using var inner = new Budgets.ScriptedChatClient(Model("gpt-4o", Provider("openai"), Gpt4oPricing));

        using var client = inner.AsBuilder().UseStratumBudget(budgets).Build(services);

        var logger = client.GetService<BudgetChatClient>()!.Options.Logger;
        Assert.NotNull(logger);
        Assert.Same(logger, budgets.Logger);
    }
}
