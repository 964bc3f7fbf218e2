// A consumer written the way the README tells a user to: package reference, [LlmCall], the Model
// enum, a typed client, and a models.yaml of its own that adds a provider and a model.
using StratumAI;

var baseUrl = new Uri(Environment.GetEnvironmentVariable("FAKE_BASE_URL")!);
var options = new StratumClientOptions();
options.Providers["openai"] = new ProviderOptions { BaseUrl = new Uri(baseUrl, "v1/"), ApiKey = "consumer-test-key" };
options.Providers["acme"] = new ProviderOptions { BaseUrl = new Uri(baseUrl, "acme/v1/"), ApiKey = "acme-test-key" };
using var llm = new StratumClient(options);

var geography = new Geography(llm);
Console.WriteLine("LLMCALL: " + await geography.AskCapitalAsync("France"));

var acme = new AcmeClient(llm);
var response = await acme.GetResponseAsync(AcmeModel.AcmeChat1, "What is the capital of France?");
Console.WriteLine("ACME: " + response.Text);
Console.WriteLine("ACME-MODEL: " + Model.AcmeChat1.GetId() + " " + ModelCatalog.Get(Model.AcmeChat1).Provider.Id);
Console.WriteLine("ACME-COST: " + response.GetCost()!.Total.ToString(System.Globalization.CultureInfo.InvariantCulture));
Console.WriteLine("CATALOG-SIZE: " + ModelCatalog.All.Count);

// A direct call naming the model by its enum value: checked at compile time, no GetInfo() needed.
var direct = await llm.GetResponseAsync(Model.Gpt4oMini, "What is the capital of France?");
Console.WriteLine("DIRECT: " + direct.Text + " | " + direct.GetModelInfo()!.Id);

public partial class Geography(StratumClient llm)
{
    [LlmCall(Model.Gpt4o, System = "You are a helpful assistant.", Prompt = "What is the capital of {country}?")]
    public partial Task<string> AskCapitalAsync(string country, CancellationToken ct = default);
}
