using System.Collections.Immutable;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using StratumAI.Catalog;

namespace StratumAI.Analyzers;

/// <summary>
/// Checks <c>[LlmCall]</c> methods against the catalog: unknown model strings, missing or weak fallbacks,
/// models that cannot serve the signature, deprecated models and parameters no template uses.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class LlmCallAnalyzer : DiagnosticAnalyzer
{
    private const string AttributeMetadataName = "StratumAI.LlmCallAttribute";
    private static readonly string[] TemplateArguments = { "System", "Prompt" };

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        Descriptors.UnknownModelString,
        Descriptors.MissingFallback,
        Descriptors.FallbackIsPrimary,
        Descriptors.FallbackSameProvider,
        Descriptors.FallbackCannotServe,
        Descriptors.ModelCannotServe,
        Descriptors.DeprecatedModel,
        Descriptors.UnusedParameter,
        Descriptors.WrongModelKind);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(static start =>
        {
            var attributeType = start.Compilation.GetTypeByMetadataName(AttributeMetadataName);
            if (attributeType is null)
            {
                return;
            }

            // Parsed once per compilation, shared by every attribute this compilation holds.
            var catalog = CatalogSnapshot.Create(start.Options, start.CancellationToken);
            start.RegisterSyntaxNodeAction(node => AnalyzeAttribute(node, attributeType, catalog), SyntaxKind.Attribute);
        });
    }

    private static void AnalyzeAttribute(SyntaxNodeAnalysisContext context, INamedTypeSymbol attributeType, CatalogSnapshot catalog)
    {
        var attribute = (AttributeSyntax)context.Node;
        if (!LlmCallShape.MayBeLlmCall(attribute)
            || attribute.Parent?.Parent is not MethodDeclarationSyntax declaration
            || !SymbolEqualityComparer.Default.Equals(context.SemanticModel.GetSymbolInfo(attribute, context.CancellationToken).Symbol?.ContainingType, attributeType)
            || context.SemanticModel.GetDeclaredSymbol(declaration, context.CancellationToken) is not IMethodSymbol method)
        {
            return;
        }

        var templateNames = TemplateNames(attribute, context.SemanticModel, context.CancellationToken, out var templatesReadable);
        if (templatesReadable)
        {
            ReportUnusedParameters(context, attribute, method, templateNames);
        }

        var fallbackExpressions = LlmCallShape.FallbackExpressions(attribute);
        var primaryExpression = LlmCallShape.PrimaryModel(attribute);
        var primary = primaryExpression is null || catalog.IsEmpty
            ? null
            : ModelReference.Resolve(primaryExpression, context.SemanticModel, catalog, context.CancellationToken);
        var required = LlmCallShape.RequiredCapabilities(method, templateNames);

        // A method routed by Strategy has no primary: the router's next-ranked candidates are its fallbacks.
        if (fallbackExpressions.Count == 0 && primaryExpression is not null)
        {
            ReportMissingFallback(context, attribute, primary, required, catalog);
        }

        if (catalog.IsEmpty || primary is not { } primaryReference)
        {
            return;
        }

        if (CheckKnown(context, primaryReference, catalog) is { } primaryModel)
        {
            if (IsEmbeddingModel(primaryModel))
            {
                ReportEmbeddingModel(context, primaryReference.Expression, primaryModel, method.Name);
                return;
            }

            var missing = required.Where(c => !primaryModel.Capabilities.Contains(c)).ToList();
            if (missing.Count > 0)
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    Descriptors.ModelCannotServe,
                    primaryReference.Expression.GetLocation(),
                    "The model '" + primaryModel.Id + "' cannot serve '" + method.Name + "': " + Describe(missing) + " (its capabilities: " + Capabilities(primaryModel) + ")"));
            }
        }

        var seen = new List<CatalogModel>();
        if (primaryReference.Model is { } known)
        {
            seen.Add(known);
        }

        foreach (var expression in fallbackExpressions)
        {
            if (ModelReference.Resolve(expression, context.SemanticModel, catalog, context.CancellationToken) is not { } fallbackReference
                || CheckKnown(context, fallbackReference, catalog) is not { } fallback)
            {
                continue;
            }

            var location = expression.GetLocation();
            if (IsEmbeddingModel(fallback))
            {
                ReportEmbeddingModel(context, expression, fallback, method.Name);
                continue;
            }

            if (seen.Any(m => string.Equals(m.Id, fallback.Id, StringComparison.Ordinal)))
            {
                var isPrimary = primaryReference.Model is { } p && string.Equals(p.Id, fallback.Id, StringComparison.Ordinal);
                context.ReportDiagnostic(Diagnostic.Create(
                    Descriptors.FallbackIsPrimary,
                    location,
                    "The fallback '" + fallback.Id + "' of '" + method.Name + "' is " + (isPrimary ? "the primary model" : "already an earlier fallback") + "; a fallback must be a different model"));
                continue;
            }

            seen.Add(fallback);
            if (primaryReference.Model is not { } primaryModelForFallback)
            {
                continue;
            }

            if (string.Equals(fallback.ProviderId, primaryModelForFallback.ProviderId, StringComparison.Ordinal))
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    Descriptors.FallbackSameProvider,
                    location,
                    "The fallback '" + fallback.Id + "' of '" + method.Name + "' is served by '" + fallback.ProviderId + "' like the primary '" + primaryModelForFallback.Id + "'; one outage of '" + fallback.ProviderId + "' takes both down"));
            }

            var missing = required.Where(c => !fallback.Capabilities.Contains(c)).ToList();
            var reasons = new List<string>();
            if (missing.Count > 0)
            {
                reasons.Add(Describe(missing));
            }

            if (fallback.ContextWindow < primaryModelForFallback.ContextWindow)
            {
                reasons.Add("its context window (" + fallback.ContextWindow.ToString("N0", CultureInfo.InvariantCulture) + " tokens) is smaller than the primary's (" + primaryModelForFallback.ContextWindow.ToString("N0", CultureInfo.InvariantCulture) + ")");
            }

            if (reasons.Count > 0)
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    Descriptors.FallbackCannotServe,
                    location,
                    "The fallback '" + fallback.Id + "' cannot serve '" + method.Name + "': " + string.Join("; ", reasons)));
            }
        }
    }

    /// <summary>Reports an unknown string (STRAT107) or a deprecated model (STRAT113); returns the catalog model when known.</summary>
    internal static CatalogModel? CheckKnown(SyntaxNodeAnalysisContext context, ModelReference reference, CatalogSnapshot catalog)
        => CheckKnown(context.ReportDiagnostic, context.Compilation, context.SemanticModel, reference, catalog, enumAllowed: true);

    /// <param name="report">Reports a diagnostic.</param>
    /// <param name="compilation">The compilation, to find the <c>Model</c> enum.</param>
    /// <param name="semanticModel">The semantic model of the reference's tree, to see whether <c>Model</c> binds there.</param>
    /// <param name="reference">The model as written.</param>
    /// <param name="catalog">The catalog.</param>
    /// <param name="enumAllowed">Whether a fix may write <c>Model.X</c> in place of a string (in [LlmCall], yes; a string parameter, no).</param>
    /// <param name="sameEnumOnly">
    /// Whether the fix must stay in the reference's own enum (an argument of type <c>OpenAIModel</c> takes no <c>Model.X</c>),
    /// and offers nothing when that enum lacks the replacement: a string would not compile there either.
    /// </param>
    internal static CatalogModel? CheckKnown(Action<Diagnostic> report, Compilation compilation, SemanticModel? semanticModel, ModelReference reference, CatalogSnapshot catalog, bool enumAllowed, bool sameEnumOnly = false)
    {
        if (reference.Model is not { } model)
        {
            // An unknown Model.X is the generator's STRAT101; only strings are checked here.
            if (reference.StringId is { } id)
            {
                var closest = catalog.Closest(id);
                var message = "The model id '" + id + "' is not in the catalog"
                    + (closest.IsEmpty
                        ? "; add it to a catalog file or check the spelling"
                        : "; did you mean " + string.Join(", ", closest.Select(c => "'" + c + "'")) + "?");
                var properties = closest.IsEmpty
                    ? ImmutableDictionary<string, string?>.Empty
                    : Replacement(compilation, semanticModel, reference, catalog, closest[0], enumAllowed);
                report(Diagnostic.Create(Descriptors.UnknownModelString, reference.Expression.GetLocation(), properties, message));
            }

            return null;
        }

        if (catalog.DeprecationDue(model) is { } due)
        {
            var when = due <= catalog.Today
                ? "was deprecated on " + model.DeprecatedOn
                : "will be deprecated on " + model.DeprecatedOn + " (in " + (due - catalog.Today).Days.ToString(CultureInfo.InvariantCulture) + " days)";
            var replacement = model.Replacement is { } r && catalog.TryGetById(r, out var replacementModel) ? replacementModel : null;
            var message = "The model '" + model.Id + "' " + when
                + (replacement is null ? "; choose another model" : "; use '" + replacement.Id + "' instead");
            var properties = replacement is null
                ? ImmutableDictionary<string, string?>.Empty
                : Replacement(compilation, semanticModel, reference, catalog, replacement.Id, enumAllowed, sameEnumOnly);
            report(Diagnostic.Create(Descriptors.DeprecatedModel, reference.Expression.GetLocation(), properties, message));
        }

        return model;
    }

    /// <summary>What a code fix writes instead: the enum member when the compilation has the <c>Model</c> enum, else the id.</summary>
    internal static ImmutableDictionary<string, string?> Replacement(Compilation compilation, SemanticModel? semanticModel, ModelReference reference, CatalogSnapshot catalog, string id, bool enumAllowed, bool sameEnumOnly = false)
    {
        var properties = ImmutableDictionary<string, string?>.Empty.Add(DiagnosticProperties.ModelId, id);
        var target = sameEnumOnly ? reference.EnumType : FindModelEnum(compilation, reference);
        if (enumAllowed
            && catalog.TryGetById(id, out var model)
            && target is { } enumType
            && enumType.GetMembers(model.EnumName).Any(m => m is IFieldSymbol))
        {
            // Decided here, where the generated enum is certainly part of the compilation: "Model" when it binds at the site.
            var visible = semanticModel?.LookupNamespacesAndTypes(reference.Expression.SpanStart, name: enumType.Name) ?? ImmutableArray<ISymbol>.Empty;
            var typeSyntax = visible.Length == 1 && SymbolEqualityComparer.Default.Equals(visible[0], enumType)
                ? enumType.Name
                : "global::" + enumType.ToDisplayString();
            properties = properties
                .Add(DiagnosticProperties.EnumMember, model.EnumName)
                .Add(DiagnosticProperties.EnumType, typeSyntax);
        }
        else if (sameEnumOnly)
        {
            return ImmutableDictionary<string, string?>.Empty;
        }

        return properties;
    }

    private static INamedTypeSymbol? FindModelEnum(Compilation compilation, ModelReference reference)
    {
        // A provider enum (OpenAIModel) only holds its own provider's models; the replacement may come from any.
        if (reference.EnumType is { Name: "Model" } bound)
        {
            return bound;
        }

        var ns = reference.EnumType?.ContainingNamespace?.ToDisplayString() ?? "StratumAI";
        return compilation.GetTypeByMetadataName(ns + ".Model") is { TypeKind: TypeKind.Enum } found
            ? found
            : compilation.GetTypeByMetadataName("StratumAI.Model") is { TypeKind: TypeKind.Enum } fallback ? fallback : null;
    }

    /// <summary>Whether the catalog model is an embedding model (capability <c>embeddings</c>): it cannot answer a chat call.</summary>
    internal static bool IsEmbeddingModel(CatalogModel model) => model.Capabilities.Contains("embeddings");

    /// <summary>STRAT116 at a primary or fallback of an [LlmCall] that names an embedding model.</summary>
    private static void ReportEmbeddingModel(SyntaxNodeAnalysisContext context, ExpressionSyntax at, CatalogModel model, string methodName)
        => context.ReportDiagnostic(Diagnostic.Create(
            Descriptors.WrongModelKind,
            at.GetLocation(),
            "'" + model.Id + "' is an embedding model: it does not chat, so it cannot serve the [LlmCall] method '" + methodName + "'; name a chat model here, and use GetEmbeddingGenerator for embeddings"));

    private static void ReportMissingFallback(SyntaxNodeAnalysisContext context, AttributeSyntax attribute, ModelReference? primary, IReadOnlyCollection<string> required, CatalogSnapshot catalog)
    {
        var properties = ImmutableDictionary<string, string?>.Empty;
        var suggestion = string.Empty;
        if (primary is { Model: { } primaryModel } && IsEmbeddingModel(primaryModel))
        {
            return;
        }

        if (primary is { Model: { } primaryModel2 } reference && catalog.CheapestFallback(primaryModel2, required) is { } candidate)
        {
            properties = Replacement(context.Compilation, context.SemanticModel, reference, catalog, candidate.Id, enumAllowed: true);
            suggestion = " such as '" + candidate.Id + "' (" + candidate.ProviderId + ")";
        }

        context.ReportDiagnostic(Diagnostic.Create(
            Descriptors.MissingFallback,
            attribute.Name.GetLocation(),
            properties,
            "The [LlmCall] method has no fallback; an outage of its provider fails every call. Add Fallback = a model of another provider" + suggestion + "."));
    }

    private static HashSet<string> TemplateNames(AttributeSyntax attribute, SemanticModel semanticModel, CancellationToken cancellationToken, out bool readable)
    {
        readable = true;
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in TemplateArguments)
        {
            var argument = LlmCallShape.NamedArgument(attribute, name);
            if (argument is null)
            {
                continue;
            }

            var constant = semanticModel.GetConstantValue(argument.Expression, cancellationToken);
            if (!constant.HasValue)
            {
                readable = false;
                continue;
            }

            if (constant.Value is string template)
            {
                if (LlmCallShape.Placeholders(template) is { } found)
                {
                    names.UnionWith(found);
                }
                else
                {
                    readable = false;
                }
            }
        }

        return names;
    }

    private static void ReportUnusedParameters(SyntaxNodeAnalysisContext context, AttributeSyntax attribute, IMethodSymbol method, HashSet<string> templateNames)
    {
        var hasPrompt = LlmCallShape.NamedArgument(attribute, "Prompt") is not null;
        var candidates = method.Parameters.Where(p => !LlmCallShape.TravelsWithoutTemplate(p, templateNames)).ToList();

        // Without a Prompt a single string parameter is the user message (the generator's rule).
        if (!hasPrompt && candidates.Count(p => p.Type.SpecialType == SpecialType.System_String && p.RefKind == RefKind.None) == 1)
        {
            return;
        }

        foreach (var parameter in candidates)
        {
            if (!templateNames.Contains(parameter.Name) && parameter.Locations.FirstOrDefault() is { } location)
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    Descriptors.UnusedParameter,
                    location,
                    "The parameter '" + parameter.Name + "' of '" + method.Name + "' is used by no template, so it never reaches the model; add {" + parameter.Name + "} to the System or Prompt template, or remove it"));
            }
        }
    }

    private static string Describe(List<string> missing)
        => string.Join(", ", missing.Select(c => c switch
        {
            LlmCallShape.Streaming => "it returns a stream but the model has no 'streaming' capability",
            LlmCallShape.JsonSchema => "it returns structured output but the model has no 'json_schema' capability",
            LlmCallShape.Vision => "it takes an image but the model has no 'vision' capability",
            _ => "it needs '" + c + "'",
        }));

    private static string Capabilities(CatalogModel model)
        => model.Capabilities.Count == 0 ? "none" : string.Join(", ", model.Capabilities);
}
