using Microsoft.CodeAnalysis;
using StratumAI.Generator.Tests.Infrastructure;

namespace StratumAI.Generator.Tests;

/// <summary>Odd or half-typed [LlmCall] code (as the IDE sees it mid-edit) must never crash the generator or break its output.</summary>
public class LlmCallRobustnessTests
{
    public static TheoryData<string, string> OddMethods => new()
    {
        { "NoArguments", "[LlmCall] public partial Task<string> M(string q);" },
        { "EmptyArguments", "[LlmCall()] public partial Task<string> M(string q);" },
        { "NullModel", "[LlmCall(null!)] public partial Task<string> M(string q);" },
        { "NumberModel", "[LlmCall(42, Prompt = \"{q}\")] public partial Task<string> M(string q);" },
        { "NonConstantPrompt", "[LlmCall(Model.Gpt4o, Prompt = nameof(M) + Field)] public partial Task<string> M(string q); private static string Field = \"x\";" },
        { "NullPrompt", "[LlmCall(Model.Gpt4o, Prompt = null)] public partial Task<string> M(string q);" },
        { "NumberPrompt", "[LlmCall(Model.Gpt4o, Prompt = 5)] public partial Task<string> M(string q);" },
        { "OutParameter", "[LlmCall(Model.Gpt4o, Prompt = \"{q}\")] public partial Task<string> M(string q, out int n);" },
        { "RefAndParams", "[LlmCall(Model.Gpt4o, Prompt = \"{q} {rest}\")] public partial Task<string> M(ref string q, params int[] rest);" },
        { "VoidReturn", "[LlmCall(Model.Gpt4o, Prompt = \"{q}\")] public partial void M(string q);" },
        { "ImplicitlyPrivate", "[LlmCall(Model.Gpt4o, Prompt = \"{q}\")] partial void M(string q);" },
        { "GenericWithClassConstraint", "[LlmCall(Model.Gpt4o, Prompt = \"{item}\")] public partial Task<string> M<T>(T item) where T : System.IComparable<T>, new();" },
        { "EmptyPlaceholder", "[LlmCall(Model.Gpt4o, Prompt = \"{} {q}\")] public partial Task<string> M(string q);" },
        { "BadFormat", "[LlmCall(Model.Gpt4o, Prompt = \"{q:\\\"x}\")] public partial Task<string> M(string q);" },
        { "BadAlignment", "[LlmCall(Model.Gpt4o, Prompt = \"{q,abc}\")] public partial Task<string> M(string q);" },
        { "StrayCloseBrace", "[LlmCall(Model.Gpt4o, Prompt = \"a } b\")] public partial Task<string> M(string q);" },
        { "TwoStringsNoPrompt", "[LlmCall(Model.Gpt4o)] public partial Task<string> M(string a, string b);" },
        { "UnicodeAndNewlines", "[LlmCall(Model.Gpt4o, System = \"ä\\u2028ö\\r\\n\\0\", Prompt = \"{q,5:N2}\\u0085\")] public partial Task<string> M(double q);" },
        { "KeywordNames", "[LlmCall(Model.Gpt4o, Prompt = \"{@event} {@string}\")] public partial Task<string> M(string @event, int @string, System.Threading.CancellationToken @default);" },
        { "ExpressionBody", "[LlmCall(Model.Gpt4o, Prompt = \"{q}\")] public partial Task<string> M(string q) => Task.FromResult(q);" },
        { "HalfTyped", "[LlmCall(Model." },
        { "Missing method name", "[LlmCall(Model.Gpt4o, Prompt = \"{q}\")] public partial Task<string> (string q);" },
        { "NamedModelArgument", "[LlmCall(model: Model.Gpt4o, Prompt = \"{q}\", Temperature = double.NaN, MaxTokens = -3)] public partial Task<string> M(string q);" },
        { "DeclaredTwice", "[LlmCall(Model.Gpt4o, Prompt = \"{q}\")] public partial Task<string> M(string q); [LlmCall(Model.Gpt4o, Prompt = \"{q}\")] public partial Task<string> M(string q);" },
        { "Shadowed client", "[LlmCall(Model.Gpt4o, Prompt = \"{llm}\")] public partial Task<string> M(string llm);" },
    };

    [Theory]
    [MemberData(nameof(OddMethods))]
    public void OddLlmCallMethod_NeverCrashesAndGeneratesNoBrokenCode(string name, string member)
    {
        var source = $$"""
            using System.Threading.Tasks;
            using StratumAI;

            namespace Odd;

            internal partial class C(StratumClient llm)
            {
                private StratumClient Unused => llm;

                {{member}}
            }
            """;

        var run = GeneratorHarness.Run(source, TestCatalogs.Defaults);

        GeneratorHarness.AssertNoGeneratorFailure(run);
        var problems = run.GeneratedCodeProblems().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(problems.Count == 0, name + ": " + string.Join(Environment.NewLine, problems));
    }

    [Theory]
    [InlineData("internal partial struct S { private readonly StratumClient _c; public S(StratumClient c) => _c = c; [LlmCall(Model.Gpt4o, Prompt = \"{q}\")] public partial Task<string> M(string q); }")]
    [InlineData("internal partial interface I { [LlmCall(Model.Gpt4o, Prompt = \"{q}\")] partial Task<string> M(string q); }")]
    [InlineData("internal static partial class E { private static readonly StratumClient s_c = new(); [LlmCall(Model.Gpt4o, Prompt = \"{s}\")] public static partial Task<string> M(this string s); }")]
    [InlineData("internal partial class Base { protected StratumClient Client { get; } = new(); } internal partial class Derived : Base { [LlmCall(Model.Gpt4o, Prompt = \"{q}\")] public partial Task<string> M(string q); }")]
    [InlineData("internal partial class Priv { private StratumClient? _maybe; [LlmCall(Model.Gpt4o, Prompt = \"{q}\")] public partial Task<string> M(string q); }")]
    [InlineData("internal readonly ref partial struct R { private readonly StratumClient _c; public R(StratumClient c) => _c = c; [LlmCall(Model.Gpt4o, Prompt = \"{q}\")] public partial Task<string> M(string q); }")]
    [InlineData("file partial class F { private readonly StratumClient _c = new(); [LlmCall(Model.Gpt4o, Prompt = \"{q}\")] public partial Task<string> M(string q); }")]
    [InlineData("internal partial class G<T, U> where T : class where U : struct { public partial class N<V> { private readonly StratumClient _c = new(); [LlmCall(Model.Gpt4o, Prompt = \"{q}\")] internal partial Task<string> M(T q, U u, V v); } }")]
    public void OddContainingType_NeverCrashesAndGeneratesNoBrokenCode(string declaration)
    {
        var source = "using System.Threading.Tasks;\nusing StratumAI;\n\nnamespace Odd.Types\n{\n" + declaration + "\n}\n";

        var run = GeneratorHarness.Run(source, TestCatalogs.Defaults);

        GeneratorHarness.AssertNoGeneratorFailure(run);
        var problems = run.GeneratedCodeProblems().ToList();
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }
}
