using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace StratumAI.Analyzers.CodeFixes;

/// <summary>Builds the expression that names a model, from the properties the analyzers attach.</summary>
internal static class ModelSyntax
{
    /// <summary><c>Model.X</c> when the diagnostic names an enum member (written as the analyzer found it binds at the site), else the id string.</summary>
    public static ExpressionSyntax? From(Diagnostic diagnostic, out string title)
    {
        title = string.Empty;
        if (!diagnostic.Properties.TryGetValue(DiagnosticProperties.ModelId, out var id) || string.IsNullOrEmpty(id))
        {
            return null;
        }

        if (diagnostic.Properties.TryGetValue(DiagnosticProperties.EnumMember, out var member) && !string.IsNullOrEmpty(member)
            && diagnostic.Properties.TryGetValue(DiagnosticProperties.EnumType, out var enumType) && !string.IsNullOrEmpty(enumType))
        {
            title = enumType!.Substring(enumType.LastIndexOf('.') + 1) + "." + member;
            return SyntaxFactory.ParseExpression(enumType + "." + member);
        }

        title = "\"" + id + "\"";
        return SyntaxFactory.LiteralExpression(SyntaxKind.StringLiteralExpression, SyntaxFactory.Literal(id!));
    }
}
