// A consumer that calls a generated [LlmCall] method of every return type against the fake server,
// including fallbacks taken when the primary answers 503 and structured output read into records.
using System.Globalization;
using System.Text;
using Microsoft.Extensions.AI;
using StratumAI;

var baseUrl = new Uri(Environment.GetEnvironmentVariable("FAKE_BASE_URL")!);
var options = new StratumClientOptions();
options.Providers["openai"] = new ProviderOptions { BaseUrl = new Uri(baseUrl, "v1/"), ApiKey = "consumer-test-key" };
using var llm = new StratumClient(options);
var desk = new Desk(llm);

Console.WriteLine("TEXT: " + await desk.AskAsync("France"));
Console.WriteLine("VALUETEXT: " + await desk.AskValueAsync("France"));
var response = await desk.RawAsync("France");
Console.WriteLine("RESPONSE: " + response.Text + " | tokens " + response.Usage?.TotalTokenCount);

var updates = 0;
var streamed = new StringBuilder();
await foreach (var text in desk.StreamAsync("a holiday"))
{
    updates++;
    streamed.Append(text);
}

Console.WriteLine("STREAM: " + (updates > 1 ? "several" : "one") + " | " + streamed);

var answer = await desk.AnswerAsync(new Question("What is the capital of France?", ["Be concise."]));
Console.WriteLine("OBJECT: " + answer.Answer + " " + answer.Confidence.ToString(CultureInfo.InvariantCulture));

var result = await desk.AnswerWithDetailsAsync(new Question("What is the capital of France?", []));
Console.WriteLine("RESULT: " + result.Value.Answer + " | model " + result.ModelId + " | attempts " + string.Join(",", result.Attempts.Select(a => a.ModelId + "=" + (a.Error?.GetType().Name ?? "ok")))
    + " | cost " + result.Cost!.Total.ToString(CultureInfo.InvariantCulture));

/// <summary>What the model answers, read from its JSON.</summary>
public sealed record AnswerResponse(string Answer, double Confidence);

/// <summary>A question, written into the prompt as JSON.</summary>
public sealed record Question(string Text, IReadOnlyList<string> Rules);

/// <summary>One generated method per return type.</summary>
public partial class Desk(StratumClient llm)
{
    [LlmCall(Model.Gpt4o, Fallback = Model.Gpt4oMini, System = "You are a helpful assistant.", Prompt = "What is the capital of {country}?")]
    public partial Task<string> AskAsync(string country, CancellationToken ct = default);

    [LlmCall(Model.Gpt4o, Fallback = Model.Gpt4oMini, Prompt = "What is the capital of {country}?")]
    public partial ValueTask<string> AskValueAsync(string country);

    [LlmCall(Model.Gpt4o, Fallback = Model.Gpt4oMini, Prompt = "What is the capital of {country}?")]
    public partial Task<ChatResponse> RawAsync(string country);

    [LlmCall(Model.Gpt4o, Fallback = Model.Gpt4oMini, Prompt = "Invent {topic}")]
    public partial IAsyncEnumerable<string> StreamAsync(string topic, CancellationToken ct = default);

    [LlmCall(Model.Gpt4o, Fallback = Model.Gpt4oMini, Prompt = "Answer {question}", CacheSeconds = 300)]
    public partial Task<AnswerResponse> AnswerAsync(Question question, CancellationToken ct = default);

    [LlmCall(Model.Gpt4o, Fallback = Model.Gpt4oMini, Prompt = "Answer {question}")]
    public partial Task<LlmResult<AnswerResponse>> AnswerWithDetailsAsync(Question question, CancellationToken ct = default);
}
