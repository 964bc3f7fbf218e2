using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using StratumAI.Testing;
using StratumAI.Tests.Resilience;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.Batches;

/// <summary>
/// The batch APIs against recorded batch lifecycles (OpenAI's Batch API, Anthropic's Message Batches): what is uploaded and
/// polled, each result read by the dialect's own reader, costed at the batch price, recorded in the ledger, and the budget
/// reserved for the whole batch before it is sent and settled when its results are read.
/// </summary>
public sealed class BatchReplayTests
{
    private const string OpenAILifecycle = "openai/batch__ruby-llm__batch_with_openai_gpt-5-nano_answers_staged_chats_and_appends_the_answers_to_their_conversations.yml";
    private const string OpenAICreateCancel = "openai/batch__openai-dotnet__CreateGetAndCancelBatchProtocol.json";
    private const string OpenAIChatResults = "openai/batch__langbatch__chat_completion_batch_results.jsonl";
    private const string OpenAIBatchList = "openai/batch__ruby-openai__batches_list.yml";
    private const string AnthropicLifecycle = "anthropic/batch__ruby-llm__batch_with_anthropic_claude-haiku-4-5_answers_staged_chats_and_appends_the_answers_to_their_conversations.yml";
    private const string AnthropicResults2024 = "anthropic/batch__anthropic-rb__batch_messages_results.yml";
    private const string AnthropicResultsNotReady = "anthropic/batch-error__anthropic-rb__batch_results.yml";

    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(30);

    /// <summary>The fixtures of the Chat Completions folders these tests replay, for that folder's inventory guard.</summary>
    internal static IEnumerable<string> ChatCompletionsFolderFixtures => [OpenAICreateCancel, OpenAIChatResults, OpenAIBatchList];

    // Prices as catalog/openai.yaml and catalog/anthropic.yaml have them, USD per 1M tokens.
    private static readonly ModelPricing Gpt5NanoPricing = new(0.05m, 0.4m, 0.005m, Batch: new ServiceTierPricing(0.025m, 0.2m, 0.0025m));
    private static readonly ModelPricing Gpt4oMiniPricing = new(0.15m, 0.6m, 0.075m, Batch: new ServiceTierPricing(0.075m, 0.3m));
    private static readonly ModelPricing Haiku45Pricing = new(1m, 5m, 0.1m, 1.25m, CacheWrite1hPerMillion: 2m, Batch: new ServiceTierPricing(0.5m, 2.5m, 0.05m, 0.625m));
    private static readonly ModelPricing Haiku3Pricing = new(0.25m, 1.25m, 0.03m, 0.3m, Batch: new ServiceTierPricing(0.125m, 0.625m, 0.015m, 0.15m));
    private static readonly ModelPricing Sonnet35Pricing = new(3m, 15m, 0.3m, 3.75m, Batch: new ServiceTierPricing(1.5m, 7.5m, 0.15m, 1.875m));

    private static readonly ModelInfo Haiku45 = new("claude-haiku-4-5", "ClaudeHaiku45", Provider("anthropic", dialect: "anthropic"), null, 200_000, 64_000, Haiku45Pricing, ModelCapabilities.None, aliases: ["claude-haiku-4-5-20251001"]);
    private static readonly ModelInfo Haiku3 = new("claude-3-haiku-20240307", "ClaudeHaiku3", Provider("anthropic", dialect: "anthropic"), null, 200_000, 4_096, Haiku3Pricing, ModelCapabilities.None);

