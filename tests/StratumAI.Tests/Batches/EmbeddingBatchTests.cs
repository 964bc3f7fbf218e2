using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using StratumAI.Testing;
using static StratumAI.Tests.Embeddings.EmbeddingFixtureTests;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.Batches;

/// <summary>
/// Embedding batches through OpenAI's Batch API, on recorded traffic: the upload carries one <c>/v1/embeddings</c> line per
/// request with the body a single call would send, the budget reserves the worst case at the batch price first, and each
/// result line is read by the embeddings reader, costed at the batch price and recorded in the tracker and ledger.
/// </summary>
public sealed class EmbeddingBatchTests
{
    internal const string EmbeddingResults = "openai/batch__langbatch__embedding_batch_results.jsonl";
    private const string OpenAILifecycle = "openai/batch__ruby-llm__batch_with_openai_gpt-5-nano_answers_staged_chats_and_appends_the_answers_to_their_conversations.yml";

    private static readonly ModelInfo Ada002 = EmbeddingModel("openai", "openai", "text-embedding-ada-002", 0.1m, dimensions: 1536);

    // As catalog/openai.yaml: $0.02 per 1M input tokens, $0.01 in a batch.
    private static readonly ModelInfo Small = new("text-embedding-3-small", "TextEmbedding3Small", Provider("openai"), "openai", 8191, null, new ModelPricing(0.02m, 0m, Batch: new ServiceTierPricing(0.01m, 0m)), ModelCapabilities.Embeddings)
    {
        Dimensions = 1536,
    };

    [Fact]
    public async Task AResumedEmbeddingBatch_ReadsEachLineAsVectors_CostedAndRecorded()
    {
        // The batch object of a completed batch (recorded) names its output file; langbatch's recorded embedding output file
        // is that file's content: three lines of text-embedding-ada-002, 8, 5 and 5 tokens.
        var completed = FixtureLoader.Load(OpenAILifecycle)[12];
        var output = FixtureLoader.LoadBatchResults(Fixture(EmbeddingResults));
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(completed);
        server.Enqueue(FakeResponse.Text(output.Text, "application/octet-stream"));
        using var client = ClientFor(server, "openai", configure: o => o.Models.Register([Ada002]));
        var budgets = new BudgetManager([BudgetPolicy.Daily(1m)]);
        var tracker = new CostTracker();
        var ledger = new InMemoryCostLedger();

        var batch = client.GetEmbeddingBatch(Ada002, "batch_6a85c08a63188190982c56b42faa4ff5", new StratumBatchOptions { Budget = budgets, CostTracker = tracker, Ledger = ledger, Tags = ["index"] });
        var results = new List<BatchResult>();
        await foreach (var result in batch.GetResultsAsync())
        {
            results.Add(result);
        }

        Assert.Equal(["/v1/batches/batch_6a85c08a63188190982c56b42faa4ff5", "/v1/files/file-4SnbT9qu8ShH2A1wCvTHNp/content"], server.ReceivedRequests.Select(r => r.Path));
        Assert.Equal(output.Results.Select(r => r.CustomId), results.Select(r => r.CustomId));
        Assert.All(results, r => Assert.Equal((BatchResultStatus.Succeeded, (ChatResponse?)null, (StratumException?)null), (r.Status, r.Response, r.Error)));
        for (var i = 0; i < results.Count; i++)
        {
            var recorded = JsonNode.Parse(output.Results[i].Json)!["response"]!["body"]!;
            var vectors = results[i].Embeddings!;
            Assert.Equal(recorded["data"]![0]!["embedding"]!.AsArray().Select(n => (float)n!), Assert.Single(vectors).Vector.ToArray());
            Assert.Equal((long)recorded["usage"]!["prompt_tokens"]!, vectors.Usage!.InputTokenCount);
            Assert.Same(Ada002, vectors.GetModelInfo());
            Assert.Equal(results[i].Cost, vectors.GetCost());
        }

        // ada-002 has no batch price in the catalog (LiteLLM lists none): billed at its standard $0.1 per 1M.
        Assert.Equal([0.0000008m, 0.0000005m, 0.0000005m], results.Select(r => r.Cost!.Total));
        var rows = await ledger.GetRecordsAsync();
        Assert.Equal([0.0000008m, 0.0000005m, 0.0000005m], rows.Select(r => r.Total));
        Assert.All(rows, r => Assert.Equal(("openai", "text-embedding-ada-002", 0L), (r.ProviderId, r.ModelId, r.OutputTokens)));
        Assert.All(rows, r => Assert.Equal(["index", StratumBatch.CostTag], r.Tags));
        Assert.Equal(0.0000018m, tracker.GetTotal().Cost);
        Assert.Equal(0.0000018m, budgets.GetStatus(budgets.Policies[0]).Spent);
    }

