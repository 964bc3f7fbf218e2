using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace StratumAI.Analyzers;

/// <summary>
/// Checks model id strings passed to StratumAI's runtime APIs (<c>StratumClient.GetResponseAsync("gpt-4o", …)</c>,
/// <c>GetChatClient("gpt-4o")</c>, …): any parameter named <c>modelIdOrAlias</c> or <c>modelId</c> of a
/// <c>StratumAI</c> type. Reports unknown ids (STRAT107) and deprecated models (STRAT113).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ModelIdArgumentAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        Descriptors.UnknownModelString,
        Descriptors.DeprecatedModel);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(static start =>
        {
            if (start.Compilation.GetTypeByMetadataName("StratumAI.StratumClient") is null)
            {
                return;
            }

            var catalog = CatalogSnapshot.Create(start.Options, start.CancellationToken);
            if (catalog.IsEmpty)
            {
                return;
            }

            start.RegisterOperationAction(operation => AnalyzeInvocation(operation, catalog), OperationKind.Invocation);
        });
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context, CatalogSnapshot catalog)
    {
        var invocation = (IInvocationOperation)context.Operation;
        if (invocation.TargetMethod.ContainingNamespace?.ToDisplayString() != "StratumAI")
        {
            return;
        }

        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter is not { Type.SpecialType: SpecialType.System_String, Name: "modelIdOrAlias" or "modelId" }
                || argument.Value.ConstantValue is not { HasValue: true, Value: string id }
                || argument.Value.Syntax is not ExpressionSyntax expression)
            {
                continue;
            }

            var model = catalog.TryGetById(id, out var found) ? found : null;
            LlmCallAnalyzer.CheckKnown(context.ReportDiagnostic, context.Compilation, null, new ModelReference(expression, id, null, null, model), catalog, enumAllowed: false);
        }
    }
}