    [Fact]
    public async Task OpenAIResponsesBatch_UploadsTheJsonl_PollsUntilCompleted_AndReadsEachAnswerAtTheBatchPrice()
    {
        var exchanges = FixtureLoader.Load(OpenAILifecycle);
        Assert.Equal(14, exchanges.Count);
        // Each response only to a request of its recorded path: ruby_llm polled once more after "completed", we do not.
        await using var server = await ReplayAsync(exchanges, byPath: true);

        var model = new ModelInfo("gpt-5-nano", "Gpt5Nano", Provider("openai"), "openai-responses", 272_000, 128_000, Gpt5NanoPricing, ModelCapabilities.None, aliases: ["gpt-5-nano-2025-08-07"]);
        using var client = ClientFor(server, "openai", configure: o => o.Models.Register([model]));
        var time = new ObservedTime();
        var budgets = new BudgetManager([BudgetPolicy.Daily(1m)], time);
        var tracker = new CostTracker(time);
        var ledger = new InMemoryCostLedger();
        var options = new StratumBatchOptions { PollInterval = Poll, TimeProvider = time, Budget = budgets, CostTracker = tracker, Ledger = ledger, Tags = ["nightly"], Caller = "user-7" };
        var requestOptions = new ChatOptions { MaxOutputTokens = 1_000 };
        BatchRequest[] requests =
        [
            new("0", "What is 2 + 2? Just the number.", requestOptions),
            new("1", "Name the largest planet in our solar system. One word.", requestOptions),
        ];

        var batch = await client.SubmitBatchAsync(model, requests, options);

        // Reserved before sending: each request's prompt counted as a budget counts it, at the batch prices (input $0.025,
        // output $0.2 per 1M), with 1,000 output tokens each.
        var estimator = new BudgetChatClient(client.GetChatClient(model), new BudgetManager([]));
        var promptTokens = requests.Sum(r => estimator.Estimate(r.Messages, r.Options).InputTokens);
        var worstCase = (promptTokens * 0.025m / 1_000_000m) + (2 * 1_000 * 0.2m / 1_000_000m);
        Assert.Equal(("batch_6a85c08a63188190982c56b42faa4ff5", "validating", false), (batch.Id, batch.Status, batch.IsEnded));
        Assert.Equal(worstCase, batch.Reserved);
        Assert.Equal((0m, worstCase), Status(budgets));

        // The upload: purpose=batch and one JSONL line per request, as ruby_llm sent them (custom_id, method, url, model, text).
        var upload = server.ReceivedRequests[0];
        Assert.Equal(("POST", "/v1/files"), (upload.Method, upload.Path));
        Assert.StartsWith("multipart/form-data", upload.GetHeader("Content-Type"), StringComparison.Ordinal);
        Assert.Contains("name=purpose", upload.Body, StringComparison.Ordinal);
        Assert.Contains("\r\n\r\nbatch\r\n", upload.Body, StringComparison.Ordinal);
        var sentLines = JsonlLines(upload.Body);
        var recordedLines = JsonlLines(exchanges[0].Request!.Body!);
        Assert.Equal(2, sentLines.Count);
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(((string?)recordedLines[i]["custom_id"], (string?)recordedLines[i]["method"], (string?)recordedLines[i]["url"]), ((string?)sentLines[i]["custom_id"], (string?)sentLines[i]["method"], (string?)sentLines[i]["url"]));
            Assert.Equal((string?)recordedLines[i]["body"]!["model"], (string?)sentLines[i]["body"]!["model"]);
            Assert.Equal(UserText(recordedLines[i]["body"]!["input"]!), UserText(sentLines[i]["body"]!["input"]!));
            Assert.Equal(1_000, (int)sentLines[i]["body"]!["max_output_tokens"]!);
        }

        // The batch: exactly what ruby_llm created it with.
        Assert.Equal(("POST", "/v1/batches"), (server.ReceivedRequests[1].Method, server.ReceivedRequests[1].Path));
        AssertJsonEqual(RecordedRequestBody(exchanges[1]), Json(server.ReceivedRequests[1].Body));

        // Polls every 30 s on the clock given until "completed": the recorded validating ×6, in_progress ×4, completed; no
        // real waiting. (ruby_llm polled a twelfth time before downloading; that response stays unserved.)
        var waiting = batch.WaitAsync();
        await DriveAsync(waiting, time, polls: 10);
        Assert.Equal(("completed", true), (batch.Status, batch.IsEnded));
        Assert.Equal(Enumerable.Repeat(Poll, 10), time.DueTimes);
        Assert.All(server.ReceivedRequests.Skip(2).Take(10), r => Assert.Equal(("GET", "/v1/batches/batch_6a85c08a63188190982c56b42faa4ff5"), (r.Method, r.Path)));

