using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using StratumAI.Dialects;
using StratumAI.Testing;
using static StratumAI.Tests.Embeddings.EmbeddingFixtureTests;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.Embeddings;

/// <summary>
/// What the embedding host does around the wire: many inputs split within the provider's limits and put back in order,
/// usage summed over the requests, a later request's failure carrying what earlier ones billed, and chat and embedding
/// models kept apart.
/// </summary>
public sealed class EmbeddingGeneratorTests
{
    private const string OpenAIDocuments = "openai/embed__pydantic-ai__TestOpenAI.test_documents.yaml";
    private const string OpenAIError = "openai/embed-error__pydantic-ai__TestOpenAI.test_embed_error.yaml";
    private const string GeminiQuery = "gemini/embed__pydantic-ai__TestGoogle.test_query_with_dimensions.yaml";

    [Fact]
    public async Task ManyInputs_AreSentInRequestsOfTheLimit_InOrder_WithTheUsageSummed()
    {
        var exchange = Assert.Single(FixtureLoader.Load(Fixture(OpenAIDocuments)));
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(exchange);
        server.Enqueue(exchange);
        using var generator = new OpenAIEmbeddingGenerator(new HttpClient(), server.V1(), CanaryKey, "text-embedding-3-small") { MaxInputsOverride = 2 };

        var result = await generator.GenerateAsync(["hello", "world", "hello", "world"]);

        Assert.Equal(2, server.ReceivedRequests.Count);
        foreach (var sent in server.ReceivedRequests)
        {
            AssertJsonEqual(JsonNode.Parse("""["hello","world"]"""), JsonNode.Parse(sent.Body)!["input"]);
        }

        var recorded = RecordedVectors(JsonNode.Parse(exchange.Response.BodyText)!);
        Assert.Equal([recorded[0], recorded[1], recorded[0], recorded[1]], result.Select(e => e.Vector.ToArray()));
        Assert.Equal(4, result.Usage!.InputTokenCount);
        Assert.Equal(4, result.Usage.TotalTokenCount);
    }

    [Fact]
    public async Task OpenAI_SendsAtMost2048InputsPerRequest()
    {
        // The recorded answer holds 2 vectors: the first request of 2048 inputs gets too few back, which is refused, and the
        // request it sent shows the split.
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(Assert.Single(FixtureLoader.Load(Fixture(OpenAIDocuments))));
        using var generator = new OpenAIEmbeddingGenerator(new HttpClient(), server.V1(), CanaryKey, "text-embedding-3-small");

        var ex = await Assert.ThrowsAsync<StratumInvalidResponseException>(() => generator.GenerateAsync(Enumerable.Repeat("hi", 2049).ToArray()));

        Assert.Contains("2 vectors for 2048 inputs", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2048, JsonNode.Parse(Assert.Single(server.ReceivedRequests).Body)!["input"]!.AsArray().Count);
        Assert.Equal(2, ex.UsageSoFar!.InputTokenCount);
    }

    [Fact]
    public async Task OpenAI_SplitsInputsSoNoRequestExceeds300000Tokens()
    {
        // 250,000 ASCII bytes count as 125,000 tokens on the high side: two fit under 300,000, a third does not.
        var big = new string('a', 250_000);
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(Assert.Single(FixtureLoader.Load(Fixture(OpenAIDocuments))));
        using var generator = new OpenAIEmbeddingGenerator(new HttpClient(), server.V1(), CanaryKey, "text-embedding-3-small");

        await Assert.ThrowsAnyAsync<StratumException>(() => generator.GenerateAsync([big, big, big]));

        Assert.Equal(2, JsonNode.Parse(server.ReceivedRequests[0].Body)!["input"]!.AsArray().Count);
    }

    [Fact]
    public async Task Gemini_SendsAtMost100RequestsPerBatch()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(Assert.Single(FixtureLoader.Load(Fixture(GeminiQuery))));
        using var generator = new GeminiEmbeddingGenerator(new HttpClient(), server.V1(), CanaryKey, "gemini-embedding-2-preview");

        var ex = await Assert.ThrowsAsync<StratumInvalidResponseException>(() => generator.GenerateAsync(Enumerable.Repeat("hi", 101).ToArray()));

