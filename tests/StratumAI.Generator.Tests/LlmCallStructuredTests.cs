using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using StratumAI.Generator.Tests.Infrastructure;
using StratumAI.Testing;

namespace StratumAI.Generator.Tests;

public class LlmCallStructuredTests
{
    private const string AnswerFixture = "openai/json__crewai__test_openai_response_format_with_pydantic_model.yaml";

    private const string Structured = """
        using System;
        using System.Collections.Generic;
        using System.ComponentModel;
        using System.Text.Json.Serialization;
        using System.Threading;
        using System.Threading.Tasks;
        using StratumAI;

        namespace App.Structured;

        [Description("An answer with how sure the model is.")]
        public sealed record AnswerResponse(string Answer, [property: Description("Between 0 and 1")] double Confidence);

        public enum Mood { Happy, Sad }

        public sealed class Report
        {
            public required string Title { get; init; }
            public int? Score { get; set; }
            public Mood Mood { get; set; }
            public List<Section> Sections { get; set; } = new();
            public IReadOnlyList<string>? Tags { get; init; }
            public DateTimeOffset When { get; set; }
            public Guid Id { get; set; }
            public decimal Price { get; set; }
            [JsonPropertyName("ISBN")] public string? Isbn { get; set; }
            [JsonIgnore] public string Ignored { get; set; } = "kept";
            public int Computed => Sections.Count;
        }

        public record struct Section(string Heading, string[] Lines, Mood? Tone = null);

        public sealed record Customer(string Name, int Age)
        {
            public List<Section>? Visits { get; init; }
        }

        internal partial class Assistant(StratumClient llm)
        {
            [LlmCall(Model.Gpt4o, Fallback = Model.Gpt4oMini, Prompt = "{question}")]
            public partial Task<AnswerResponse> AskAsync(string question, CancellationToken ct = default);

            [LlmCall(Model.Gpt4o, Prompt = "Write a report about {topic}", CacheSeconds = 600)]
            public partial ValueTask<Report> ReportAsync(string topic);

            [LlmCall(Model.Gpt4o, Fallback = Model.Gpt4oMini, Prompt = "{question}", Tags = new[] { "faq" })]
            public partial Task<LlmResult<string>> AskWithDetailsAsync(string question);

            [LlmCall(Model.Gpt4o, Fallback = Model.Gpt4oMini, Prompt = "{question}")]
            public partial ValueTask<LlmResult<AnswerResponse>> AnswerWithDetailsAsync(string question, CancellationToken ct = default);

            [LlmCall(Model.Gpt4o, Prompt = "Greet {customer} (items: {items}, count {count:D3})")]
            public partial Task<string> GreetAsync(Customer customer, string[] items, int count);
        }
        """;

    public static TheoryData<string, string> Methods => new()
    {
        { "StructuredRecord", "LlmCall.App.Structured.Assistant.AskAsync." },
        { "StructuredClassValueTaskWithCache", "LlmCall.App.Structured.Assistant.ReportAsync." },
        { "ResultOfString", "LlmCall.App.Structured.Assistant.AskWithDetailsAsync." },
        { "ResultOfStructured", "LlmCall.App.Structured.Assistant.AnswerWithDetailsAsync." },
        { "ObjectParametersAsJson", "LlmCall.App.Structured.Assistant.GreetAsync." },
    };

    [Theory]
    [MemberData(nameof(Methods))]
    public void StructuredAndResultMethods_MatchBaselineAndCompileWithoutWarnings(string name, string hintPrefix)
    {
        var run = GeneratorHarness.Run(Structured, TestCatalogs.Defaults);

        GeneratorHarness.AssertNoGeneratorFailure(run);
        Assert.Empty(run.GeneratorDiagnostics);
        Baseline.AssertMatches("LlmCall/" + name + ".g.cs", run.SourceStartingWith(hintPrefix));
        Assert.Empty(run.CompileErrors());
        Assert.Empty(run.GeneratedCodeProblems());
    }

