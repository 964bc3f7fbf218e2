using Microsoft.CodeAnalysis;

namespace StratumAI.Docs.Tests;

/// <summary>Every C# block in README.md and docs/ compiles as written (in the context its page names), with no warning.</summary>
public class DocsCompileTests
{
    public static TheoryData<string> Blocks()
    {
        var data = new TheoryData<string>();
        foreach (var block in DocBlock.All())
        {
            data.Add(block.ToString());
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public async Task CSharpBlock_Compiles(string where)
    {
        var block = DocBlock.All().Single(b => b.ToString() == where);

        var diagnostics = await DocCompiler.CompileAsync(block);

        if (block.ExpectedDiagnostic is { } expected)
        {
            Assert.True(diagnostics.Any(d => d.Id == expected), $"{where} documents {expected} but does not report it:\n{Describe(diagnostics, block)}");
            var others = diagnostics.Where(d => d.Id != expected && block.Also?.Contains(d.Id) != true).ToList();
            Assert.True(others.Count == 0, $"{where} reports more than {expected}:\n{Describe(others, block)}");
        }
        else
        {
            Assert.True(block.Also is not { Count: > 0 }, $"{where}: only a diagnostics page's block may report diagnostics ('also').");
            Assert.True(diagnostics.Count == 0, $"{where} does not compile cleanly:\n{Describe(diagnostics, block)}");
        }
    }

    [Fact]
    public void Pages_HoldTheBlocksThisTestCompiles()
    {
        var blocks = DocBlock.All();

        // The README's quickstart and at least one block of each guide are found; a broken fence would hide them.
        Assert.Contains(blocks, b => b.File == "README.md" && b.Code.Contains("new StratumClient()", StringComparison.Ordinal));
        Assert.True(blocks.Count >= 35, $"Only {blocks.Count} C# blocks found.");
    }

    [Fact]
    public async Task ABlockThatDoesNotCompile_IsReported()
    {
        var block = new DocBlock("docs/example.md", 1, "using StratumAI;\n\nusing var llm = new StratumClient();\nllm.NoSuchMethod();\n", null);

        var diagnostics = await DocCompiler.CompileAsync(block);

        Assert.Contains(diagnostics, d => d.Id == "CS1061");
    }

    [Fact]
    public async Task ADeprecatedModelInAnExample_IsAWarning()
    {
        var block = new DocBlock("docs/example.md", 1, "using StratumAI;\n\nusing var llm = new StratumClient();\nawait llm.GetResponseAsync(Model.Claude35Sonnet, \"Hi\");\n", null);

        var diagnostics = await DocCompiler.CompileAsync(block);

        Assert.Contains(diagnostics, d => d.Id == "STRAT113");
    }

    private static string Describe(IEnumerable<Diagnostic> diagnostics, DocBlock block)
    {
        var wrapped = DocCompiler.Wrap(block);
        var lines = wrapped.Split('\n');
        var offset = wrapped.IndexOf(block.Code, StringComparison.Ordinal) is var at and >= 0 ? wrapped.AsSpan(0, at).Count('\n') : 0;
        return string.Join('\n', diagnostics.Select(d =>
        {
            var span = d.Location.GetLineSpan();
            var index = span.StartLinePosition.Line;
            var inBlock = span.Path == block.File && index < lines.Length;
            var where = inBlock ? $"{block.File}:{block.Line + 1 + index - offset}" : $"{span.Path}:{index + 1}";
            var text = inBlock ? "   | " + lines[index].Trim() : string.Empty;
            return $"  {d.Id} ({where}): {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}{text}";
        }));
    }
}