        Assert.Contains("1 vectors for 100 inputs", ex.Message, StringComparison.Ordinal);
        Assert.Equal(100, JsonNode.Parse(Assert.Single(server.ReceivedRequests).Body)!["requests"]!.AsArray().Count);
    }

    [Fact]
    public async Task ALaterRequestThatFails_CarriesTheUsageTheEarlierOnesBilled()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(Assert.Single(FixtureLoader.Load(Fixture(OpenAIDocuments))));
        server.Enqueue(Assert.Single(FixtureLoader.Load(Fixture(OpenAIError))));
        using var generator = new OpenAIEmbeddingGenerator(new HttpClient(), server.V1(), CanaryKey, "text-embedding-3-small") { MaxInputsOverride = 2 };

        var ex = await Assert.ThrowsAsync<StratumModelNotFoundException>(() => generator.GenerateAsync(["hello", "world", "again"]));

        Assert.Equal(2, ex.UsageSoFar!.InputTokenCount);
        Assert.Equal(2, server.ReceivedRequests.Count);
    }

    [Fact]
    public async Task NoInputs_SendNothing()
    {
        await using var server = await FakeProviderServer.StartAsync();
        using var client = ClientFor(server, "openai");

        var result = await client.GetEmbeddingGenerator(EmbeddingModel("openai", "openai", "text-embedding-3-small", 0.02m)).GenerateAsync([]);

        Assert.Empty(result);
        Assert.Empty(server.ReceivedRequests);
    }

    [Fact]
    public async Task ANullInput_IsRefusedBeforeSending()
    {
        await using var server = await FakeProviderServer.StartAsync();
        using var client = ClientFor(server, "openai");

        var ex = await Assert.ThrowsAsync<ArgumentException>(() =>
            client.GetEmbeddingGenerator(EmbeddingModel("openai", "openai", "text-embedding-3-small", 0.02m)).GenerateAsync(["a", null!]));

        Assert.Contains("Input 1 is null", ex.Message, StringComparison.Ordinal);
        Assert.Empty(server.ReceivedRequests);
    }

    [Fact]
    public async Task AChatModel_HasNoEmbeddingGenerator_AndAnEmbeddingModelNoChatClient()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var chat = Model("gpt-4o", Provider("openai"), Gpt4oPricing);
        var embedding = EmbeddingModel("openai", "openai", "text-embedding-3-small", 0.02m);
        using var client = ClientFor(server, "openai", configure: o => o.Models.Register([chat, embedding]));

        var noGenerator = Assert.Throws<ArgumentException>(() => client.GetEmbeddingGenerator(chat));
        var noChat = Assert.Throws<ArgumentException>(() => client.GetChatClient(embedding));
        var noChatById = await Assert.ThrowsAsync<ArgumentException>(() =>
            client.AsChatClient().GetResponseAsync("hi", new ChatOptions { ModelId = "text-embedding-3-small" }));

        Assert.Contains("not an embedding model", noGenerator.Message, StringComparison.Ordinal);
        Assert.Contains("is an embedding model", noChat.Message, StringComparison.Ordinal);
        Assert.Contains("GetEmbeddingGenerator", noChatById.Message, StringComparison.Ordinal);
        Assert.Empty(server.ReceivedRequests);
    }

    [Fact]
    public async Task ADialectWithoutAnEmbeddingsApi_IsNotSupported()
    {
        await using var server = await FakeProviderServer.StartAsync();
        using var client = ClientFor(server, "anthropic");

        var ex = Assert.Throws<NotSupportedException>(() => client.GetEmbeddingGenerator(EmbeddingModel("anthropic", "anthropic", "voyage-3", 0.06m)));

        Assert.Contains("gemini, ollama, openai, openai-responses", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheGenerator_IsCachedPerModel_AndNamesItsModelAndDimensions()
    {
        await using var server = await FakeProviderServer.StartAsync();
        using var client = ClientFor(server, "openai");
        var model = EmbeddingModel("openai", "openai", "text-embedding-3-small", 0.02m, dimensions: 1536);

        var generator = client.GetEmbeddingGenerator(model);

        Assert.Same(generator, client.GetEmbeddingGenerator(model));
        Assert.Same(model, generator.GetService<ModelInfo>());
        var metadata = generator.GetService<EmbeddingGeneratorMetadata>()!;
        Assert.Equal("openai", metadata.ProviderName);
        Assert.Equal("text-embedding-3-small", metadata.DefaultModelId);
        Assert.Equal(1536, metadata.DefaultModelDimensions);
    }

    [Fact]
    public void TheRouter_LeavesEmbeddingModelsOut()
    {
        var chat = Model("gpt-4o", Provider("openai"), Gpt4oPricing);
        var embedding = EmbeddingModel("openai", "openai", "text-embedding-3-small", 0.02m);

        var router = new ModelRouter([embedding, chat]);

        Assert.Equal([chat], router.Models);
    }
}