    [Fact]
    public void StructuredRecord_SchemaIsProducedAtCompileTime()
    {
        var run = GeneratorHarness.Run(Structured, TestCatalogs.Defaults);

        var source = run.SourceStartingWith("LlmCall.App.Structured.Assistant.AskAsync.");

        Assert.Contains(
            "\"{\\\"type\\\":\\\"object\\\",\\\"description\\\":\\\"An answer with how sure the model is.\\\",\\\"properties\\\":{\\\"answer\\\":{\\\"type\\\":\\\"string\\\"},"
            + "\\\"confidence\\\":{\\\"type\\\":\\\"number\\\",\\\"description\\\":\\\"Between 0 and 1\\\"}},\\\"required\\\":[\\\"answer\\\",\\\"confidence\\\"],\\\"additionalProperties\\\":false}\"",
            source,
            StringComparison.Ordinal);
        Assert.DoesNotContain("typeof(", source, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StructuredMethod_RecordedAnswer_IsParsedIntoTheRecordAndTheSchemaIsSent()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(FixtureLoader.GetFixturePath(AnswerFixture));
        using var client = ClientFor(server);
        var assistant = CreateAssistant(client);

        var answer = await Invoke(assistant, "AskAsync", "What is the capital of France? Be concise.", CancellationToken.None);

        Assert.Equal("Paris", Property<string>(answer, "Answer"));
        Assert.Equal(0.99, Property<double>(answer, "Confidence"));
        var body = JsonNode.Parse(Assert.Single(server.ReceivedRequests).Body)!;
        var format = body["response_format"]!;
        Assert.Equal("json_schema", (string)format["type"]!);
        Assert.Equal("AnswerResponse", (string)format["json_schema"]!["name"]!);
        Assert.Equal("An answer with how sure the model is.", (string)format["json_schema"]!["description"]!);
        Assert.Equal(["answer", "confidence"], format["json_schema"]!["schema"]!["required"]!.AsArray().Select(n => (string)n!).ToArray());
    }

    [Fact]
    public async Task StructuredMethod_PrimaryReturns503_ParsesTheFallbacksAnswer()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Status(503));
        server.EnqueueFixture(FixtureLoader.GetFixturePath(AnswerFixture));
        using var client = ClientFor(server);
        var assistant = CreateAssistant(client);

        var answer = await Invoke(assistant, "AskAsync", "What is the capital of France?", CancellationToken.None);