    [Fact]
    public async Task SubmittingAnEmbeddingBatch_UploadsEmbeddingsLines_AndReservesTheWorstCaseAtTheBatchPrice()
    {
        var exchanges = FixtureLoader.Load(OpenAILifecycle);
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(exchanges[0]);   // the file upload's answer
        server.Enqueue(exchanges[1]);   // the batch creation's answer
        using var client = ClientFor(server, "openai", configure: o => o.Models.Register([Small]));
        var budgets = new BudgetManager([BudgetPolicy.Daily(1m)]);
        EmbeddingBatchRequest[] requests =
        [
            new("chunk-1", ["The cat sat on the mat.", "A feline rested on the rug."], new EmbeddingGenerationOptions { Dimensions = 512 }),
            new("chunk-2", ["Hello, world!"]),
        ];

        var batch = await client.SubmitEmbeddingBatchAsync("text-embedding-3-small", requests, new StratumBatchOptions { Budget = budgets });

        // Worst case: every input's high-side count (one token per two UTF-8 bytes: 12 + 14 + 7) at the batch's $0.01 per 1M.
        Assert.Equal(33 * 0.01m / 1_000_000m, batch.Reserved);
        Assert.Equal(33 * 0.01m / 1_000_000m, budgets.GetStatus(budgets.Policies[0]).Reserved);
        Assert.Equal(("batch_6a85c08a63188190982c56b42faa4ff5", "validating"), (batch.Id, batch.Status));

        var upload = server.ReceivedRequests[0];
        Assert.Equal(("POST", "/v1/files"), (upload.Method, upload.Path));
        var lines = upload.Body.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.StartsWith("{\"custom_id\"", StringComparison.Ordinal)).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(["chunk-1", "chunk-2"], lines.Select(l => (string)l["custom_id"]!));
        Assert.All(lines, l => Assert.Equal(("POST", "/v1/embeddings"), ((string)l["method"]!, (string)l["url"]!)));
        AssertJsonEqual(
            JsonNode.Parse("""{"model":"text-embedding-3-small","input":["The cat sat on the mat.","A feline rested on the rug."],"encoding_format":"base64","dimensions":512}"""),
            lines[0]["body"]);
        AssertJsonEqual(JsonNode.Parse("""{"model":"text-embedding-3-small","input":["Hello, world!"],"encoding_format":"base64"}"""), lines[1]["body"]);
        Assert.Equal("/v1/embeddings", (string)JsonNode.Parse(server.ReceivedRequests[1].Body)!["endpoint"]!);
    }

    [Fact]
    public async Task WrongModelsAndBadRequests_AreRefusedBeforeAnythingIsSent()
    {
        await using var server = await FakeProviderServer.StartAsync();
        using var client = ClientFor(server, "openai", configure: o => o.Models.Register([Small]));
        var chat = Model("gpt-4o-mini", Provider("openai"), new ModelPricing(0.15m, 0.6m));
        var budget = new BudgetManager([BudgetPolicy.Daily(0.0000001m)]);

        await Assert.ThrowsAsync<ArgumentException>(() => client.SubmitEmbeddingBatchAsync(chat, [new EmbeddingBatchRequest("a", ["x"])]));
        await Assert.ThrowsAsync<ArgumentException>(() => client.SubmitEmbeddingBatchAsync(Small, []));
        await Assert.ThrowsAsync<ArgumentException>(() => client.SubmitEmbeddingBatchAsync(Small, [new EmbeddingBatchRequest("a", [])]));
        await Assert.ThrowsAsync<ArgumentException>(() => client.SubmitEmbeddingBatchAsync(Small, [new EmbeddingBatchRequest("a", ["x"]), new EmbeddingBatchRequest("a", ["y"])]));
        await Assert.ThrowsAsync<ArgumentException>(() => client.SubmitEmbeddingBatchAsync(Small, [new EmbeddingBatchRequest("a b", ["x"])]));
        await Assert.ThrowsAsync<ArgumentException>(() => client.SubmitEmbeddingBatchAsync(Small, [new EmbeddingBatchRequest("a", [new string('x', 700_000)])]));
        await Assert.ThrowsAsync<BudgetExceededException>(() =>
            client.SubmitEmbeddingBatchAsync(Small, [new EmbeddingBatchRequest("a", [new string('x', 100)])], new StratumBatchOptions { Budget = budget }));
        Assert.Throws<NotSupportedException>(() => client.GetEmbeddingBatch(EmbeddingModel("gemini", "gemini", "gemini-embedding-001", 0.15m), "batch_1"));

        Assert.Empty(server.ReceivedRequests);
        Assert.Equal(0m, budget.GetStatus(budget.Policies[0]).Reserved);
    }
}
