using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.Extensions.AI;
using StratumAI.Testing;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.LlmCall;

/// <summary>
/// The runtime half of structured output: <see cref="LlmCallOutput{T}"/> and the <c>GetObjectAsync</c>/<c>GetResultAsync</c>
/// runners, against recorded structured-output answers. The converter here stands in for the generated one (the generator
/// tests run the generated converters end to end).
/// </summary>
public sealed class LlmCallStructuredOutputTests
{
    private const string AnswerFixture = "openai/json__crewai__test_openai_response_format_with_pydantic_model.yaml";
    private const string CityFixture = "openai/json__pydantic-ai__test_openai_native_output.yaml";

    private const string AnswerSchema = """
        {"type":"object","properties":{"answer":{"type":"string"},"confidence":{"type":"number"}},"required":["answer","confidence"],"additionalProperties":false}
        """;

    private static readonly List<ChatMessage> Messages = [new(ChatRole.User, "What is the capital of France? Be concise.")];

    private static readonly LlmCallOutput<Answer> AnswerOutput = new(new AnswerConverter(), AnswerSchema, "AnswerResponse", "An answer and how sure it is");

    private static ModelInfo Primary => Model("gpt-4o", Provider("openai"), Gpt4oPricing);

    private static ModelInfo Backup => Model("backup-llama", Provider("backup"), GroqLlama70bPricing);

    private static StratumClient TwoProviderClient(FakeProviderServer server)
        => ClientFor(server, "openai", configure: options =>
        {
            var backup = options.Provider("backup");
            backup.ApiKey = CanaryKey;
            backup.BaseUrl = server.V1();
        });

    [Fact]
    public async Task GetObjectAsync_RecordedJsonSchemaAnswer_IsReadIntoTheTypeAndTheSchemaIsSent()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var recorded = server.EnqueueFixture(Fixture(AnswerFixture));
        using var client = TwoProviderClient(server);
        var options = new ChatOptions { Temperature = 0.1f };

        var answer = await LlmCallRunner.GetObjectAsync(LlmCallRunner.GetChatClient(client), [Primary], Messages, options, AnswerOutput, CancellationToken.None);

        Assert.Equal(new Answer("Paris", 0.99), answer);
        var sent = Json(Assert.Single(server.ReceivedRequests).Body)!;
        var format = sent["response_format"]!;
        Assert.Equal("json_schema", (string)format["type"]!);
        Assert.Equal("AnswerResponse", (string)format["json_schema"]!["name"]!);
        Assert.Equal("An answer and how sure it is", (string)format["json_schema"]!["description"]!);
        AssertJsonEqual(Json(AnswerSchema), format["json_schema"]!["schema"]);

