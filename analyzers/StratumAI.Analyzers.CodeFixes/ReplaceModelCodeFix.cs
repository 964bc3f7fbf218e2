using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace StratumAI.Analyzers.CodeFixes;

/// <summary>
/// STRAT107 (unknown model id) and STRAT113 (deprecated model): puts the suggested model in place of the
/// flagged one, as <c>Model.X</c> in <c>[LlmCall]</c> when the enum has it, else as an id string.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ReplaceModelCodeFix)), Shared]
public sealed class ReplaceModelCodeFix : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.UnknownModelString, DiagnosticIds.DeprecatedModel);

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
            if (root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not ExpressionSyntax expression
                || ModelSyntax.From(diagnostic, out var title) is not { } replacement)
            {
                continue;
            }

            var verb = diagnostic.Id == DiagnosticIds.DeprecatedModel ? "Replace deprecated model with " : "Use ";
            context.RegisterCodeFix(
                CodeAction.Create(
                    verb + title,
                    _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(expression, replacement.WithTriviaFrom(expression)))),
                    equivalenceKey: nameof(ReplaceModelCodeFix) + diagnostic.Id),
                diagnostic);
        }
    }
}
