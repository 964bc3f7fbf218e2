using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace StratumAI.Generator.Model;

/// <summary>Project-wide settings read from MSBuild properties.</summary>
/// <param name="Namespace">Namespace of the generated catalog types (<c>StratumAINamespace</c>).</param>
/// <param name="PublicTypes">True to make generated types public (<c>StratumAIPublicTypes</c>).</param>
internal sealed record GeneratorOptions(string Namespace, bool PublicTypes)
{
    public const string DefaultNamespace = "StratumAI";

    public static GeneratorOptions Default { get; } = new(DefaultNamespace, false);

    public string Accessibility => PublicTypes ? "public" : "internal";

    public static GeneratorOptions From(AnalyzerConfigOptions globalOptions)
    {
        var ns = globalOptions.TryGetValue("build_property.StratumAINamespace", out var configured)
            && IsValidNamespace(configured.Trim())
            ? configured.Trim()
            : DefaultNamespace;
        var isPublic = globalOptions.TryGetValue("build_property.StratumAIPublicTypes", out var visibility)
            && string.Equals(visibility.Trim(), "true", StringComparison.OrdinalIgnoreCase);
        return new GeneratorOptions(ns, isPublic);
    }

    // An invalid namespace would make every generated file fail to compile; falling back keeps the build usable.
    internal static bool IsValidNamespace(string value)
    {
        if (value.Length == 0)
        {
            return false;
        }

        foreach (var part in value.Split('.'))
        {
            if (!SyntaxFacts.IsValidIdentifier(part) || SyntaxFacts.GetKeywordKind(part) != Microsoft.CodeAnalysis.CSharp.SyntaxKind.None)
            {
                return false;
            }
        }

        return true;
    }
}