        // The schema the recording was made with has the same shape: the answer above is what such a request gets.
        var recordedSchema = RecordedRequestBody(recorded[0])!["response_format"]!["json_schema"]!["schema"]!;
        Assert.Equal(["answer", "confidence"], recordedSchema["required"]!.AsArray().Select(n => (string)n!).ToArray());
        Assert.Null(options.ResponseFormat);
    }

    [Fact]
    public async Task GetObjectAsync_SecondRecordedExchange_ReadsCityAndCountry()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FixtureLoader.Load(Fixture(CityFixture))[1]);
        using var client = TwoProviderClient(server);
        var output = new LlmCallOutput<CityCountry>(new CityCountryConverter(), """{"type":"object","properties":{"city":{"type":"string"},"country":{"type":"string"}},"required":["city","country"],"additionalProperties":false}""", "result", null);

        var value = await LlmCallRunner.GetObjectAsync(LlmCallRunner.GetChatClient(client), [Primary], Messages, null, output, CancellationToken.None);

        Assert.Equal(new CityCountry("Mexico City", "Mexico"), value);
    }

    [Fact]
    public async Task GetResultAsync_PrimaryReturns503_ReportsTheFallbackItsUsageCostAndEveryAttempt()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Status(503));
        server.EnqueueFixture(Fixture(AnswerFixture));
        using var client = TwoProviderClient(server);

        var result = await LlmCallRunner.GetResultAsync(LlmCallRunner.GetChatClient(client), [Primary, Backup], Messages, null, AnswerOutput, CancellationToken.None);

        Assert.Equal(new Answer("Paris", 0.99), result.Value);
        Assert.Equal("backup-llama", result.ModelId);
        Assert.Equal("backup", result.ProviderId);
        Assert.Same(Backup.Provider.Id, result.Model!.Provider.Id);
        Assert.Equal(94, result.Usage!.InputTokenCount);
        Assert.Equal(11, result.Usage.OutputTokenCount);

        // 94 input and 11 output tokens at the backup's 0.59/0.79 USD per million.
        Assert.Equal((94 * 0.59m + 11 * 0.79m) / 1_000_000m, result.Cost!.Total);
        Assert.Equal(["gpt-4o", "backup-llama"], result.Attempts.Select(a => a.ModelId).ToArray());
        Assert.IsType<StratumProviderUnavailableException>(result.Attempts[0].Error);
        Assert.False(result.Attempts[0].Succeeded);
        Assert.True(result.Attempts[1].Succeeded);
        Assert.True(result.UsedFallback);
        Assert.All(server.ReceivedRequests, r => Assert.Equal("json_schema", (string)Json(r.Body)!["response_format"]!["type"]!));
        Assert.DoesNotContain(CanaryKey, result.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetResultAsync_Text_ReturnsTheTextWithOneSuccessfulAttemptAndNoResponseFormat()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(AnswerFixture));
        using var client = TwoProviderClient(server);

        var result = await LlmCallRunner.GetResultAsync(LlmCallRunner.GetChatClient(client), [Primary, Backup], Messages, null, CancellationToken.None);

        Assert.Equal("{\"answer\":\"Paris\",\"confidence\":0.99}", result.Value);
        Assert.Equal("gpt-4o", result.ModelId);
        Assert.False(result.UsedFallback);
        Assert.Equal("gpt-4o", Assert.Single(result.Attempts).ModelId);
        Assert.Null(Json(Assert.Single(server.ReceivedRequests).Body)!["response_format"]);
    }

    [Theory]
    [InlineData("The capital is Paris.")]
    [InlineData("{\"answer\":\"Paris\"}")]
    [InlineData("null")]
    public async Task GetObjectAsync_AnswerThatDoesNotMatch_ThrowsInvalidResponseAndDoesNotFallBack(string content)
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(RecordedAnswerWithContent(content));
        using var client = TwoProviderClient(server);

        var ex = await Assert.ThrowsAsync<StratumSchemaMismatchException>(() =>
            LlmCallRunner.GetObjectAsync(LlmCallRunner.GetChatClient(client), [Primary, Backup], Messages, null, AnswerOutput, CancellationToken.None));

        Assert.Equal("gpt-4o", ex.ModelId);
        Assert.Equal("openai", ex.ProviderId);
        Assert.StartsWith("Model 'gpt-4o' answered with JSON that does not match Answer:", ex.Message, StringComparison.Ordinal);
        Assert.EndsWith("The answer began: '" + content + "'", ex.Message, StringComparison.Ordinal);
        Assert.Single(server.ReceivedRequests);
    }

    [Fact]
    public async Task GetObjectAsync_LongInvalidAnswer_QuotesOnlyTheStart()
    {
        await using var server = await FakeProviderServer.StartAsync();
        var content = "{\"answer\": \"" + new string('x', 500);
        server.Enqueue(RecordedAnswerWithContent(content));
        using var client = TwoProviderClient(server);

        var ex = await Assert.ThrowsAsync<StratumSchemaMismatchException>(() =>
            LlmCallRunner.GetObjectAsync(LlmCallRunner.GetChatClient(client), [Primary], Messages, null, AnswerOutput, CancellationToken.None));

        Assert.EndsWith("'" + content[..200] + "…'", ex.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<JsonException>(ex.InnerException);
    }

    [Fact]
    public async Task GetObjectAsync_EmptyAnswer_ThrowsEmptyResponse()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(RecordedAnswerWithContent(string.Empty));
        using var client = TwoProviderClient(server);

        var ex = await Assert.ThrowsAsync<StratumEmptyResponseException>(() =>
            LlmCallRunner.GetObjectAsync(LlmCallRunner.GetChatClient(client), [Primary], Messages, null, AnswerOutput, CancellationToken.None));

        Assert.Equal("stop", ex.FinishReason);
    }

    [Fact]
    public async Task GetObjectAsync_ThroughAChatClient_SetsModelIdAndFormatOnEachAttempt()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Status(503));
        server.EnqueueFixture(Fixture(AnswerFixture));
        using var stratum = TwoProviderClient(server);
        stratum.Models.Register([Primary, Backup]);
        var chat = new RoutingByModelId(stratum);

        var answer = await LlmCallRunner.GetObjectAsync(chat, [Primary, "backup-llama"], Messages, null, AnswerOutput, CancellationToken.None);

        Assert.Equal(new Answer("Paris", 0.99), answer);
        Assert.Equal(["gpt-4o", "backup-llama"], chat.Seen.Select(o => o.ModelId!).ToArray());
        Assert.All(chat.Seen, o => Assert.Same(AnswerOutput.Format, o.ResponseFormat));
    }

    [Fact]
    public void Serialize_WritesWithTheGivenWriter()
    {
        var json = LlmCallJson.Serialize(new Answer("Zoë", 0.5), static (writer, value) => new AnswerConverter().Write(writer, value, LlmCallJson.Options));

        Assert.Equal("{\"answer\":\"Zo\\u00EB\",\"confidence\":0.5}", json);
    }

    private static FakeResponse RecordedAnswerWithContent(string content)
    {
        var recorded = FixtureLoader.Load(Fixture(AnswerFixture))[0];
        var body = JsonNode.Parse(recorded.Response.BodyText)!;
        body["choices"]![0]!["message"]!["content"] = content;
        return FakeResponse.Json(body.ToJsonString());
    }

    private sealed record Answer(string Text, double Confidence);

    private sealed record CityCountry(string City, string Country);

    /// <summary>Stands in for a generated converter: strict, and every failure a <see cref="JsonException"/>.</summary>
    private sealed class AnswerConverter : JsonConverter<Answer>
    {
        public override Answer Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("answer", out var text)
                || !root.TryGetProperty("confidence", out var confidence))
            {
                throw new JsonException("An answer needs 'answer' and 'confidence'.");
            }

            return new Answer(text.GetString()!, confidence.GetDouble());
        }

        public override void Write(Utf8JsonWriter writer, Answer value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            writer.WriteString("answer", value.Text);
            writer.WriteNumber("confidence", value.Confidence);
            writer.WriteEndObject();
        }
    }

    private sealed class CityCountryConverter : JsonConverter<CityCountry>
    {
        public override CityCountry Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            return new CityCountry(root.GetProperty("city").GetString()!, root.GetProperty("country").GetString()!);
        }

        public override void Write(Utf8JsonWriter writer, CityCountry value, JsonSerializerOptions options)
            => throw new NotSupportedException("Only read in these tests.");
    }

    /// <summary>A plain <see cref="IChatClient"/> that sends each call to the model named in <see cref="ChatOptions.ModelId"/>.</summary>
    private sealed class RoutingByModelId(StratumClient stratum) : IChatClient
    {
        public List<ChatOptions> Seen { get; } = [];

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Seen.Add(options!);
            return stratum.GetResponseAsync(options!.ModelId!, messages, options, cancellationToken);
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
            => throw new NotSupportedException("Streaming is not part of these tests.");

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
