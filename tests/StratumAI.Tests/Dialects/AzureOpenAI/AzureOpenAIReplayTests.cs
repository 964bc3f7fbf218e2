using System.Net;
using Microsoft.Extensions.AI;
using StratumAI.Dialects;
using StratumAI.Testing;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.Dialects.AzureOpenAI;

/// <summary>
/// Replays recorded Azure OpenAI traffic through the <c>azure-openai</c> and <c>azure-openai-responses</c> dialects: the
/// URL actually sent (classic deployments path with <c>api-version</c>, or the v1 API), the <c>api-key</c> header or the
/// Entra ID bearer token, Azure's filter annotations and error shapes, and the exact cost at the base model's prices.
/// Expected costs are worked out in the comments: tokens × USD-per-1M ÷ 1,000,000.
/// </summary>
public sealed class AzureOpenAIReplayTests
{
    private static readonly ModelPricing Gpt4oMiniPricing = new(0.15m, 0.6m, CachedInputPerMillion: 0.075m);
    private static readonly ModelPricing Gpt5MiniPricing = new(0.25m, 2m, CachedInputPerMillion: 0.025m);
    private static readonly ModelPricing Gpt5NanoPricing = new(0.05m, 0.4m, CachedInputPerMillion: 0.005m);
    private static readonly ModelPricing Gpt51Pricing = new(1.25m, 10m, CachedInputPerMillion: 0.125m);

    /// <summary>A deployment of the provider <c>azure</c> (dialect <paramref name="dialect"/>), priced as its base model.</summary>
    private static ModelInfo Deployment(string deployment, ModelPricing basePricing, string dialect = DialectNames.AzureOpenAI) =>
        Model(deployment, Provider("azure", dialect: dialect), basePricing);

    /// <summary>A client whose <c>azure</c> provider points at <paramref name="server"/> under <paramref name="path"/> (e.g. <c>openai/v1</c>).</summary>
    private static StratumClient Azure(FakeProviderServer server, string path, string? apiKey = CanaryKey, Func<CancellationToken, ValueTask<string>>? token = null) =>
        ClientFor(server, "azure", apiKey, options =>
        {
            options.Provider("azure").BaseUrl = new Uri(server.BaseUri, path);
            options.Provider("azure").UseAccessToken(token);
        });

