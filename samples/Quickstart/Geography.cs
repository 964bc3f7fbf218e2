using StratumAI;

namespace Quickstart;

/// <summary>An [LlmCall] method: StratumAI generates its body from the attribute and the catalog.</summary>
public partial class Geography(StratumClient llm)
{
    [LlmCall(Model.Gpt4o, Fallback = Model.ClaudeSonnet45, System = "You are a helpful assistant.", Prompt = "What is the capital of {country}?")]
    public partial Task<string> AskCapitalAsync(string country, CancellationToken ct = default);
}
