using System.Text;
using Microsoft.CodeAnalysis;
using StratumAI.Generator.Tests.Infrastructure;

namespace StratumAI.Generator.Tests;

/// <summary>A broken catalog must become STRAT diagnostics, never a generator crash (CS8784/CS8785) or uncompilable output.</summary>
public class RobustnessTests
{
    private const string Caller = """
        using System.Threading.Tasks;
        using StratumAI;

        internal partial class Greeter(StratumClient llm)
        {
            [LlmCall(Model.Gpt4o, Prompt = "Say hi to {name}")]
            public partial Task<string> GreetAsync(string name);
        }
        """;

    public static TheoryData<string, string> Corpus()
    {
        var corpus = new TheoryData<string, string>();
        var valid = TestCatalogs.OpenAI + "\n" + TestCatalogs.Anthropic.Replace("provider:", "other:", StringComparison.Ordinal);
        var lines = TestCatalogs.OpenAI.Split('\n');

        // Truncated at every line, and in the middle of every line.
        for (var i = 0; i <= lines.Length; i++)
        {
            var head = string.Join('\n', lines.Take(i));
            corpus.Add($"/app/truncated-{i:D2}.yaml", head);
            if (i < lines.Length)
            {
                corpus.Add($"/app/cut-{i:D2}.yaml", head + "\n" + lines[i][..(lines[i].Length / 2)]);
            }
        }

        // The JSON form, truncated.
        for (var i = 0; i <= TestCatalogs.Ollama.Length; i += 7)
        {
            corpus.Add($"/app/truncated-{i:D3}.json", TestCatalogs.Ollama[..i]);
        }

        // Random bytes (fixed seeds), read both as UTF-8 and as Latin-1 so control characters appear.
        for (var seed = 0; seed < 12; seed++)
        {
            var random = new Random(seed);
            var bytes = new byte[random.Next(1, 600)];
            random.NextBytes(bytes);
            corpus.Add($"/app/random-{seed:D2}.yaml", Encoding.UTF8.GetString(bytes));
            corpus.Add($"/app/random-{seed:D2}.json", Encoding.Latin1.GetString(bytes));
        }

        // Mutations of a valid file: characters replaced, deleted, duplicated; lines swapped.
        string[] noise = [":", "-", "[", "]", "{", "}", "\"", "'", "\t", "&a", "*a", "!!binary", "?", "|", ">", "#", "\0", "9999999999999999999999", "-0.0", "1e400", "null", "~", "\u2028"];
        for (var seed = 0; seed < 40; seed++)
        {
            var random = new Random(1000 + seed);
            var text = new StringBuilder(valid);
            for (var edit = 0; edit < 1 + (seed % 5); edit++)
            {
                var at = random.Next(text.Length);
                switch (random.Next(4))
                {
                    case 0: text.Insert(at, noise[random.Next(noise.Length)]); break;
                    case 1: text.Remove(at, Math.Min(random.Next(1, 20), text.Length - at)); break;
                    case 2: text[at] = noise[random.Next(noise.Length)][0]; break;
                    default:
                        var all = text.ToString().Split('\n');
                        var a = random.Next(all.Length);
                        var b = random.Next(all.Length);
                        (all[a], all[b]) = (all[b], all[a]);
                        text.Clear().Append(string.Join('\n', all));
                        break;
                }
            }

            corpus.Add($"/app/mutated-{seed:D2}.{(seed % 3 == 0 ? "json" : "yaml")}", text.ToString());
        }

        // Hostile but well-formed values.
        corpus.Add("/app/hostile.yaml", """
            provider:
              id: "x\"y"
              name: "</summary><script>"
              type_name: "class"
              dialect: openai
              base_url: https://a.example/v1
            models:
              - id: "a\"b\\c\n{d}"
                name: "namespace"
                context_window: 2147483648
                price: { input: 79228162514264337593543950335, output: -0 }
              - id: "ok-model"
                context_window: 1
                price: { input: 0.0000000000000000000000000001, output: 1 }
                deprecated_on: "2026-02-30"
                replacement: "ok-model"
            """);
        return corpus;
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public void BrokenOrRandomCatalog_ProducesOnlyStratDiagnosticsAndCompilableCode(string path, string text)
    {
        var run = GeneratorHarness.Run([Caller], [.. TestCatalogs.Defaults, new CatalogTestFile(path, text, "user")]);

        GeneratorHarness.AssertNoGeneratorFailure(run);
        Assert.All(run.GeneratorDiagnostics, d => Assert.StartsWith("STRAT", d.Id, StringComparison.Ordinal));
        Assert.DoesNotContain(run.GeneratedCodeProblems(), d => d.Severity == DiagnosticSeverity.Error);
    }

    [Fact]
    public void OneDriverFedTheWholeCorpusInTurn_NeverFails()
    {
        var compilation = GeneratorHarness.CreateCompilation(Caller);
        var driver = GeneratorHarness.CreateDriver([.. TestCatalogs.Defaults, new CatalogTestFile("/app/models.yaml", TestCatalogs.OpenAI.Replace("openai", "openai2", StringComparison.Ordinal), "user")], null, out var texts);
        var current = texts.Single(t => t.Path == "/app/models.yaml");
        var runs = 0;

        foreach (var row in Corpus())
        {
            // Same path each time, so the driver sees an edit of one file rather than a new file.
            var next = new InMemoryAdditionalText("/app/models.yaml", (string)row[1]);
            driver = driver.ReplaceAdditionalText(current, next).RunGeneratorsAndUpdateCompilation(compilation, out _, out var diagnostics);
            current = next;
            runs++;

            Assert.All(diagnostics, d => Assert.StartsWith("STRAT", d.Id, StringComparison.Ordinal));
        }

        Assert.True(runs > 100);
    }
}
