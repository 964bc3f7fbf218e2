using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace StratumAI.Analyzers;

/// <summary>
/// Checks the models passed to StratumAI's runtime APIs. Strings (<c>StratumClient.GetResponseAsync("gpt-4o", …)</c>,
/// <c>GetChatClient("gpt-4o")</c>, …): any parameter named <c>modelIdOrAlias</c> or <c>modelId</c> of a
/// <c>StratumAI</c> type; unknown ids are STRAT107 and deprecated models STRAT113. Enum values
/// (<c>llm.GetResponseAsync(Model.Claude35Sonnet, …)</c>, <c>new OpenAIClient(llm).GetChatClient(OpenAIModel.Gpt4o)</c>,
/// <c>ModelCatalog.Get(Model.X)</c>): any argument of a generated model enum, wherever the generated code lives;
/// deprecated models are STRAT113, fixed to the replacement in the same enum when it has one. Either kind: a chat model
/// given to <c>GetEmbeddingGenerator</c>, or an embedding model (capability <c>embeddings</c>) given to <c>GetChatClient</c>,
/// <c>GetResponseAsync</c> or <c>GetStreamingResponseAsync</c>, is STRAT116.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ModelIdArgumentAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        Descriptors.UnknownModelString,
        Descriptors.DeprecatedModel,
        Descriptors.WrongModelKind);

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
        var stratumMethod = invocation.TargetMethod.ContainingNamespace?.ToDisplayString() == "StratumAI";
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter?.Type is INamedTypeSymbol { TypeKind: TypeKind.Enum } enumType)
            {
                if (CheckEnumArgument(context, argument, enumType, catalog) is { } enumModel && stratumMethod)
                {
                    CheckKind(context, invocation.TargetMethod.Name, enumModel, argument.Value.Syntax);
                }

                continue;
            }

            if (!stratumMethod
                || argument.Parameter is not { Type.SpecialType: SpecialType.System_String, Name: "modelIdOrAlias" or "modelId" }
                || argument.Value.ConstantValue is not { HasValue: true, Value: string id }
                || argument.Value.Syntax is not ExpressionSyntax expression)
            {
                continue;
            }

            var model = catalog.TryGetById(id, out var found) ? found : null;
            if (model is not null)
            {
                CheckKind(context, invocation.TargetMethod.Name, model, expression);
            }

            LlmCallAnalyzer.CheckKnown(context.ReportDiagnostic, context.Compilation, null, new ModelReference(expression, id, null, null, model), catalog, enumAllowed: false);
        }
    }

    /// <summary>STRAT116: a chat model for embeddings, or an embedding model for chat.</summary>
    private static void CheckKind(OperationAnalysisContext context, string method, StratumAI.Catalog.CatalogModel model, SyntaxNode at)
    {
        var embeddingModel = model.Capabilities.Contains("embeddings");
        string? message = method switch
        {
            "GetEmbeddingGenerator" when !embeddingModel =>
                $"'{model.Id}' is a chat model: GetEmbeddingGenerator needs an embedding model (catalog capability 'embeddings'), such as text-embedding-3-small",
            "GetChatClient" or "GetResponseAsync" or "GetStreamingResponseAsync" when embeddingModel =>
                $"'{model.Id}' is an embedding model: it does not chat; use GetEmbeddingGenerator for it, or a chat model here",
            _ => null,
        };
        if (message is not null)
        {
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.WrongModelKind, at.GetLocation(), message));
        }
    }

    /// <summary>STRAT113 for a constant member of a generated model enum (<c>Model</c>, <c>OpenAIModel</c>, …); returns its catalog model.</summary>
    private static StratumAI.Catalog.CatalogModel? CheckEnumArgument(OperationAnalysisContext context, IArgumentOperation argument, INamedTypeSymbol enumType, CatalogSnapshot catalog)
    {
        var value = argument.Value;
        while (value is IConversionOperation conversion)
        {
            value = conversion.Operand;
        }

        if (value is not IFieldReferenceOperation { Field: { HasConstantValue: true } field }
            || !SymbolEqualityComparer.Default.Equals(field.ContainingType, enumType)
            || !IsGeneratedModelEnum(enumType)
            || argument.Value.Syntax is not ExpressionSyntax expression
            || !catalog.TryGetByEnumName(field.Name, out var model))
        {
            return null;
        }

        // Only deprecation can be wrong here: an enum member that exists is a catalog model by construction.
        LlmCallAnalyzer.CheckKnown(
            context.ReportDiagnostic,
            context.Compilation,
            argument.SemanticModel,
            new ModelReference(expression, null, field.Name, enumType, model),
            catalog,
            enumAllowed: true,
            sameEnumOnly: true);
        return model;
    }

    private static bool IsGeneratedModelEnum(INamedTypeSymbol enumType)
    {
        if (!enumType.Name.EndsWith("Model", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var attribute in enumType.GetAttributes())
        {
            if (attribute.AttributeClass is { Name: "GeneratedCodeAttribute" }
                && attribute.ConstructorArguments.Length > 0
                && attribute.ConstructorArguments[0].Value is "StratumAI.Generator")
            {
                return true;
            }
        }

        return false;
    }
}