        var results = await ReadAllAsync(batch);

        Assert.Equal(13, server.ReceivedRequests.Count);
        Assert.Equal(("GET", "/v1/files/file-4SnbT9qu8ShH2A1wCvTHNp/content"), (server.ReceivedRequests[12].Method, server.ReceivedRequests[12].Path));
        Assert.All(server.ReceivedRequests, r => Assert.Equal("Bearer " + CanaryKey, r.GetHeader("Authorization")));
        Assert.Equal(1, server.PendingResponseCount);

        // Each answer through the Responses reader: text, usage (reasoning within output), the request id of its line, and
        // its cost at the batch prices: 18 × $0.025 + 109 × $0.2 (reasoning billed within the batch output price) per 1M.
        Assert.Equal(["0", "1"], results.Select(r => r.CustomId));
        Assert.All(results, r => Assert.Equal((BatchResultStatus.Succeeded, (StratumException?)null), (r.Status, r.Error)));
        Assert.Equal(["4", "Jupiter"], results.Select(r => r.Text));
        Assert.Equal((18L, 109L, 64L, 127L), Counts(results[0].Response!.Usage!));
        Assert.Equal((18L, 115L, 64L, 133L), Counts(results[1].Response!.Usage!));
        Assert.Equal("792c1a99-eabf-4ce2-82bf-f0256f7de7f1", results[0].Response!.AdditionalProperties![StratumUsageKeys.RequestId]);
        Assert.Equal(new CallCost(0.00000045m, 0m, 0m, 0.0000218m, 0m), results[0].Cost);
        Assert.Equal(new CallCost(0.00000045m, 0m, 0m, 0.000023m, 0m), results[1].Cost);
        Assert.Equal(results[0].Cost, results[0].Response!.GetCost());
        Assert.Same(model, results[0].Response!.GetModelInfo());

        // One ledger row per result, tagged as batch spend, and the budget settled to their sum (the rest released).
        var rows = await ledger.GetRecordsAsync();
        Assert.Equal([0.00002225m, 0.00002345m], rows.Select(r => r.Total));
        Assert.All(rows, r => Assert.Equal(("openai", "gpt-5-nano", "user-7", true, false), (r.ProviderId, r.ModelId, r.Caller, r.HasUsage, r.IsEstimated)));
        Assert.All(rows, r => Assert.Equal(["nightly", StratumBatch.CostTag], r.Tags));
        Assert.Equal([18L, 18L], rows.Select(r => r.InputTokens));
        Assert.Equal([109L, 115L], rows.Select(r => r.OutputTokens));
        Assert.Equal(0.0000457m, (await ledger.GetTotalsAsync(CostGrouping.Tag))[StratumBatch.CostTag].Cost);
        Assert.Equal(0.0000457m, tracker.GetTotal().Cost);
        Assert.Equal((0.0000457m, 0m), Status(budgets));
        Assert.Equal((0.0000457m, 0m), (batch.Spent, batch.Reserved));

