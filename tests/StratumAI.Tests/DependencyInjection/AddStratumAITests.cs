using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StratumAI.Testing;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.DependencyInjection;

public sealed class AddStratumAITests
{
    private const string OkBody = """{"id":"chatcmpl-di","object":"chat.completion","created":1700000000,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"from di"},"finish_reason":"stop"}],"usage":{"prompt_tokens":4,"completion_tokens":2,"total_tokens":6}}""";

    private static IConfiguration Config(Dictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    [Fact]
    public void Configuration_BindsProvidersTimeoutAndDefaultModel()
    {
        var services = new ServiceCollection();
        services.AddStratumAI(Config(new()
        {
            ["StratumAI:Providers:openai:ApiKey"] = CanaryKey,
            ["StratumAI:Providers:openai:BaseUrl"] = "http://127.0.0.1:9/v1",
            ["StratumAI:Providers:openai:Headers:OpenAI-Project"] = "proj_1",
            ["StratumAI:Providers:deepseek:ApiKey"] = "sk-deepseek",
            ["StratumAI:Timeout"] = "00:00:42",
            ["StratumAI:DefaultModel"] = "gpt-4o",
        }));
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<StratumClientOptions>>().Value;

        Assert.Equal(CanaryKey, options.Providers["openai"].ApiKey);
        Assert.Equal(new Uri("http://127.0.0.1:9/v1"), options.Providers["OpenAI"].BaseUrl);
        Assert.Equal("proj_1", options.Providers["openai"].Headers["openai-project"]);
        Assert.Equal("sk-deepseek", options.Providers["deepseek"].ApiKey);
        Assert.Equal(TimeSpan.FromSeconds(42), options.Timeout);
        Assert.Equal("gpt-4o", options.DefaultModel);
        Assert.Same(ModelRegistry.Default, options.Models);
        Assert.DoesNotContain(CanaryKey, options.ToString());
    }

    [Fact]
    public void Configuration_TheSectionItselfWorksToo()
    {
        var services = new ServiceCollection();
        services.AddStratumAI(Config(new() { ["Providers:groq:ApiKey"] = "gsk-1" }));
        using var provider = services.BuildServiceProvider();

        Assert.Equal("gsk-1", provider.GetRequiredService<IOptions<StratumClientOptions>>().Value.Providers["groq"].ApiKey);
    }

    [Fact]
    public async Task ConfiguredClient_CallsThroughTheNamedHttpClientWithTheConfiguredKey()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json(OkBody));
        var services = new ServiceCollection();
        services.AddStratumAI(Config(new()
        {
            ["StratumAI:Providers:openai:ApiKey"] = CanaryKey,
            ["StratumAI:Providers:openai:BaseUrl"] = server.V1().ToString(),
        }));
        services.AddHttpClient(StratumServiceCollectionExtensions.HttpClientName)
            .ConfigureHttpClient(http => http.DefaultRequestHeaders.Add("X-Via-Factory", "yes"));
        using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<StratumClient>();
        var model = Model("gpt-4o", Provider("openai"), Gpt4oPricing);

        var response = await client.GetResponseAsync(model, "hi");

        Assert.Same(client, provider.GetRequiredService<StratumClient>());
        Assert.Equal("from di", response.Text);
        var request = server.ReceivedRequests.Single();
        Assert.Equal($"Bearer {CanaryKey}", request.GetHeader("Authorization"));
        Assert.Equal("yes", request.GetHeader("X-Via-Factory"));
        Assert.Null(provider.GetService<IChatClient>());
    }

    [Fact]
    public async Task DefaultModel_RegistersAnIChatClientForIt()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Json(OkBody));
        var registry = new ModelRegistry();
        var model = Model("gpt-4o", Provider("openai"), Gpt4oPricing);
        registry.Register([model]);
        var services = new ServiceCollection();
        services.AddStratumAI(options =>
        {
            options.Models = registry;
            options.DefaultModel = "gpt-4o";
            options.Provider("openai").ApiKey = CanaryKey;
            options.Provider("openai").BaseUrl = server.V1();
        });

        ChatResponse response;
        using (var provider = services.BuildServiceProvider())
        {
            var chat = provider.GetRequiredService<IChatClient>();
            response = await chat.GetResponseAsync("hi");
            Assert.Same(model, chat.GetService<ModelInfo>());
        }

        Assert.Equal("from di", response.Text);
        Assert.Same(model, response.GetModelInfo());
        // 4 × 2.50 / 1M = 0.00001; 2 × 10 / 1M = 0.00002.
        Assert.Equal(0.00003m, response.GetCost()!.Total);
    }

    [Fact]
    public void NoDefaultModel_RegistersNoIChatClient()
    {
        var services = new ServiceCollection();
        services.AddStratumAI(options => options.Provider("openai").ApiKey = CanaryKey);
        using var provider = services.BuildServiceProvider();

        Assert.Null(provider.GetService<IChatClient>());
        Assert.NotNull(provider.GetService<StratumClient>());
    }

    [Fact]
    public async Task Pipeline_IsBuiltWithTheContainersServices()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("openai/chat__pydantic-ai__test_openai_instructions.yaml"));
        var registry = new ModelRegistry();
        registry.Register([Model("gpt-4o", Provider("openai"), Gpt4oPricing)]);
        var services = new ServiceCollection();
        services.AddSingleton(new CostTracker());
        services.AddStratumAI(options =>
        {
            options.Models = registry;
            options.DefaultModel = "gpt-4o";
            options.Provider("openai").ApiKey = CanaryKey;
            options.Provider("openai").BaseUrl = server.V1();
            options.Pipeline = builder => builder.Use((inner, container) => new CostTrackingChatClient(inner, container.GetRequiredService<CostTracker>()));
        });

        using var provider = services.BuildServiceProvider();
        var response = await provider.GetRequiredService<IChatClient>().GetResponseAsync("What is the capital of France?");

        var record = Assert.Single(provider.GetRequiredService<CostTracker>().History);
        Assert.Equal(response.GetCost()!.Total, record.Total);
        Assert.Equal("gpt-4o", record.ModelId);
    }
}
