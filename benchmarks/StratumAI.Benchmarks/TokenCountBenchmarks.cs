using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;

namespace StratumAI.Benchmarks;

/// <summary>
/// The o200k count of a 1 MB prompt without spaces, through the router's analysis (the budget estimate uses the same
/// counter): one letter repeated, random lowercase letters (one piece either way), and 1,000-letter pieces between dots —
/// each piece under the exact-count limit, the most merging work per byte left. Target: linear in the length.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class TokenCountBenchmarks
{
    private const int Length = 1 << 20;

    private ChatMessage[] _messages = null!;

    [Params("one letter", "random letters", "1,000-letter pieces")]
    public string Text { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        var builder = new StringBuilder(Length);
        while (builder.Length < Length)
        {
            if (Text == "1,000-letter pieces" && builder.Length % 1_001 == 0)
            {
                builder.Append('.');
            }

            builder.Append(Text == "one letter" ? 'a' : (char)random.Next('a', 'z' + 1));
        }

        _messages = [new ChatMessage(ChatRole.User, builder.ToString())];
        Console.WriteLine($"// {Text}: {Length} characters, {ComplexityAnalyzer.Default.Analyze(_messages).Features.PromptTokens} tokens counted");
    }

    /// <summary>Analysis of the prompt, the o200k count most of it.</summary>
    [Benchmark]
    public int Analyze1MB() => ComplexityAnalyzer.Default.Analyze(_messages).Features.PromptTokens;
}
