using System.Net.Sockets;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StratumAI.Testing;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.Security;

/// <summary>
/// Credentials never cross the network over plain HTTP by accident: <c>http://</c> to a host that is not loopback is refused
/// before anything is sent, unless the options or the catalog allow it. "Remote" hosts reach the fake server through a
/// connect callback that dials 127.0.0.1, so the whole HTTP stack runs and no name is ever resolved.
/// </summary>
public sealed class PlainHttpTests
{
    private const string OpenAIText = "openai/chat__vercel-ai-openai__openai-text.json";

    private static ModelInfo AcmeModel(ProviderInfo provider) => Model("acme-1", provider, Gpt4oPricing);

    /// <summary>An HTTP client whose every connection, whatever the URL's host, goes to the fake server.</summary>
    private static HttpClient RedirectedTo(FakeProviderServer server) => new(RedirectingHandler(server)) { Timeout = Timeout.InfiniteTimeSpan };

    private static SocketsHttpHandler RedirectingHandler(FakeProviderServer server) => new()
    {
        ConnectCallback = async (_, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(server.ListeningEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    private static Uri At(FakeProviderServer server, string host) => new($"http://{host}:{server.ListeningEndPoint.Port}/v1/");

    public static TheoryData<string> RemoteHttpUrls() => new()
    {
        "http://api.example.com/v1/",
        "http://10.0.0.7:8000/v1",
        "http://0.0.0.0:8000/v1",
        "http://[2001:db8::1]:8000/v1",
        "http://localhost.example.com/v1",
        "HTTP://API.EXAMPLE.COM/v1",
    };

    [Theory]
    [MemberData(nameof(RemoteHttpUrls))]
    public async Task KeyOverPlainHttpToARemoteHost_IsRefusedBeforeAnythingIsSent(string baseUrl)
    {
        using var handler = new CountingHandler();
        var options = new StratumClientOptions { Models = new ModelRegistry() };
        options.Provider("acme").ApiKey = CanaryKey;
        options.Provider("acme").BaseUrl = new Uri(baseUrl);
        using var client = new StratumClient(options, new HttpClient(handler));
        var model = AcmeModel(Provider("acme"));

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => client.GetResponseAsync(model, "hi"));

        Assert.Equal(0, handler.Sent);
        Assert.Contains("'acme'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("plain HTTP", ex.Message, StringComparison.Ordinal);
        Assert.Contains("nothing was sent", ex.Message, StringComparison.Ordinal);
        Assert.Contains("StratumAI:Providers:acme:AllowInsecureHttp", ex.Message, StringComparison.Ordinal);
        Assert.Contains("allow_insecure_http: true", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(CanaryKey, ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeyFromTheEnvironmentOverPlainHttpFromTheCatalog_IsRefusedEverywhereACallStarts()
    {
        var variable = "STRATUM_TEST_KEY_" + Guid.NewGuid().ToString("N").ToUpperInvariant();
        Environment.SetEnvironmentVariable(variable, CanaryKey);
        try
        {
            using var handler = new CountingHandler();
            var model = AcmeModel(Provider("acme", baseUrl: new Uri("http://api.example.com/v1/"), apiKeyEnv: variable));
            var registry = new ModelRegistry();
            registry.Register([model]);
            using var direct = new StratumClient(new StratumClientOptions { Models = registry }, new HttpClient(handler));
            using var piped = new StratumClient(new StratumClientOptions { Models = registry, Pipeline = static _ => { } }, new HttpClient(handler));

            await Assert.ThrowsAsync<InvalidOperationException>(() => direct.GetResponseAsync("acme-1", "hi"));
            Assert.Throws<InvalidOperationException>(() => direct.GetStreamingResponseAsync(model, [new ChatMessage(ChatRole.User, "hi")]));
            Assert.Throws<InvalidOperationException>(() => direct.GetChatClient(model));
            await Assert.ThrowsAsync<InvalidOperationException>(() => piped.GetResponseAsync(model, "hi"));

            Assert.Equal(0, handler.Sent);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task Refusal_ShowsNeitherUserInfoNorQueryOfTheUrl()
    {
        using var handler = new CountingHandler();
        var options = new StratumClientOptions { Models = new ModelRegistry() };
        options.Provider("acme").ApiKey = CanaryKey;
        options.Provider("acme").BaseUrl = new Uri("http://proxyuser:hunter2@api.example.com/v1/?token=s3cret");
        using var client = new StratumClient(options, new HttpClient(handler));

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => client.GetResponseAsync(AcmeModel(Provider("acme")), "hi"));

        Assert.Contains("http://api.example.com/v1/", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", ex.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("proxyuser", ex.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", ex.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, handler.Sent);
    }

    [Theory]
    [InlineData("headers")]
    [InlineData("user info")]
    public async Task OtherCredentialsWithoutAKey_AreRefusedToo(string credential)
    {
        using var handler = new CountingHandler();
        var options = new StratumClientOptions { Models = new ModelRegistry() };
        var acme = options.Provider("acme");
        acme.BaseUrl = new Uri(credential == "headers" ? "http://llm.corp.example/v1/" : "http://svc:pa55@llm.corp.example/v1/");
        if (credential == "headers")
        {
            acme.Headers["api-key"] = CanaryKey; // Azure-style key header
        }

        using var client = new StratumClient(options, new HttpClient(handler));
        var model = AcmeModel(Provider("acme", apiKeyEnv: null));

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => client.GetResponseAsync(model, "hi"));

        Assert.Equal(0, handler.Sent);
        Assert.DoesNotContain(CanaryKey, ex.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("pa55", ex.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.2")]
    [InlineData("localhost")]
    [InlineData("LocalHost")]
    [InlineData("[::1]")]
    [InlineData("[::ffff:127.0.0.1]")]
    public async Task KeyOverPlainHttpToLoopback_IsSent(string host)
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(OpenAIText));
        var options = new StratumClientOptions { Models = new ModelRegistry() };
        options.Provider("acme").ApiKey = CanaryKey;
        options.Provider("acme").BaseUrl = At(server, host);
        using var client = new StratumClient(options, RedirectedTo(server));

        var response = await client.GetResponseAsync(AcmeModel(Provider("acme")), "hi");

        Assert.NotEmpty(response.Text);
        Assert.Equal($"Bearer {CanaryKey}", server.ReceivedRequests.Single().GetHeader("Authorization"));
    }

    [Fact]
    public async Task AllowInsecureHttpOption_SendsTheKeyToTheRemoteHost()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(OpenAIText));
        var options = new StratumClientOptions { Models = new ModelRegistry() };
        var acme = options.Provider("acme");
        acme.ApiKey = CanaryKey;
        acme.BaseUrl = At(server, "gpu-box.lab");
        acme.AllowInsecureHttp = true;
        using var client = new StratumClient(options, RedirectedTo(server));

        var response = await client.GetResponseAsync(AcmeModel(Provider("acme")), "hi");

        Assert.NotEmpty(response.Text);
        var request = server.ReceivedRequests.Single();
        Assert.Equal($"Bearer {CanaryKey}", request.GetHeader("Authorization"));
        Assert.StartsWith("gpu-box.lab:", request.GetHeader("Host"), StringComparison.Ordinal);
        Assert.Contains("AllowInsecureHttp = true", acme.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CatalogAllowInsecureHttp_SendsTheKeyToTheRemoteHost()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(OpenAIText));
        var provider = new ProviderInfo("acme", "Acme", "openai", At(server, "gpu-box.lab").ToString(), "STRATUM_TEST_UNSET_KEY") { AllowInsecureHttp = true };
        var options = new StratumClientOptions { Models = new ModelRegistry() };
        options.Provider("acme").ApiKey = CanaryKey;
        using var client = new StratumClient(options, RedirectedTo(server));

        await client.GetResponseAsync(AcmeModel(provider), "hi");

        Assert.Equal($"Bearer {CanaryKey}", server.ReceivedRequests.Single().GetHeader("Authorization"));
    }

    [Fact]
    public async Task NoCredential_PlainHttpToARemoteHostIsAllowed()
    {
        // A keyless server (Ollama on another machine) sends nothing secret.
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(OpenAIText));
        var options = new StratumClientOptions { Models = new ModelRegistry() };
        options.Provider("local").BaseUrl = At(server, "gpu-box.lab");
        using var client = new StratumClient(options, RedirectedTo(server));

        await client.GetResponseAsync(AcmeModel(Provider("local", apiKeyEnv: null)), "hi");

        Assert.Null(server.ReceivedRequests.Single().GetHeader("Authorization"));
    }

    [Fact]
    public void Https_IsNotRefused()
    {
        using var handler = new CountingHandler();
        var options = new StratumClientOptions { Models = new ModelRegistry() };
        options.Provider("acme").ApiKey = CanaryKey;
        options.Provider("acme").BaseUrl = new Uri("https://api.example.com/v1/");
        using var client = new StratumClient(options, new HttpClient(handler));

        Assert.NotNull(client.GetChatClient(AcmeModel(Provider("acme"))));
        Assert.Equal(0, handler.Sent);
    }

    [Fact]
    public async Task Configuration_BindsAllowInsecureHttp_AndTheRegisteredClientHonoursIt()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(OpenAIText));
        var values = new Dictionary<string, string?>
        {
            ["StratumAI:Providers:lab:ApiKey"] = CanaryKey,
            ["StratumAI:Providers:lab:BaseUrl"] = At(server, "gpu-box.lab").ToString(),
            ["StratumAI:Providers:lab:AllowInsecureHttp"] = "true",
            ["StratumAI:Providers:other:ApiKey"] = CanaryKey,
            ["StratumAI:Providers:other:BaseUrl"] = At(server, "gpu-box.lab").ToString(),
        };
        var services = new ServiceCollection();
        services.AddStratumAI(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        services.AddHttpClient(StratumServiceCollectionExtensions.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => RedirectingHandler(server));
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<StratumClientOptions>>().Value;
        var client = provider.GetRequiredService<StratumClient>();

        Assert.True(options.Providers["lab"].AllowInsecureHttp);
        Assert.False(options.Providers["other"].AllowInsecureHttp);
        var response = await client.GetResponseAsync(AcmeModel(Provider("lab")), "hi");
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.GetResponseAsync(AcmeModel(Provider("other")), "hi"));

        Assert.NotEmpty(response.Text);
        Assert.Single(server.ReceivedRequests);
    }

    /// <summary>Counts what reaches the transport and sends nothing.</summary>
    private sealed class CountingHandler : HttpMessageHandler
    {
        private int _sent;

        public int Sent => Volatile.Read(ref _sent);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _sent);
            throw new HttpRequestException("The test transport sends nothing.");
        }
    }
}
