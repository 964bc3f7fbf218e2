using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace StratumAI.Analyzers.CodeFixes;

/// <summary>
/// STRAT108 (no fallback): adds <c>Fallback = Model.X</c> with the model the analyzer chose, the cheapest one of
/// another provider that has every capability the method needs and at least the primary's context window.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddFallbackCodeFix)), Shared]
public sealed class AddFallbackCodeFix : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.MissingFallback);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            var attribute = root.FindNode(diagnostic.Location.SourceSpan).FirstAncestorOrSelf<AttributeSyntax>();
            if (attribute?.ArgumentList is not { } arguments || ModelSyntax.From(diagnostic, out var title) is not { } model)
            {
                continue;
            }

            var fallback = SyntaxFactory.AttributeArgument(
                SyntaxFactory.NameEquals(SyntaxFactory.IdentifierName("Fallback")),
                null,
                model);

            // Right after the positional model argument, where a reader expects it.
            var index = 0;
            while (index < arguments.Arguments.Count && arguments.Arguments[index].NameEquals is null)
            {
                index++;
            }

            var updated = attribute.WithArgumentList(arguments.WithArguments(arguments.Arguments.Insert(index, fallback)));
            context.RegisterCodeFix(
                CodeAction.Create(
                    "Add Fallback = " + title,
                    _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(attribute, updated))),
                    equivalenceKey: nameof(AddFallbackCodeFix)),
                diagnostic);
        }
    }
}
