// StratumAI quickstart: one [LlmCall] method and one typed-client call, with tokens and exact cost.
// With OPENAI_API_KEY set it calls OpenAI; without it, it replays a recorded real OpenAI response
// through StratumAI.Testing's fake server on 127.0.0.1, and says so first.
using Microsoft.Extensions.AI;
using StratumAI;
using Quickstart;
using StratumAI.Testing;

var options = new StratumClientOptions();
FakeProviderServer? fake = null;
if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OPENAI_API_KEY")))
{
    Console.WriteLine("No OPENAI_API_KEY set: running against the local fake server, replaying recorded real OpenAI responses.");
    fake = await FakeProviderServer.StartAsync();
    var fixture = Path.Combine(FixtureLoader.SharedFixturesDirectory(), "openai", "chat__pydantic-ai__test_openai_instructions.yaml");
    fake.EnqueueFixture(fixture); // answers the [LlmCall] method
    fake.EnqueueFixture(fixture); // answers the typed-client call
    options.Providers["openai"] = new ProviderOptions { BaseUrl = new Uri(fake.BaseUri, "v1/"), ApiKey = "not-a-real-key" };
}
else
{
    Console.WriteLine("OPENAI_API_KEY is set: calling the OpenAI API.");
}

try
{
    using var llm = new StratumClient(options);

    // 1. A generated method: the body, the Model enum and its prices all come from the catalog at build time.
    var geography = new Geography(llm);
    var answer = await geography.AskCapitalAsync("France");
    Console.WriteLine($"[LlmCall] {answer}");

    // 2. A typed client that only accepts OpenAI's models, returning the full response.
    var openai = new OpenAIClient(llm);
    var response = await openai.GetResponseAsync(
        OpenAIModel.Gpt4o,
        [new ChatMessage(ChatRole.System, "You are a helpful assistant."), new ChatMessage(ChatRole.User, "What is the capital of France?")]);
    var cost = response.GetCost();
    Console.WriteLine($"Answer:  {response.Text}");
    Console.WriteLine($"Model:   {response.ModelId} (catalog: {Model.Gpt4o.GetId()})");
    Console.WriteLine($"Tokens:  {response.Usage?.InputTokenCount} in, {response.Usage?.OutputTokenCount} out");
    Console.WriteLine($"Cost:    ${cost?.Total:0.########}");
}
finally
{
    if (fake is not null)
    {
        await fake.DisposeAsync();
    }
}