        Assert.Equal("Paris", Property<string>(answer, "Answer"));
        Assert.Equal(["gpt-4o", "gpt-4o-mini"], server.ReceivedRequests.Select(r => (string)JsonNode.Parse(r.Body)!["model"]!).ToArray());
        Assert.All(server.ReceivedRequests, r => Assert.Equal("json_schema", (string)JsonNode.Parse(r.Body)!["response_format"]!["type"]!));
    }

    [Theory]
    [InlineData("Paris, with 99% confidence.", "does not match AnswerResponse")]
    [InlineData("{\"answer\":\"Paris\"}", "has no 'confidence' property, which is required")]
    [InlineData("{\"answer\":null,\"confidence\":0.5}", "'answer' of 'AnswerResponse' is null")]
    [InlineData("{\"answer\":\"Paris\",\"confidence\":\"high\"}", "does not match AnswerResponse")]
    [InlineData("null", "it is null")]
    [InlineData("[1,2]", "Expected a JSON object for 'AnswerResponse' but found an array")]
    public async Task StructuredMethod_AnswerThatDoesNotMatch_ThrowsInvalidResponseWithModelAndExcerpt(string content, string expected)
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(RecordedAnswerWithContent(content));
        using var client = ClientFor(server);
        var assistant = CreateAssistant(client);

        var ex = await Assert.ThrowsAsync<StratumSchemaMismatchException>(() => Invoke(assistant, "AskAsync", "q", CancellationToken.None));

        Assert.Equal("gpt-4o", ex.ModelId);
        Assert.Equal("openai", ex.ProviderId);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Contains("The answer began: '" + content, ex.Message, StringComparison.Ordinal);
        Assert.Single(server.ReceivedRequests);
    }

    [Fact]
    public async Task StructuredMethod_AnswerInACodeFence_IsParsed()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(RecordedAnswerWithContent("```json\n{\"answer\":\"Lyon\",\"confidence\":0.5}\n```"));
        using var client = ClientFor(server);
        var assistant = CreateAssistant(client);

        var answer = await Invoke(assistant, "AskAsync", "q", CancellationToken.None);

        Assert.Equal("Lyon", Property<string>(answer, "Answer"));
    }

    [Fact]
    public async Task StructuredClass_EveryMemberKind_IsReadFromJson()
    {
        const string report = """
            {"TITLE":"Q3","score":null,"mood":"sad","sections":[{"heading":"Intro","lines":["a","b"],"tone":"Happy"},{"heading":"End","lines":[]}],
             "tags":["x"],"when":"2025-11-24T21:46:05+01:00","id":"6f9619ff-8b86-d011-b42d-00c04fc964ff","price":12.50,"ISBN":"978","extra":{"nested":[1,2]},"ignored":"no"}
            """;
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(RecordedAnswerWithContent(report));
        using var client = ClientFor(server);
        var assistant = CreateAssistant(client);

        var value = await Invoke(assistant, "ReportAsync", "sales");

        Assert.Equal("Q3", Property<string>(value, "Title"));
        Assert.Null(Property<int?>(value, "Score"));
        Assert.Equal("Sad", Property<object>(value, "Mood").ToString());
        var sections = (System.Collections.IList)Property<object>(value, "Sections");
        Assert.Equal(2, sections.Count);
        Assert.Equal("Intro", Property<string>(sections[0]!, "Heading"));
        Assert.Equal(["a", "b"], Property<string[]>(sections[0]!, "Lines"));
        Assert.Equal("Happy", Property<object>(sections[0]!, "Tone").ToString());
        Assert.Null(Property<object?>(sections[1]!, "Tone"));
        Assert.Equal(["x"], Property<IReadOnlyList<string>>(value, "Tags"));
        Assert.Equal(new DateTimeOffset(2025, 11, 24, 21, 46, 5, TimeSpan.FromHours(1)), Property<DateTimeOffset>(value, "When"));
        Assert.Equal(Guid.Parse("6f9619ff-8b86-d011-b42d-00c04fc964ff"), Property<Guid>(value, "Id"));
        Assert.Equal(12.50m, Property<decimal>(value, "Price"));
        Assert.Equal("978", Property<string>(value, "Isbn"));
        Assert.Equal("kept", Property<string>(value, "Ignored"));
        var body = JsonNode.Parse(Assert.Single(server.ReceivedRequests).Body)!;
        var schema = body["response_format"]!["json_schema"]!["schema"]!;
        Assert.Equal(["Happy", "Sad"], schema["properties"]!["mood"]!["enum"]!.AsArray().Select(n => (string)n!).ToArray());
        Assert.Equal("[\"integer\",\"null\"]", schema["properties"]!["score"]!["type"]!.ToJsonString());
        Assert.Null(schema["properties"]!["computed"]);
        Assert.Null(schema["properties"]!["ignored"]);
    }

    [Theory]
    [InlineData("{\"score\":1}", "has no 'title' property, which is required")]
    [InlineData("{\"title\":\"t\",\"mood\":\"Angry\"}", "'Angry' is not a member of the enum 'Mood'")]
    [InlineData("{\"title\":\"t\",\"sections\":[{\"lines\":[]}]}", "has no 'heading' property")]
    [InlineData("{\"title\":\"t\",\"tags\":[null]}", "holds a null item")]
    public async Task StructuredClass_InvalidMember_ThrowsInvalidResponse(string content, string expected)
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(RecordedAnswerWithContent(content));
        using var client = ClientFor(server);
        var assistant = CreateAssistant(client);

        var ex = await Assert.ThrowsAsync<StratumSchemaMismatchException>(() => Invoke(assistant, "ReportAsync", "sales"));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CacheSeconds_ReachesTheOptionsAsATimeSpanAndNeverTheWire()
    {
        var chat = new RecordingChatClient("{\"title\":\"t\"}");
        var run = GeneratorHarness.Run(Structured.Replace("Assistant(StratumClient llm)", "Assistant(Microsoft.Extensions.AI.IChatClient llm)", StringComparison.Ordinal), TestCatalogs.Defaults);
        var assistant = Instantiate(run, chat);

        var value = await Invoke(assistant, "ReportAsync", "sales");

        Assert.Equal("t", Property<string>(value, "Title"));
        var options = Assert.Single(chat.Options);
        Assert.Equal(TimeSpan.FromSeconds(600), options!.AdditionalProperties![StratumOptionKeys.CacheTtl]);
        Assert.Equal("gpt-4o", options.ModelId);
        Assert.IsType<Microsoft.Extensions.AI.ChatResponseFormatJson>(options.ResponseFormat);
    }

    [Fact]
    public async Task ResultMethod_PrimaryReturns503_ReportsTheFallbackUsageCostAndEveryAttempt()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Status(503));
        server.EnqueueFixture(FixtureLoader.GetFixturePath(AnswerFixture));
        using var client = ClientFor(server);
        var assistant = CreateAssistant(client);

        var result = (LlmResult<string>)await Invoke(assistant, "AskWithDetailsAsync", "q");

        Assert.Equal("{\"answer\":\"Paris\",\"confidence\":0.99}", result.Value);
        Assert.Equal("gpt-4o-mini", result.ModelId);
        Assert.Equal("openai", result.ProviderId);
        Assert.Equal("gpt-4o-mini", result.Model!.Id);
        Assert.Equal(94, result.Usage!.InputTokenCount);
        Assert.Equal(11, result.Usage.OutputTokenCount);
        Assert.NotNull(result.Cost);
        Assert.Equal(result.Response.GetCost(), result.Cost);
        Assert.True(result.UsedFallback);
        Assert.Equal(["gpt-4o", "gpt-4o-mini"], result.Attempts.Select(a => a.ModelId).ToArray());
        Assert.IsType<StratumProviderUnavailableException>(result.Attempts[0].Error);
        Assert.True(result.Attempts[1].Succeeded);
        Assert.All(result.Attempts, a => Assert.True(a.Duration >= TimeSpan.Zero));
        Assert.Null(JsonNode.Parse(server.ReceivedRequests[0].Body)!["response_format"]);
    }

    [Fact]
    public async Task ResultOfStructuredMethod_ParsesTheValueAndKeepsTheResponse()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(FixtureLoader.GetFixturePath(AnswerFixture));
        using var client = ClientFor(server);
        var assistant = CreateAssistant(client);

        var result = await Invoke(assistant, "AnswerWithDetailsAsync", "q", CancellationToken.None);

        var value = Property<object>(result, "Value");
        Assert.Equal("Paris", Property<string>(value, "Answer"));
        Assert.Equal("gpt-4o", Property<string>(result, "ModelId"));
        var attempts = Property<IReadOnlyList<FallbackAttempt>>(result, "Attempts");
        Assert.True(Assert.Single(attempts).Succeeded);
        Assert.Equal(105, Property<Microsoft.Extensions.AI.UsageDetails>(result, "Usage").TotalTokenCount);
    }

    [Fact]
    public async Task ObjectParameters_AreFormattedAsJsonAndPrimitivesInvariantly()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(FixtureLoader.GetFixturePath(AnswerFixture));
        using var client = ClientFor(server);
        var run = GeneratorHarness.Run(Structured, TestCatalogs.Defaults);
        var assembly = Load(run);
        var assistant = Activator.CreateInstance(assembly.GetType("App.Structured.Assistant", throwOnError: true)!, client)!;
        var customerType = assembly.GetType("App.Structured.Customer", throwOnError: true)!;
        var customer = Activator.CreateInstance(customerType, "Zoë \"Z\"", 41)!;

        var previous = CultureInfo.CurrentCulture;
        Task<string> call;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            call = (Task<string>)assistant.GetType().GetMethod("GreetAsync")!.Invoke(assistant, [customer, new[] { "tea", "cake" }, 7])!;
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }

        await call;

        var prompt = (string)JsonNode.Parse(Assert.Single(server.ReceivedRequests).Body)!["messages"]![0]!["content"]!;
        Assert.Equal("Greet {\"name\":\"Zo\\u00EB \\u0022Z\\u0022\",\"age\":41,\"visits\":null} (items: [\"tea\",\"cake\"], count 007)", prompt);
    }

    [Fact]
    public void UnsupportedStructuredType_ReportsStrat115AtTheReturnTypeAndEmitsAStub()
    {
        const string source = """
            using System.Collections.Generic;
            using System.Threading.Tasks;
            using StratumAI;

            public sealed class Node
            {
                public string Name { get; set; } = "";
                public Dictionary<string, int> Counts { get; set; } = new();
            }

            internal partial class C(StratumClient llm)
            {
                [LlmCall(Model.Gpt4o, Prompt = "{q}")]
                public partial Task<Node> AskAsync(string q);
            }
            """;

        var run = GeneratorHarness.Run(source, TestCatalogs.Defaults);

        GeneratorHarness.AssertNoGeneratorFailure(run);
        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("STRAT115", diagnostic.Id);
        Assert.Equal("Task<Node>", source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
        Assert.Contains("the property 'Node.Counts'", diagnostic.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Empty(run.CompileErrors());
    }

    [Theory]
    [InlineData("public sealed class T1 { public T1? Next { get; set; } }", "refers to itself")]
    [InlineData("public interface T1 { string Name { get; } }", "the interface 'T1' cannot be created")]
    [InlineData("public abstract class T1 { public string Name { get; set; } = \"\"; }", "the abstract type 'T1'")]
    [InlineData("public sealed class T1 { public T1(int a) { } public T1(string b) { } }", "has no constructor the generated code can call")]
    [InlineData("public sealed class T1 { public object Value { get; set; } = 0; }", "'object' has no fixed shape")]
    [InlineData("public sealed class T1 { public int[,] Grid { get; set; } = new int[0, 0]; }", "multi-dimensional array")]
    public void UnsupportedShapes_ReportStrat115WithTheReason(string declaration, string reason)
    {
        var source = """
            using System.Threading.Tasks;
            using StratumAI;

            
            """ + declaration + """


            internal partial class C(StratumClient llm)
            {
                [LlmCall(Model.Gpt4o, Prompt = "{q}")]
                public partial Task<T1> AskAsync(string q);
            }
            """;

        var run = GeneratorHarness.Run(source, TestCatalogs.Defaults);

        GeneratorHarness.AssertNoGeneratorFailure(run);
        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("STRAT115", diagnostic.Id);
        Assert.Contains(reason, diagnostic.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Empty(run.CompileErrors());
    }

    [Fact]
    public void GenericTypeParameterResult_ReportsStrat115()
    {
        const string source = """
            using System.Threading.Tasks;
            using StratumAI;

            internal partial class C(StratumClient llm)
            {
                [LlmCall(Model.Gpt4o, Prompt = "{q}")]
                public partial Task<T> AskAsync<T>(string q) where T : class;
            }
            """;

        var run = GeneratorHarness.Run(source, TestCatalogs.Defaults);

        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("STRAT115", diagnostic.Id);
        Assert.Contains("type parameter 'T' is not known at compile time", diagnostic.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Empty(run.CompileErrors());
    }

    [Theory]
    [InlineData("Task<int>")]
    [InlineData("Task<System.Collections.Generic.List<string>>")]
    [InlineData("Task<System.TimeSpan>")]
    [InlineData("Task<LlmResult<Microsoft.Extensions.AI.ChatResponse>>")]
    public void ResultWithoutAnObjectSchema_ReportsStrat103(string returnType)
    {
        var source = """
            using System.Threading.Tasks;
            using StratumAI;

            internal partial class C(StratumClient llm)
            {
                [LlmCall(Model.Gpt4o, Prompt = "{q}")]
                public partial 
            """ + returnType + """
             AskAsync(string q);
            }
            """;

        var run = GeneratorHarness.Run(source, TestCatalogs.Defaults);

        Assert.Equal("STRAT103", Assert.Single(run.GeneratorDiagnostics).Id);
        Assert.Empty(run.CompileErrors());
    }

    [Fact]
    public async Task StructuredNestedRecords_RecordedAnthropicAnswer_IsParsedWithEveryIngredientAndStep()
    {
        const string source = """
            using System.Collections.Generic;
            using System.Threading.Tasks;
            using StratumAI;

            namespace App.Cooking;

            public sealed record Ingredient(string Name, string Amount);

            public sealed record Recipe(string Name, IReadOnlyList<Ingredient> Ingredients, string[] Steps);

            public sealed record RecipeAnswer(Recipe Recipe);

            internal partial class Chef(StratumClient llm)
            {
                [LlmCall(Model.Claude35Sonnet, Prompt = "Generate a {dish} recipe.")]
                public partial Task<RecipeAnswer> RecipeAsync(string dish);
            }
            """;
        const string fixture = "anthropic/json__vercel-ai-anthropic__anthropic-json-output-format.1.json";
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(FixtureLoader.GetFixturePath(fixture));
        var options = new StratumClientOptions();
        options.Provider("anthropic").ApiKey = "test-key";
        options.Provider("anthropic").BaseUrl = new Uri(server.BaseUri, "v1");
        using var client = new StratumClient(options);
        var run = GeneratorHarness.Run(source, TestCatalogs.Defaults);
        var chef = Activator.CreateInstance(Load(run).GetType("App.Cooking.Chef", throwOnError: true)!, client)!;

        var answer = await Invoke(chef, "RecipeAsync", "lasagna");

        var recipe = Property<object>(answer, "Recipe");
        Assert.Equal("Classic Lasagna", Property<string>(recipe, "Name"));
        var ingredients = Property<System.Collections.IList>(recipe, "Ingredients");
        Assert.Equal(18, ingredients.Count);
        Assert.Equal("lasagna noodles", Property<string>(ingredients[0]!, "Name"));
        Assert.Equal("12 sheets", Property<string>(ingredients[0]!, "Amount"));
        var steps = Property<string[]>(recipe, "Steps");
        Assert.Equal(15, steps.Length);
        Assert.Equal("Let stand for 15 minutes before serving", steps[^1]);
        var body = JsonNode.Parse(Assert.Single(server.ReceivedRequests).Body)!;
        var format = body["output_config"]!["format"]!;
        Assert.Equal("json_schema", (string)format["type"]!);
        Assert.Equal(["name", "ingredients", "steps"], format["schema"]!["properties"]!["recipe"]!["required"]!.AsArray().Select(n => (string)n!).ToArray());
    }

    private static FakeResponse RecordedAnswerWithContent(string content)
    {
        var recorded = FixtureLoader.Load(FixtureLoader.GetFixturePath(AnswerFixture))[0];
        var body = JsonNode.Parse(recorded.Response.BodyText)!;
        body["choices"]![0]!["message"]!["content"] = content;
        return FakeResponse.Json(body.ToJsonString());
    }

    private static StratumClient ClientFor(FakeProviderServer server)
    {
        var options = new StratumClientOptions();
        options.Provider("openai").ApiKey = "test-key";
        options.Provider("openai").BaseUrl = new Uri(server.BaseUri, "v1");
        return new StratumClient(options);
    }

    private static Assembly Load(GeneratorRun run)
    {
        using var stream = new MemoryStream();
        var emitted = run.Output.Emit(stream);
        Assert.True(emitted.Success, string.Join(Environment.NewLine, emitted.Diagnostics));
        return Assembly.Load(stream.ToArray());
    }

    private static object CreateAssistant(StratumClient client) => Instantiate(GeneratorHarness.Run(Structured, TestCatalogs.Defaults), client);

    private static object Instantiate(GeneratorRun run, object client)
        => Activator.CreateInstance(Load(run).GetType("App.Structured.Assistant", throwOnError: true)!, client)!;

    /// <summary>Calls a generated method and awaits its Task or ValueTask, returning the result as an object.</summary>
    private static async Task<object> Invoke(object target, string method, params object?[] arguments)
    {
        var returned = target.GetType().GetMethod(method)!.Invoke(target, arguments)!;
        var type = returned.GetType();
        var task = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ValueTask<>)
            ? (Task)type.GetMethod("AsTask")!.Invoke(returned, null)!
            : (Task)returned;
        await task;
        return task.GetType().GetProperty("Result")!.GetValue(task)!;
    }

    private static T Property<T>(object target, string name) => (T)target.GetType().GetProperty(name)!.GetValue(target)!;

    /// <summary>An <see cref="Microsoft.Extensions.AI.IChatClient"/> that answers one text and records the options of each call.</summary>
    private sealed class RecordingChatClient(string answer) : Microsoft.Extensions.AI.IChatClient
    {
        public List<Microsoft.Extensions.AI.ChatOptions?> Options { get; } = [];

        public Task<Microsoft.Extensions.AI.ChatResponse> GetResponseAsync(IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages, Microsoft.Extensions.AI.ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Options.Add(options);
            return Task.FromResult(new Microsoft.Extensions.AI.ChatResponse(new Microsoft.Extensions.AI.ChatMessage(Microsoft.Extensions.AI.ChatRole.Assistant, answer)));
        }

        public IAsyncEnumerable<Microsoft.Extensions.AI.ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages, Microsoft.Extensions.AI.ChatOptions? options = null, CancellationToken cancellationToken = default)
            => throw new NotSupportedException("Streaming is not part of these tests.");

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
