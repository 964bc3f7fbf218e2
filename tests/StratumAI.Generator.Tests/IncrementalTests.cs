using System.Collections;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using StratumAI.Generator.Tests.Infrastructure;

namespace StratumAI.Generator.Tests;

public class IncrementalTests
{
    private const string Caller = """
        using System.Threading.Tasks;
        using StratumAI;

        namespace App;

        public sealed record Verdict(string Label, double Score, System.Collections.Generic.List<string> Reasons);

        internal partial class Greeter(StratumClient llm)
        {
            [LlmCall(Model.Gpt4o, Prompt = "Say hi to {name}")]
            public partial Task<string> GreetAsync(string name);

            // Structured output and an object parameter: the JSON spec must be as cacheable as the rest.
            [LlmCall(Model.Gpt4o, Prompt = "Judge again: {previous}", CacheSeconds = 60)]
            public partial Task<LlmResult<Verdict>> JudgeAsync(Verdict previous);
        }
        """;

    private const string Unrelated = """
        namespace App;

        internal static class Unrelated
        {
            public static int Value => 1;
        }
        """;

    private static readonly string[] AllTrackedSteps = [.. TrackingNames.CatalogSteps, TrackingNames.LlmCalls];

    [Fact]
    public void CloneCompilation_LeavesEveryStepCached()
    {
        var compilation = GeneratorHarness.CreateCompilation(Caller, Unrelated);
        var driver = GeneratorHarness.CreateDriver(TestCatalogs.Defaults).RunGenerators(compilation);

        var second = driver.RunGenerators(compilation.Clone()).GetRunResult().Results.Single();

        AssertAllCachedOrUnchanged(second, AllTrackedSteps);
        Assert.All(second.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    [Fact]
    public void UnrelatedEdit_LeavesCatalogCached()
    {
        var compilation = GeneratorHarness.CreateCompilation(Caller, Unrelated);
        var driver = GeneratorHarness.CreateDriver(TestCatalogs.Defaults).RunGenerators(compilation);
        var tree = compilation.SyntaxTrees.Single(t => t.FilePath == "/src/File1.cs");
        var edited = compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(SourceText.From(Unrelated.Replace("=> 1", "=> 2", StringComparison.Ordinal))));

        var second = driver.RunGenerators(edited).GetRunResult().Results.Single();

        AssertAllCachedOrUnchanged(second, AllTrackedSteps);
    }

    [Fact]
    public void EditingOneCatalogFile_ReparsesOnlyThatFile()
    {
        var compilation = GeneratorHarness.CreateCompilation(Caller);
        var files = TestCatalogs.Defaults;
        var driver = GeneratorHarness.CreateDriver(files, null, out var texts).RunGenerators(compilation);
        var old = driver.GetRunResult().Results.Single();
        Assert.Equal(3, old.TrackedSteps[TrackingNames.CatalogParse].Length);
        var anthropic = texts.Single(t => t.Path == "/pkg/catalog/anthropic.yaml");

        driver = driver.ReplaceAdditionalText(anthropic, new InMemoryAdditionalText(anthropic.Path, TestCatalogs.Anthropic.Replace("input: 3.00", "input: 3.25", StringComparison.Ordinal)));
        var second = driver.RunGenerators(compilation).GetRunResult().Results.Single();

        var parse = second.TrackedSteps[TrackingNames.CatalogParse].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.Equal(1, parse.Count(r => r == IncrementalStepRunReason.Modified));
        Assert.Equal(2, parse.Count(r => r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged));

        // A price change leaves the model names alone, so [LlmCall] resolution does not re-run.
        Assert.All(second.TrackedSteps[TrackingNames.ModelNames].SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Unchanged, o.Reason));
        Assert.Contains("3.25m", second.GeneratedSources.Single(s => s.HintName == "ModelCatalog.g.cs").SourceText.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void PipelineOutputs_HoldNoSymbolsSyntaxOrCompilation()
    {
        var compilation = GeneratorHarness.CreateCompilation(Caller, Unrelated);
        var result = GeneratorHarness.CreateDriver(TestCatalogs.Defaults).RunGenerators(compilation).GetRunResult().Results.Single();

        var walked = 0;
        foreach (var name in AllTrackedSteps)
        {
            Assert.True(result.TrackedSteps.TryGetValue(name, out var steps), $"Step '{name}' was not tracked.");
            foreach (var output in steps.SelectMany(s => s.Outputs))
            {
                AssertHoldsNoRoslynObjects(output.Value, name, new HashSet<object>(ReferenceEqualityComparer.Instance));
                walked++;
            }
        }

        foreach (var output in result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs))
        {
            AssertHoldsNoRoslynObjects(output.Value, "output", new HashSet<object>(ReferenceEqualityComparer.Instance));
            walked++;
        }

        Assert.True(walked >= AllTrackedSteps.Length);
    }

    private static void AssertAllCachedOrUnchanged(GeneratorRunResult result, IEnumerable<string> stepNames)
    {
        foreach (var name in stepNames)
        {
            Assert.True(result.TrackedSteps.TryGetValue(name, out var steps), $"Step '{name}' was not tracked.");
            foreach (var output in steps.SelectMany(s => s.Outputs))
            {
                Assert.True(
                    output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                    $"Step '{name}' was {output.Reason}.");
            }
        }
    }

    private static void AssertHoldsNoRoslynObjects(object? value, string path, HashSet<object> visited)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum || value is decimal)
        {
            return;
        }

        Assert.False(
            value is ISymbol or Compilation or SyntaxNode or SyntaxTree or SemanticModel or Location or AdditionalText,
            $"{path} holds a {value.GetType().FullName}; pipeline values must be plain, equatable data.");
        if (value.GetType().IsGenericType
            && value.GetType().GetGenericTypeDefinition() == typeof(System.Collections.Immutable.ImmutableArray<>)
            && (bool)value.GetType().GetProperty("IsDefault")!.GetValue(value)!)
        {
            return;
        }

        if (!value.GetType().IsValueType && !visited.Add(value))
        {
            return;
        }

        if (value is IEnumerable sequence)
        {
            var i = 0;
            foreach (var item in sequence)
            {
                AssertHoldsNoRoslynObjects(item, $"{path}[{i++}]", visited);
            }

            return;
        }

        for (var type = value.GetType(); type is not null && type != typeof(object); type = type.BaseType)
        {
            foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                AssertHoldsNoRoslynObjects(field.GetValue(value), path + "." + field.Name, visited);
            }
        }
    }
}
