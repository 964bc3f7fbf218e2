namespace StratumAI.Catalog.Tests;

public class CatalogNamesTests
{
    [Theory]
    [InlineData("gpt-4o", "Gpt4o")]
    [InlineData("gpt-4o-mini", "Gpt4oMini")]
    [InlineData("claude-3-5-sonnet", "Claude35Sonnet")]
    [InlineData("o3-mini", "O3Mini")]
    [InlineData("o1", "O1")]
    [InlineData("gemini-2.5-flash", "Gemini25Flash")]
    [InlineData("anthropic/claude-3.5-sonnet", "AnthropicClaude35Sonnet")]
    [InlineData("meta-llama/Llama-3.3-70B-Instruct", "MetaLlamaLlama3370BInstruct")]
    [InlineData("llama3.1:8b", "Llama318b")]
    [InlineData("4o", "M4o")]
    [InlineData("2024-model", "M2024Model")]
    [InlineData("grok_beta", "GrokBeta")]
    [InlineData("deepseek-R1", "DeepseekR1")]
    [InlineData("---", "")]
    [InlineData("", "")]
    public void DeriveEnumName_FollowsTheContractTable(string id, string expected)
        => Assert.Equal(expected, CatalogNames.DeriveEnumName(id));

    [Fact]
    public void DeriveEnumName_Null_IsEmpty() => Assert.Equal(string.Empty, CatalogNames.DeriveEnumName(null));

    [Theory]
    [InlineData("OpenAI", "OpenAI")]
    [InlineData("Google Gemini", "GoogleGemini")]
    [InlineData("xAI", "xAI")]
    [InlineData("My-Provider_2!", "MyProvider_2")]
    [InlineData("Groq (fast)", "Groqfast")]
    [InlineData("42 Labs", "42Labs")]
    public void DeriveTypeName_RemovesEveryCharThatIsNotALetterDigitOrUnderscore(string name, string expected)
        => Assert.Equal(expected, CatalogNames.DeriveTypeName(name));

    [Theory]
    [InlineData("Gpt4o", true)]
    [InlineData("_private", true)]
    [InlineData("Modèle", true)]
    [InlineData("Class", true)]
    [InlineData("var", true)]
    [InlineData("class", false)]
    [InlineData("int", false)]
    [InlineData("__arglist", false)]
    [InlineData("@class", false)]
    [InlineData("4o", false)]
    [InlineData("gpt-4o", false)]
    [InlineData("has space", false)]
    [InlineData("Acme\u200DBot", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void IsValidIdentifier_FollowsCSharpRules(string? value, bool expected)
        => Assert.Equal(expected, CatalogNames.IsValidIdentifier(value));
}
