using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using StratumAI.Generator;

namespace StratumAI.Analyzers.Tests.Infrastructure;

/// <summary>
/// Shared set-up for analyzer and code-fix tests: the test catalog as tagged additional files, the real
/// generator (so <c>Model.Gpt4o</c> binds as in a user's build), references from the running framework,
/// and a global config that pins "today" for deprecation checks.
/// </summary>
internal static class StratumTestSetup
{
    public const string DefaultToday = "2026-01-01";

    /// <param name="state">The test or fixed state.</param>
    /// <param name="today">The date deprecations are measured against.</param>
    /// <param name="extraConfig">Lines for the global config (analyzer options such as <c>stratum_ai.deprecation_warning_days</c>).</param>
    /// <param name="editorConfig">Lines for an <c>.editorconfig</c> <c>[*.cs]</c> section (rule severities), or null.</param>
    /// <param name="catalogs">Catalog files; the test catalog when null.</param>
    public static void Apply(SolutionState state, string today, string? extraConfig, string? editorConfig, IEnumerable<(string Path, string Text)>? catalogs)
    {
        if (editorConfig is not null)
        {
            state.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n\n[*.cs]\n" + editorConfig + "\n"));
        }

        state.AdditionalReferences.AddRange(TestReferences.All);
        var config = new StringBuilder()
            .AppendLine("is_global = true")
            .Append("stratum_ai.today = ").AppendLine(today);
        if (extraConfig is not null)
        {
            config.AppendLine(extraConfig);
        }

        foreach (var (path, text) in catalogs ?? TestCatalogs.Defaults)
        {
            state.AdditionalFiles.Add((path, text));
            config.Append('[').Append(path).AppendLine("]").AppendLine("build_metadata.AdditionalFiles.StratumCatalog = default");
        }

        state.AnalyzerConfigFiles.Add(("/.globalconfig", config.ToString()));
    }

    public static IEnumerable<Type> Generators => [typeof(StratumGenerator)];
}

/// <summary>Runs one analyzer over a source with <c>{|STRATnnn:...|}</c> markup.</summary>
internal sealed class StratumAnalyzerTest<TAnalyzer> : CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>
    where TAnalyzer : DiagnosticAnalyzer, new()
{
    public StratumAnalyzerTest(string source, string today = StratumTestSetup.DefaultToday, string? config = null, IEnumerable<(string Path, string Text)>? catalogs = null, string? editorConfig = null)
    {
        TestCode = source;
        ReferenceAssemblies = TestReferences.None;
        TestBehaviors |= TestBehaviors.SkipGeneratedSourcesCheck;
        StratumTestSetup.Apply(TestState, today, config, editorConfig, catalogs);
    }

    protected override IEnumerable<Type> GetSourceGenerators() => StratumTestSetup.Generators;

    public static Task VerifyAsync(string source, string today = StratumTestSetup.DefaultToday, string? config = null, string? editorConfig = null)
        => new StratumAnalyzerTest<TAnalyzer>(source, today, config, editorConfig: editorConfig).RunAsync();
}

/// <summary>Runs an analyzer and a code fix: before (with markup) and after.</summary>
internal sealed class StratumCodeFixTest<TAnalyzer, TCodeFix> : CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>
    where TAnalyzer : DiagnosticAnalyzer, new()
    where TCodeFix : CodeFixProvider, new()
{
    public StratumCodeFixTest(string source, string fixedSource, string today = StratumTestSetup.DefaultToday, string? config = null)
    {
        TestCode = source;
        FixedCode = fixedSource;
        ReferenceAssemblies = TestReferences.None;
        TestBehaviors |= TestBehaviors.SkipGeneratedSourcesCheck;
        StratumTestSetup.Apply(TestState, today, config, null, null);
        StratumTestSetup.Apply(FixedState, today, config, null, null);
    }

    protected override IEnumerable<Type> GetSourceGenerators() => StratumTestSetup.Generators;
}
