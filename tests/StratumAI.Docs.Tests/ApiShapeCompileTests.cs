namespace StratumAI.Docs.Tests;

/// <summary>What a user gets from the compiler for API mistakes the shape of the API could make confusing.</summary>
public sealed class ApiShapeCompileTests
{
    [Fact]
    public async Task UseStratumFallbacks_WithoutModels_IsAClearError_NotAnAmbiguity()
    {
        var block = new DocBlock(
            "ApiShapeCompileTests",
            1,
            "using Microsoft.Extensions.AI;\nusing StratumAI;\n\nvar builder = new StratumClient().AsChatClient().AsBuilder().UseStratumFallbacks();\n",
            Context: null);

        var diagnostics = await DocCompiler.CompileAsync(block);

        Assert.DoesNotContain(diagnostics, d => d.Id == "CS0121");
        var error = Assert.Single(diagnostics, d => d.Id == "CS0619");
        Assert.Contains("needs at least one fallback model", error.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }
}
