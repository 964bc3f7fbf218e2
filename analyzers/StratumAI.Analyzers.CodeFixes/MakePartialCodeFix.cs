using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace StratumAI.Analyzers.CodeFixes;

/// <summary>
/// STRAT105 (reported by the generator: an <c>[LlmCall]</c> method or a type containing it is not partial):
/// adds <c>partial</c> to the method and to every containing type that lacks it.
/// </summary>
/// <remarks>
/// Not offered for a method with a body (removing user code is not a safe automatic fix) or for a
/// <c>file</c>-local type (it cannot hold an [LlmCall] method at all).
/// </remarks>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakePartialCodeFix)), Shared]
public sealed class MakePartialCodeFix : CodeFixProvider
{
    /// <summary>The generator's id for "not partial".</summary>
    public const string NotPartialId = "STRAT105";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(NotPartialId);

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
            var node = root.FindToken(diagnostic.Location.SourceSpan.Start).Parent;
            var method = node?.FirstAncestorOrSelf<MethodDeclarationSyntax>();
            var type = node?.FirstAncestorOrSelf<TypeDeclarationSyntax>();
            if (type is null
                || (method is not null && (method.Body is not null || method.ExpressionBody is not null))
                || type.AncestorsAndSelf().OfType<TypeDeclarationSyntax>().Any(t => t.Modifiers.Any(SyntaxKind.FileKeyword)))
            {
                continue;
            }

            // A type-level diagnostic fixes the type and its containers; the methods inside get their own diagnostics.
            var targets = new List<MemberDeclarationSyntax>();
            if (method is not null && !method.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                targets.Add(method);
            }

            targets.AddRange(type.AncestorsAndSelf().OfType<TypeDeclarationSyntax>().Where(t => !t.Modifiers.Any(SyntaxKind.PartialKeyword)));
            if (targets.Count == 0)
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(
                    method is not null ? "Make the method and its types partial" : "Make the type partial",
                    _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNodes(targets, (_, current) => AddPartial(current)))),
                    equivalenceKey: nameof(MakePartialCodeFix)),
                diagnostic);
        }
    }

    private static MemberDeclarationSyntax AddPartial(MemberDeclarationSyntax member)
    {
        var modifiers = member.Modifiers;
        if (modifiers.Count == 0)
        {
            // The token after the attributes carries the indentation; keep it in front of 'partial'.
            var first = member switch
            {
                MethodDeclarationSyntax method => method.ReturnType.GetFirstToken(),
                TypeDeclarationSyntax type => type.Keyword,
                _ => member.GetFirstToken(),
            };
            var partialToken = SyntaxFactory.Token(first.LeadingTrivia, SyntaxKind.PartialKeyword, SyntaxFactory.TriviaList(SyntaxFactory.Space));
            return member.ReplaceToken(first, first.WithLeadingTrivia(SyntaxTriviaList.Empty)).WithModifiers(SyntaxFactory.TokenList(partialToken));
        }

        // 'partial' must come right before the type keyword or return type, so it goes last.
        return member.WithModifiers(modifiers.Add(SyntaxFactory.Token(SyntaxKind.PartialKeyword).WithTrailingTrivia(SyntaxFactory.Space)));
    }
}