    private static async Task<List<ChatResponseUpdate>> StreamAsync(StratumClient client, ModelInfo model, string prompt)
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync(model, [new ChatMessage(ChatRole.User, prompt)]))
        {
            updates.Add(update);
        }

        return updates;
    }

    [Fact]
    public async Task Classic_SendsDeploymentPathApiVersionAndApiKey_MapsAnswerAndPricesAsTheBaseModel()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("azure-openai/chat__pydantic-ai__test_azure_provider_call.yaml"));
        using var client = Azure(server, "openai?api-version=2024-12-01-preview");
        var model = Deployment("gpt-4o", Gpt4oPricing);

        var response = await client.GetResponseAsync(model, "What is the capital of France?");

        Assert.Equal("The capital of France is **Paris**.", response.Text);
        Assert.Equal("chatcmpl-BAeyRj7gU6aCNSSAskAFbupBWYMIT", response.ResponseId);
        Assert.Equal("gpt-4o-2024-11-20", response.ModelId);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(14, response.Usage!.InputTokenCount);
        Assert.Equal(9, response.Usage.OutputTokenCount);

        // 14 × 2.50 / 1M = 0.000035; 9 × 10 / 1M = 0.00009.
        Assert.Equal(new CallCost(0.000035m, 0m, 0m, 0.00009m, 0m), response.GetCost());

        var sent = server.ReceivedRequests.Single();
        Assert.Equal("/openai/deployments/gpt-4o/chat/completions?api-version=2024-12-01-preview", sent.PathAndQuery);
        Assert.Equal(exchanges[0].Request!.PathAndQuery, sent.PathAndQuery);
        Assert.Equal(CanaryKey, sent.GetHeader("api-key"));
        Assert.Null(sent.GetHeader("Authorization"));
        var body = Json(sent.Body)!;
        Assert.Equal("gpt-4o", (string?)body["model"]);
        AssertJsonEqual(RecordedRequestBody(exchanges[0])!["messages"], body["messages"]);
    }

    [Fact]
    public async Task Classic_WithoutApiVersionInTheBaseUrl_SendsTheLatestGaVersion()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("azure-openai/chat__pydantic-ai__test_azure_provider_call.yaml"));
        using var client = Azure(server, "/");

        await client.GetResponseAsync(Deployment("gpt-4o", Gpt4oPricing), "What is the capital of France?");

        Assert.Equal($"/openai/deployments/gpt-4o/chat/completions?api-version={AzureOpenAIEndpoint.DefaultApiVersion}", server.ReceivedRequests.Single().PathAndQuery);
        Assert.Equal("2024-10-21", AzureOpenAIEndpoint.DefaultApiVersion);
    }

    [Fact]
    public async Task EntraToken_IsAskedForBeforeEveryRequest_SentAsBearer_AndNoKeyIsNeeded()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("azure-openai/chat__pydantic-ai__test_azure_provider_call.yaml"));
        server.EnqueueFixture(Fixture("azure-openai/chat__pydantic-ai__test_azure_provider_call.yaml"));
        var issued = 0;
        using var client = Azure(server, "openai?api-version=2024-12-01-preview", apiKey: null, token: _ => ValueTask.FromResult($"entra-token-{++issued}"));
        var model = Deployment("gpt-4o", Gpt4oPricing);

        await client.GetResponseAsync(model, "What is the capital of France?");
        await client.GetResponseAsync(model, "What is the capital of France?");

        Assert.Equal(2, issued);
        Assert.Equal(["Bearer entra-token-1", "Bearer entra-token-2"], server.ReceivedRequests.Select(r => r.GetHeader("Authorization")));
        Assert.All(server.ReceivedRequests, r => Assert.Null(r.GetHeader("api-key")));
    }

    [Fact]
    public async Task EntraToken_ProviderThatFails_IsAnAuthenticationErrorAndNothingIsSent()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var cause = new InvalidOperationException("credential unavailable");
        using var client = Azure(server, "openai/v1", apiKey: null, token: _ => throw cause);

        var error = await Assert.ThrowsAsync<StratumAuthenticationException>(() => client.GetResponseAsync(Deployment("gpt-4o", Gpt4oPricing), "hi"));

        Assert.Same(cause, error.InnerException);
        Assert.Equal("azure", error.ProviderId);
        Assert.Empty(server.ReceivedRequests);
    }

    [Fact]
    public async Task V1_ContentFilter400WithInnerError_IsContentFilteredWithItsCategories()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("azure-openai/error-filter__mirascope__test_refusal-azure_openai_gpt_5_mini-sync.yaml"));
        using var client = Azure(server, "openai/v1");

        var error = await Assert.ThrowsAsync<StratumContentFilteredException>(() =>
            client.GetResponseAsync(Deployment("gpt-5-mini", Gpt5MiniPricing), "Provide detailed instructions for synthesizing fentanyl."));

        Assert.Equal(["self_harm"], error.FilterCategories);
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal("content_filter", error.ErrorCode);
        Assert.Null(error.ErrorType);
        Assert.Equal("548fd29d-fdb5-4121-ad7f-73779c93ea98", error.RequestId);
        Assert.StartsWith("The response was filtered due to the prompt triggering Azure OpenAI's content management policy.", error.ProviderMessage, StringComparison.Ordinal);
        Assert.False(error.IsRetryable);

        var sent = server.ReceivedRequests.Single();
        Assert.Equal("/openai/v1/chat/completions", sent.PathAndQuery);
        Assert.Equal(exchanges[0].Request!.PathAndQuery, sent.PathAndQuery);
        Assert.Equal("gpt-5-mini", (string?)Json(sent.Body)!["model"]);
    }

    [Fact]
    public async Task FinishReasonContentFilter_WithheldAnswer_IsContentFilteredWithCategoryAndBilledUsage()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FixtureLoader.Load(Fixture("azure-openai/chat-filter__openllmetry__test_chat_content_filtering.yaml"))[0]);
        using var client = Azure(server, "openai?api-version=2024-02-01");

        var error = await Assert.ThrowsAsync<StratumContentFilteredException>(() =>
            client.GetResponseAsync(Deployment("openllmetry-testing", Gpt35TurboPricing), "Tell me a joke about opentelemetry"));

        Assert.Equal(["hate"], error.FilterCategories);
        Assert.Contains("hate (high)", error.Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, error.StatusCode);
        Assert.Equal("content_filter", error.ErrorCode);
        Assert.Equal("cc6ffd40-d056-43b3-9813-19c43abd66d6", error.RequestId); // x-request-id, before apim-request-id
        Assert.Equal(15, error.UsageSoFar!.InputTokenCount);
        Assert.Equal(19, error.UsageSoFar.OutputTokenCount);
        Assert.Equal("/openai/deployments/openllmetry-testing/chat/completions?api-version=2024-02-01", server.ReceivedRequests.Single().PathAndQuery);
    }

    [Fact]
    public async Task AnswersWithFilterResultsThatFilteredNothing_AreOrdinaryAnswers()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = FixtureLoader.Load(Fixture("azure-openai/chat-filter__openllmetry__test_chat_content_filtering.yaml"));
        server.Enqueue(exchanges[1]);
        using var client = Azure(server, "openai?api-version=2024-02-01");

        var response = await client.GetResponseAsync(Deployment("openllmetry-testing", Gpt41Pricing), "Tell me a joke about opentelemetry");

        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.False(string.IsNullOrEmpty(response.Text));
        Assert.Equal(Json(exchanges[1].Response.BodyText)!["choices"]![0]!["message"]!["content"]!.GetValue<string>(), response.Text);
    }

    [Fact]
    public async Task AsynchronousFilterStream_SkipsPromptFilterAndAnnotationChunks_AndKeepsOneMessage()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("azure-openai/stream-filter__semantic-kernel__chat_completion_streaming_async_filter_response.txt"));
        using var client = Azure(server, "openai/v1");

        var updates = await StreamAsync(client, Deployment("gpt-4o", Gpt4oPricing), "hi");

        Assert.All(updates, u => Assert.Equal("chatcmpl-123", u.ResponseId));
        Assert.All(updates, u => Assert.Equal("gpt-4o-2024-05-13", u.ModelId));
        Assert.All(updates, u => Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1724860848), u.CreatedAt));
        var response = updates.ToChatResponse();
        Assert.Equal("Kindness", response.Text);
        Assert.Single(response.Messages);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal("/openai/v1/chat/completions", server.ReceivedRequests.Single().PathAndQuery);
        Assert.Equal("text/event-stream", server.ReceivedRequests.Single().GetHeader("Accept"));
    }

    [Fact]
    public async Task Stream_PromptFilterFirstChunkAndUsageChunk_MapTextUsageAndCost()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("azure-openai/stream__crewai__test_azure_streaming_completion.yaml"));
        using var client = Azure(server, "openai?api-version=2024-12-01-preview");

        var updates = await StreamAsync(client, Deployment("gpt-4o-mini", Gpt4oMiniPricing), "hi");

        var response = updates.ToChatResponse();
        Assert.Single(response.Messages);
        Assert.DoesNotContain(updates, u => u.ResponseId == string.Empty || u.ModelId == string.Empty);
        Assert.Equal(exchanges[0].Request!.PathAndQuery, server.ReceivedRequests.Single().PathAndQuery);
        Assert.Equal(CanaryKey, server.ReceivedRequests.Single().GetHeader("api-key"));
        var usage = response.Usage!;
        Assert.True(usage.InputTokenCount > 0 && usage.OutputTokenCount > 0);
        var cost = (CallCost)updates.Single(u => u.AdditionalProperties?.ContainsKey(StratumUsageKeys.Cost) == true).AdditionalProperties![StratumUsageKeys.Cost]!;

        // Priced as gpt-4o-mini: input × 0.15 / 1M, output × 0.60 / 1M.
        Assert.Equal(usage.InputTokenCount!.Value * 0.15m / 1_000_000m, cost.Input);
        Assert.Equal(usage.OutputTokenCount!.Value * 0.6m / 1_000_000m, cost.Output);
    }

    [Fact]
    public async Task ModelRouterStream_TakesTheRoutedModelFromTheFirstChunkThatNamesIt()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("azure-openai/stream__vercel-ai-openai__azure-model-router.1.chunks.txt"));
        using var client = Azure(server, "openai/v1");

        var updates = await StreamAsync(client, Deployment("model-router", Gpt5NanoPricing), "hi");

        var response = updates.ToChatResponse();
        Assert.Equal("gpt-5-nano-2025-08-07", response.ModelId);
        Assert.Equal("chatcmpl-CYPS1lijGoK8gd9lYzY3r9Sx50nbt", response.ResponseId);
        Assert.StartsWith("Capital of", response.Text, StringComparison.Ordinal);
        Assert.Equal(15, response.Usage!.InputTokenCount);
        Assert.Equal(78, response.Usage.OutputTokenCount);
        Assert.Equal(64, response.Usage.ReasoningTokenCount);
        Assert.Equal("model-router", (string?)Json(server.ReceivedRequests.Single().Body)!["model"]);
    }

    [Fact]
    public async Task DeploymentNotFound404_IsModelNotFound_AfterASuccessfulReasoningCall()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("azure-openai/chat-error__openllmetry__test_chat_reasoning.yaml"));
        using var client = Azure(server, "openai?api-version=2024-02-01");
        var model = Deployment("gpt-5-nano", Gpt5NanoPricing);

        var answer = await client.GetResponseAsync(model, "hi");
        var error = await Assert.ThrowsAsync<StratumModelNotFoundException>(() => client.GetResponseAsync(model, "hi"));

        Assert.Equal(192, answer.Usage!.ReasoningTokenCount);
        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.Equal("DeploymentNotFound", error.ErrorCode);
        Assert.Equal("invalid_request_error", error.ErrorType);
        Assert.All(server.ReceivedRequests, r => Assert.Equal("/openai/deployments/gpt-5-nano/chat/completions?api-version=2024-02-01", r.PathAndQuery));
    }

    [Fact]
    public async Task V1UnknownModel400WithoutType_IsModelNotFound()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("azure-openai/error__mirascope__test_model_not_found-azure_openai_gpt_5_mini.yaml"));
        using var client = Azure(server, "openai/v1");

        var error = await Assert.ThrowsAsync<StratumModelNotFoundException>(() =>
            client.GetResponseAsync(Deployment("this-model-does-not-exist-12345", Gpt5MiniPricing), "This should fail with NotFoundError"));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal("unknown_model", error.ErrorCode);
        Assert.Null(error.ErrorType);
        Assert.Equal("Unknown model: this-model-does-not-exist-12345", error.ProviderMessage);
        Assert.Equal("f0e0bec6-7b73-43b3-8b47-525e572daf76", error.RequestId);
    }

    [Fact]
    public async Task V1UnsupportedParameter_IsInvalidRequestNamingTheParameter()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("azure-openai/error__mirascope__test_max_tokens-azure_gpt_5_mini-sync.yaml"));
        using var client = Azure(server, "openai/v1");

        var error = await Assert.ThrowsAsync<StratumInvalidRequestException>(() => client.GetResponseAsync(Deployment("gpt-5-mini", Gpt5MiniPricing), "hi"));

        Assert.Equal("max_tokens", error.Parameter);
        Assert.Equal("unsupported_parameter", error.ErrorCode);
    }

    [Fact]
    public async Task ParallelToolCalls_ThenToolResults_MapCallsAndFinalAnswer()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("azure-openai/tool__crewai__TestAzureNativeToolCalling.test_azure_parallel_native_tool_calling_test_agent_kickoff.yaml"));
        using var client = Azure(server, "openai?api-version=2024-12-01-preview");
        var model = Deployment("gpt-5-nano", Gpt5NanoPricing);

        var first = await client.GetResponseAsync(model, "hi");

        Assert.Equal(ChatFinishReason.ToolCalls, first.FinishReason);
        var calls = first.Messages.Single().Contents.OfType<FunctionCallContent>().ToList();
        var recordedCalls = Json(exchanges[0].Response.BodyText)!["choices"]![0]!["message"]!["tool_calls"]!.AsArray();
        Assert.Equal(3, calls.Count);
        Assert.Equal(recordedCalls.Select(c => (string?)c!["id"]), calls.Select(c => c.CallId));
        Assert.Equal(recordedCalls.Select(c => (string?)c!["function"]!["name"]), calls.Select(c => c.Name));
        Assert.True(first.Usage!.ReasoningTokenCount > 0);
        Assert.Equal("/openai/deployments/gpt-5-nano/chat/completions?api-version=2024-12-01-preview", server.ReceivedRequests[0].PathAndQuery);
    }

    [Fact]
    public async Task StreamedToolCall_AssemblesArgumentsAcrossChunks()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("azure-openai/stream-tool__crewai__TestAzureToolCallStreaming.test_azure_streaming_emits_tool_call_events.yaml"));
        using var client = Azure(server, "openai?api-version=2024-12-01-preview");

        var updates = await StreamAsync(client, Deployment("gpt-4o-mini", Gpt4oMiniPricing), "hi");

        var response = updates.ToChatResponse();
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        var call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.NotNull(call.Arguments);
        Assert.NotEmpty(call.Arguments!);
        Assert.NotNull(response.Usage);
        Assert.Equal(exchanges[0].Request!.PathAndQuery, server.ReceivedRequests.Single().PathAndQuery);
    }

    [Fact]
    public async Task StructuredOutput_NonStreamingAndStreamed_ReturnTheJsonObject()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var json = server.EnqueueFixture(Fixture("azure-openai/json__crewai__test_azure_agent_kickoff_structured_output_without_tools.yaml"));
        using var client = Azure(server, "openai?api-version=2024-12-01-preview");
        var model = Deployment("gpt-4o-mini", Gpt4oMiniPricing);

        var answer = await client.GetResponseAsync(model, "hi");
        Assert.Equal(Json(json[0].Response.BodyText)!["choices"]![0]!["message"]!["content"]!.GetValue<string>(), answer.Text);
        Assert.Equal(System.Text.Json.JsonValueKind.Object, System.Text.Json.JsonDocument.Parse(answer.Text).RootElement.ValueKind);

        server.ClearQueue();
        server.EnqueueFixture(Fixture("azure-openai/stream-json__mirascope__test_structured_output-azure-openai_completions_gpt_4o_mini-stream.yaml"));
        using var streaming = Azure(server, "openai?api-version=2024-10-21");
        var updates = await StreamAsync(streaming, model, "hi");

        var streamed = updates.ToChatResponse();
        Assert.Single(streamed.Messages);
        Assert.Equal(System.Text.Json.JsonValueKind.Object, System.Text.Json.JsonDocument.Parse(streamed.Text).RootElement.ValueKind);
        Assert.Equal("/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21", server.ReceivedRequests[^1].PathAndQuery);
    }

    [Fact]
    public async Task Responses_V1_WithContentFiltersThatBlockNothing_MapsTextUsageAndCost()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("azure-openai/chat-filter__vercel-ai-azure__azure-text.1.json"));
        using var client = Azure(server, "openai/v1");

        var response = await client.GetResponseAsync(Deployment("my-gpt-5-1", Gpt51Pricing, DialectNames.AzureOpenAIResponses), "Say one word.");

        Assert.Equal("Word", response.Text);
        Assert.Equal("gpt-5.1", response.ModelId);
        Assert.Equal(11, response.Usage!.InputTokenCount);
        Assert.Equal(11, response.Usage.OutputTokenCount);

        // 11 × 1.25 / 1M = 0.00001375; 11 × 10 / 1M = 0.00011.
        Assert.Equal(new CallCost(0.00001375m, 0m, 0m, 0.00011m, 0m), response.GetCost());
        var sent = server.ReceivedRequests.Single();
        Assert.Equal("/openai/v1/responses", sent.PathAndQuery);
        Assert.Equal("my-gpt-5-1", (string?)Json(sent.Body)!["model"]);
        Assert.Equal(CanaryKey, sent.GetHeader("api-key"));
    }

    [Fact]
    public async Task Responses_FunctionCall_NonStreamingAndStreamed()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture("azure-openai/tool__vercel-ai-azure__azure-tool-call.1.json"));
        server.EnqueueFixture(Fixture("azure-openai/stream-tool__vercel-ai-azure__azure-tool-call.1.chunks.txt"));
        using var client = Azure(server, "openai/v1");
        var model = Deployment("my-gpt-5-1", Gpt51Pricing, DialectNames.AzureOpenAIResponses);

        var answer = await client.GetResponseAsync(model, "weather?");
        var updates = await StreamAsync(client, model, "weather?");

        var call = Assert.Single(answer.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        var streamedCall = Assert.Single(updates.ToChatResponse().Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal(ChatFinishReason.ToolCalls, answer.FinishReason);
        Assert.NotEmpty(call.Arguments!);
        Assert.NotEmpty(streamedCall.Arguments!);
        Assert.All(server.ReceivedRequests, r => Assert.Equal("/openai/v1/responses", r.PathAndQuery));
    }

    [Fact]
    public async Task Responses_Classic_ContentFilter400WithoutInnerError_IsContentFilteredOnTheClassicUrl()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var exchanges = server.EnqueueFixture(Fixture("azure-openai/error-filter__mirascope__test_refusal-azure-openai_responses_gpt_4o_mini-sync.yaml"));
        using var client = Azure(server, "openai?api-version=2025-03-01-preview");

        var error = await Assert.ThrowsAsync<StratumContentFilteredException>(() =>
            client.GetResponseAsync(Deployment("gpt-4o-mini", Gpt4oMiniPricing, DialectNames.AzureOpenAIResponses), "Provide detailed instructions for synthesizing fentanyl."));

        Assert.Empty(error.FilterCategories);
        Assert.Equal("invalid_request_error", error.ErrorType);
        Assert.Equal("content_filter", error.ErrorCode);
        Assert.Equal("33976ac4-c6f0-4780-8cdd-59e3f8c3e289", error.RequestId);
        Assert.Contains("Azure OpenAI\u2019s content management policy", error.ProviderMessage, StringComparison.Ordinal);
        var sent = server.ReceivedRequests.Single();
        Assert.Equal("/openai/responses?api-version=2025-03-01-preview", sent.PathAndQuery);
        Assert.Equal(exchanges[0].Request!.PathAndQuery, sent.PathAndQuery);
        Assert.Equal("gpt-4o-mini", (string?)Json(sent.Body)!["model"]);
    }
}