        // Reading again yields the same answers and charges nothing more.
        Assert.Equal(0, (await ReadAllAsync(batch, rereadFrom: server, download: exchanges[13])).Count(r => r.Status != BatchResultStatus.Succeeded));
        Assert.Equal(2, (await ledger.GetRecordsAsync()).Count);
        Assert.Equal((0.0000457m, 0m), Status(budgets));
    }

    [Fact]
    public async Task AnthropicMessageBatch_PostsTheParams_PollsUntilEnded_AndReadsTheResultsFromTheBaseUrl()
    {
        var exchanges = FixtureLoader.Load(AnthropicLifecycle);
        Assert.Equal(12, exchanges.Count);
        await using var server = await ReplayAsync(exchanges);

        var model = Haiku45;
        using var client = ClientFor(server, "anthropic", configure: o => o.Models.Register([model]));
        var time = new ObservedTime();
        var budgets = new BudgetManager([BudgetPolicy.Daily(5m)], time);
        var ledger = new InMemoryCostLedger();
        var options = new StratumBatchOptions { PollInterval = Poll, TimeProvider = time, Budget = budgets, Ledger = ledger };
        var maxTokens = new ChatOptions { MaxOutputTokens = 64_000 };
        BatchRequest[] requests =
        [
            new("0", [new ChatMessage(ChatRole.System, "Be terse."), new ChatMessage(ChatRole.User, "What is 2 + 2?")], maxTokens),
            new("1", "Name the largest planet in our solar system. One word.", maxTokens),
        ];

        var batch = await client.SubmitBatchAsync(model, requests, options);

        // 64,000 output tokens each at the batch output price ($2.5 per 1M) dominate the worst case.
        Assert.Equal(("msgbatch_01GUqGVJfUzZfBnjRymfPdV3", "in_progress"), (batch.Id, batch.Status));
        Assert.True(batch.Reserved > 2 * 64_000 * 2.5m / 1_000_000m, $"reserved {batch.Reserved}");
        Assert.Equal((0m, batch.Reserved), Status(budgets));
        var create = server.ReceivedRequests[0];
        Assert.Equal(("POST", "/v1/messages/batches", CanaryKey, "2023-06-01"), (create.Method, create.Path, create.GetHeader("x-api-key"), create.GetHeader("anthropic-version")));
        var sent = Json(create.Body)!["requests"]!.AsArray();
        var recorded = RecordedRequestBody(exchanges[0])!["requests"]!.AsArray();
        Assert.Equal(recorded.Select(r => (string?)r!["custom_id"]), sent.Select(r => (string?)r!["custom_id"]));
        for (var i = 0; i < 2; i++)
        {
            var (mine, theirs) = (sent[i]!["params"]!, recorded[i]!["params"]!);
            Assert.Equal(((string?)theirs["model"], (int)theirs["max_tokens"]!, false), ((string?)mine["model"], (int)mine["max_tokens"]!, (bool?)mine["stream"] ?? false));
            Assert.Equal(Texts(theirs["messages"]![0]!["content"]!), Texts(mine["messages"]![0]!["content"]!));
            Assert.Equal(theirs["system"] is { } system ? Texts(system) : null, mine["system"] is { } mySystem ? Texts(mySystem) : null);
        }

        var waiting = batch.WaitAsync();
        await DriveAsync(waiting, time, polls: 10);
        Assert.Equal("ended", batch.Status);
        var results = await ReadAllAsync(batch);

        // The results from under the configured base URL, not the results_url (the public host) the API named.
        Assert.Equal(("GET", "/v1/messages/batches/msgbatch_01GUqGVJfUzZfBnjRymfPdV3/results"), (server.ReceivedRequests[11].Method, server.ReceivedRequests[11].Path));
        Assert.All(server.ReceivedRequests.Skip(1).Take(10), r => Assert.Equal("/v1/messages/batches/msgbatch_01GUqGVJfUzZfBnjRymfPdV3", r.Path));
        Assert.Equal(["4", "Jupiter"], results.Select(r => r.Text));
        Assert.Equal((20L, 5L, 0L, 25L), Counts(results[0].Response!.Usage!));
        Assert.Equal((19L, 4L, 0L, 23L), Counts(results[1].Response!.Usage!));

        // 20 × $0.5 + 5 × $2.5 per 1M (Haiku 4.5's batch prices; the API reports service_tier "batch" too).
        Assert.Equal(new CallCost(0.00001m, 0m, 0m, 0.0000125m, 0m), results[0].Cost);
        Assert.Equal(new CallCost(0.0000095m, 0m, 0m, 0.00001m, 0m), results[1].Cost);
        var rows = await ledger.GetRecordsAsync();
        Assert.Equal([0.0000225m, 0.0000195m], rows.Select(r => r.Total));
        Assert.All(rows, r => Assert.Equal(("anthropic", "claude-haiku-4-5", StratumBatch.CostTag), (r.ProviderId, r.ModelId, Assert.Single(r.Tags))));
        Assert.Equal((0.000042m, 0m), Status(budgets));
    }

    [Fact]
    public async Task OpenAIChatCompletionsBatch_WithMetadata_IsCreated_AndCancelled_KeepingItsReservationUntilItEndsWithoutResults()
    {
        var exchanges = FixtureLoader.Load(OpenAICreateCancel);
        Assert.Equal(3, exchanges.Count);
        await using var server = await ReplayAsync(exchanges);

        var model = Model("gpt-4o-mini", Provider("openai"), Gpt4oMiniPricing);
        using var client = ClientFor(server, "openai", configure: o => o.Models.Register([model]));
        var budgets = new BudgetManager([BudgetPolicy.Daily(1m)]);
        var options = new StratumBatchOptions { Budget = budgets, PollInterval = TimeSpan.Zero, Metadata = new Dictionary<string, string> { ["testMetadataKey"] = "test metadata value" } };
        var request = new BatchRequest("request-1", [new ChatMessage(ChatRole.System, "You are a helpful assistant."), new ChatMessage(ChatRole.User, "What is 2+2?")]);

        var batch = await client.SubmitBatchAsync("gpt-4o-mini", [request], options);
        var reserved = batch.Reserved;
        await batch.CancelAsync();

        // The line uploaded is the Chat Completions body the dialect sends for a single call, the one openai-dotnet uploaded.
        var sentLine = Assert.Single(JsonlLines(server.ReceivedRequests[0].Body));
        var recordedLine = Assert.Single(JsonlLines(exchanges[0].Request!.Body!));
        Assert.Equal(false, (bool?)sentLine["body"]!["stream"]);
        sentLine["body"]!.AsObject().Remove("stream");
        AssertJsonEqual(recordedLine, sentLine);
        AssertJsonEqual(RecordedRequestBody(exchanges[1]), Json(server.ReceivedRequests[1].Body));
        Assert.Equal(("POST", "/v1/batches/batch_690467101b488190972cdce590a00ae3/cancel"), (server.ReceivedRequests[2].Method, server.ReceivedRequests[2].Path));

        // Cancelling is not the end: requests already answered stay billed, so the reservation waits for the results.
        Assert.Equal(("cancelling", false), (batch.Status, batch.IsEnded));
        Assert.True(reserved > 0m);
        Assert.Equal((reserved, (0m, reserved)), (batch.Reserved, Status(budgets)));
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await ReadAllAsync(batch));

        // It ends "cancelled" with no output or error file (a cancelled batch object as ruby-openai's recorded list holds
        // one): nothing ran, nothing is billed, and the reservation is released without reading anything.
        var list = FixtureLoader.Load(OpenAIBatchList)[0];
        var cancelled = JsonNode.Parse(list.Response.BodyText)!["data"]!.AsArray().First(b => (string?)b!["status"] == "cancelled")!;
        Assert.Null((string?)cancelled["output_file_id"]);
        server.Enqueue(FakeResponse.Json(cancelled.ToJsonString()));
        await batch.WaitAsync();

        Assert.Equal(("GET", "/v1/batches/batch_690467101b488190972cdce590a00ae3"), (server.ReceivedRequests[3].Method, server.ReceivedRequests[3].Path));
        Assert.Equal(("cancelled", true), (batch.Status, batch.IsEnded));
        Assert.Equal((0m, (0m, 0m)), (batch.Reserved, Status(budgets)));
        Assert.Empty(await ReadAllAsync(batch));
        Assert.Equal(4, server.ReceivedRequests.Count);
    }

    [Fact]
    public async Task ResumedOpenAIBatch_ReadsItsOutputFile_FailedLinesAreTypedErrors_AndTheBudgetIsChargedWhatWasBilled()
    {
        // The batch object of a completed batch (recorded) names the output file; its content is langbatch's recorded output
        // file, served as the download's body.
        var completed = FixtureLoader.Load(OpenAILifecycle)[12];
        var output = FixtureLoader.LoadBatchResults(OpenAIChatResults);
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(completed);
        server.Enqueue(FakeResponse.Text(output.Text, "application/octet-stream"));
        var model = Model("gpt-4o-mini", Provider("openai"), Gpt4oMiniPricing, aliases: ["gpt-4o-mini-2024-07-18"]);
        using var client = ClientFor(server, "openai", configure: o => o.Models.Register([model]));
        var budgets = new BudgetManager([BudgetPolicy.Daily(1m)]);
        var tracker = new CostTracker();

        var batch = client.GetBatch(model, "batch_6a85c08a63188190982c56b42faa4ff5", new StratumBatchOptions { Budget = budgets, CostTracker = tracker });
        var results = await ReadAllAsync(batch);

        Assert.Equal(["/v1/batches/batch_6a85c08a63188190982c56b42faa4ff5", "/v1/files/file-4SnbT9qu8ShH2A1wCvTHNp/content"], server.ReceivedRequests.Select(r => r.Path));
        Assert.Equal(output.Results.Select(r => r.CustomId), results.Select(r => r.CustomId));
        Assert.Equal([BatchResultStatus.Succeeded, BatchResultStatus.Succeeded, BatchResultStatus.Errored, BatchResultStatus.Errored], results.Select(r => r.Status));
        Assert.StartsWith("Hello! I'm just a computer program", results[0].Text, StringComparison.Ordinal);
        Assert.Equal((22L, 34L, 0L, 56L), Counts(results[0].Response!.Usage!));

        // 22 × $0.075 + 34 × $0.3 per 1M: gpt-4o-mini's batch prices, whatever the line's service tier.
        Assert.Equal(new CallCost(0.00000165m, 0m, 0m, 0.0000102m, 0m), results[0].Cost);
        var second = JsonNode.Parse(output.Results[1].Json)!["response"]!["body"]!["usage"]!;
        var secondCost = (((long)second["prompt_tokens"]! * 0.075m) + ((long)second["completion_tokens"]! * 0.3m)) / 1_000_000m;
        Assert.Equal(secondCost, results[1].Cost!.Total);

        // A failed line is a result with a typed error, read as the API's error of that status would be.
        foreach (var failed in results.Skip(2))
        {
            Assert.Null(failed.Response);
            Assert.Null(failed.Cost);
            var error = Assert.IsType<StratumServerErrorException>(failed.Error);
            Assert.Equal((HttpStatusCode.InternalServerError, "json_format with no json in system prompt", "openai"), (error.StatusCode, error.ProviderMessage, error.ProviderId));
        }

        var spent = 0.00001185m + secondCost;
        Assert.Equal(spent, tracker.GetTotal().Cost);
        Assert.Equal(2, tracker.GetTotal().Calls);
        Assert.Equal((spent, 0m), Status(budgets));
    }

    [Fact]
    public async Task ResumedAnthropicBatch_ReadsResultsServedAsHtml_AndPricesEachAtTheModelThatAnswered()
    {
        var exchanges = FixtureLoader.Load(AnthropicResults2024);
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(Assert.Single(exchanges));
        var haiku = Haiku3;
        var sonnet = new ModelInfo("claude-3-5-sonnet-latest", "ClaudeSonnet35", Provider("anthropic", dialect: "anthropic"), null, 200_000, 8_192, Sonnet35Pricing, ModelCapabilities.None, aliases: ["claude-3-5-sonnet-20240620"]);
        using var client = ClientFor(server, "anthropic", configure: o => { o.Models.Register([haiku]); o.Models.Register([sonnet]); });
        var ledger = new InMemoryCostLedger();

        var results = await ReadAllAsync(client.GetBatch(haiku, "msgbatch_01668jySCZeCpMLsxFcroNnN", new StratumBatchOptions { Ledger = ledger }));

        Assert.Equal("text/html", exchanges[0].Response.ContentType?.Split(';')[0]);
        Assert.Equal(("/v1/messages/batches/msgbatch_01668jySCZeCpMLsxFcroNnN/results", CanaryKey), (server.ReceivedRequests[0].Path, server.ReceivedRequests[0].GetHeader("x-api-key")));
        Assert.Equal(["first-prompt-in-my-batch", "second-prompt-in-my-batch"], results.Select(r => r.CustomId));
        Assert.StartsWith("Here's a fun video game fact for you:", results[0].Text, StringComparison.Ordinal);
        Assert.StartsWith("Here's a fun fact about bees:", results[1].Text, StringComparison.Ordinal);

        // Haiku 3 at its batch prices: 20 × $0.125 + 80 × $0.625; Sonnet 3.5 (an alias of the catalog's) at its: 20 × $1.5 + 61 × $7.5 per 1M.
        Assert.Equal(new CallCost(0.0000025m, 0m, 0m, 0.00005m, 0m), results[0].Cost);
        Assert.Equal(new CallCost(0.00003m, 0m, 0m, 0.0004575m, 0m), results[1].Cost);
        Assert.Same(sonnet, results[1].Response!.GetModelInfo());
        Assert.Equal(["claude-3-haiku-20240307", "claude-3-5-sonnet-latest"], (await ledger.GetRecordsAsync()).Select(r => r.ModelId));
    }

    [Fact]
    public async Task AnthropicResultsOfABatchStillInProgress_AreAnInvalidRequestWithTheProvidersMessage_NotAMissingModel()
    {
        var exchanges = FixtureLoader.Load(AnthropicResultsNotReady);
        Assert.Equal(2, exchanges.Count);
        await using var server = await ReplayAsync(exchanges);

        var model = Haiku3;
        using var client = ClientFor(server, "anthropic", configure: o => o.Models.Register([model]));

        foreach (var (exchange, index) in exchanges.Select((e, i) => (e, i)))
        {
            var id = exchange.Request!.PathAndQuery.Split('/')[^2];
            var error = await Assert.ThrowsAsync<StratumInvalidRequestException>(async () => await ReadAllAsync(client.GetBatch(model, id)));

            Assert.Equal(exchange.Request.PathAndQuery, server.ReceivedRequests[index].Path);
            Assert.Equal((HttpStatusCode.NotFound, "not_found_error", $"Message Batch {id} has no available results.", "anthropic"), (error.StatusCode, error.ErrorType, error.ProviderMessage, error.ProviderId));
            Assert.IsType<StratumModelNotFoundException>(error.InnerException);
            Assert.DoesNotContain(CanaryKey, error.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task BatchWhoseWorstCaseDoesNotFitTheBudget_SendsNothing()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var model = Model("gpt-4o-mini", Provider("openai"), Gpt4oMiniPricing);
        using var client = ClientFor(server, "openai", configure: o => o.Models.Register([model]));
        var budgets = new BudgetManager([BudgetPolicy.Daily(0.001m)]);

        // 16,384 output tokens × $0.3 per 1M is $0.0049 for each request: over the $0.001 limit before anything is sent.
        var error = await Assert.ThrowsAsync<BudgetExceededException>(() => client.SubmitBatchAsync(model, [new BatchRequest("a", "Hi")], new StratumBatchOptions { Budget = budgets, Tags = ["nightly"] }));

        Assert.Empty(server.ReceivedRequests);
        Assert.True(error.Requested > 0.0049m);
        Assert.Equal((0m, 0m), Status(budgets));
    }

    [Fact]
    public async Task SubmittingABatchThatFails_ReleasesItsReservation_AndBadCustomIdsAreRefusedBeforeSending()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Disconnect());
        var model = Model("gpt-4o-mini", Provider("openai"), Gpt4oMiniPricing);
        using var client = ClientFor(server, "openai", configure: o => o.Models.Register([model]));
        var budgets = new BudgetManager([BudgetPolicy.Daily(1m)]);
        var options = new StratumBatchOptions { Budget = budgets };

        await Assert.ThrowsAsync<StratumProviderUnavailableException>(() => client.SubmitBatchAsync(model, [new BatchRequest("a", "Hi")], options));
        await Assert.ThrowsAsync<ArgumentException>(() => client.SubmitBatchAsync(model, [new BatchRequest("a", "Hi"), new BatchRequest("a", "Ho")], options));
        await Assert.ThrowsAsync<ArgumentException>(() => client.SubmitBatchAsync(model, [new BatchRequest("not ok", "Hi")], options));
        await Assert.ThrowsAsync<ArgumentException>(() => client.SubmitBatchAsync(model, [], options));

        Assert.Single(server.ReceivedRequests);
        Assert.Equal((0m, 0m), Status(budgets));
    }

    [Fact]
    public async Task WaitAsync_StopsWaitingWhenCancelled_WithoutCancellingTheBatch()
    {
        var exchanges = FixtureLoader.Load(AnthropicLifecycle);
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(exchanges[0]);
        var model = Haiku45;
        using var client = ClientFor(server, "anthropic", configure: o => o.Models.Register([model]));
        var time = new ObservedTime();
        var budgets = new BudgetManager([BudgetPolicy.Daily(5m)], time);
        var batch = await client.SubmitBatchAsync(model, [new BatchRequest("0", "What is 2 + 2?")], new StratumBatchOptions { PollInterval = Poll, TimeProvider = time, Budget = budgets });
        using var stop = new CancellationTokenSource();

        var waiting = batch.WaitAsync(stop.Token);
        await time.TimerOfAsync(Poll);
        await stop.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Single(server.ReceivedRequests);
        Assert.Equal(("in_progress", batch.Reserved), (batch.Status, Status(budgets).Reserved));
        Assert.True(batch.Reserved > 0m);
    }

    private static async Task<FakeProviderServer> ReplayAsync(IReadOnlyList<RecordedExchange> exchanges, bool byPath = false)
    {
        var server = await FakeProviderServer.StartAsync();
        foreach (var exchange in exchanges)
        {
            server.Enqueue(exchange, byPath ? exchange.Request!.PathAndQuery : null);
        }

        return server;
    }

    /// <summary>Lets <paramref name="polls"/> poll intervals pass on the fake clock, one each time the wait asks for one.</summary>
    private static async Task DriveAsync(Task waiting, ObservedTime time, int polls)
    {
        for (var poll = 0; poll < polls; poll++)
        {
            var timer = time.TimerOfAsync(Poll);
            if (await Task.WhenAny(waiting, timer) == waiting)
            {
                await waiting;   // surfaces a failed poll
                Assert.Fail($"The wait ended after {poll} polls, not {polls}.");
            }

            time.Advance(Poll);
        }

        await waiting;
    }

    private static (decimal Spent, decimal Reserved) Status(BudgetManager budgets)
    {
        var status = budgets.GetStatus(budgets.Policies[0]);
        return (status.Spent, status.Reserved);
    }

    private static (long Input, long Output, long Reasoning, long Total) Counts(UsageDetails usage) =>
        (usage.InputTokenCount ?? -1, usage.OutputTokenCount ?? -1, usage.ReasoningTokenCount ?? 0, usage.TotalTokenCount ?? -1);

    private static async Task<List<BatchResult>> ReadAllAsync(StratumBatch batch, FakeProviderServer? rereadFrom = null, RecordedExchange? download = null)
    {
        if (rereadFrom is not null && download is not null)
        {
            rereadFrom.Enqueue(download);
        }

        var results = new List<BatchResult>();
        await foreach (var result in batch.GetResultsAsync())
        {
            results.Add(result);
        }

        return results;
    }

    /// <summary>The JSON lines of an uploaded batch input file inside a multipart body (each starts with <c>{"custom_id"</c>).</summary>
    private static List<JsonNode> JsonlLines(string multipart) =>
        multipart.Split('\n').Select(l => l.TrimEnd('\r')).Select(l => l[Math.Max(0, l.IndexOf("{\"custom_id\"", StringComparison.Ordinal))..])
            .Where(l => l.StartsWith("{\"custom_id\"", StringComparison.Ordinal)).Select(l => JsonNode.Parse(l)!).ToList();

    /// <summary>The text of a Responses <c>input</c>'s first message, whether its content is a string or a list of parts.</summary>
    private static string? UserText(JsonNode input) => Texts(input[0]!["content"]!);

    private static string? Texts(JsonNode content) => content is JsonArray parts
        ? string.Concat(parts.Select(p => (string?)p!["text"]))
        : (string?)content;
}
