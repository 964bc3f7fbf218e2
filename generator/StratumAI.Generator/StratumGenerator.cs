using Microsoft.CodeAnalysis;
using StratumAI.Catalog;
using StratumAI.Generator.Emitter;
using StratumAI.Generator.Model;
using StratumAI.Generator.Parser;

namespace StratumAI.Generator;

/// <summary>
/// Generates the <c>Model</c> enum, <c>ModelCatalog</c> and typed provider clients from the catalog
/// files, and the bodies of <c>[LlmCall]</c> methods. This class only wires the pipeline; parsing is
/// in <c>Parser/</c>, emission in <c>Emitter/</c>.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class StratumGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var options = context.AnalyzerConfigOptionsProvider
            .Select(static (provider, _) => GeneratorOptions.From(provider.GlobalOptions))
            .WithTrackingName(TrackingNames.Options);

        var parsedFiles = context.AdditionalTextsProvider
            .Combine(context.AnalyzerConfigOptionsProvider)
            .Select(static (pair, ct) => CatalogParserStep.Select(pair.Left, pair.Right, ct))
            .WithTrackingName(TrackingNames.CatalogInputs)
            .Where(static input => input is not null)
            .Select(static (input, ct) => CatalogParserStep.Parse(input!, ct))
            .WithTrackingName(TrackingNames.CatalogParse);

        var catalog = parsedFiles
            .Collect()
            .Select(static (files, ct) => CatalogParserStep.Merge(files, ct))
            .WithTrackingName(TrackingNames.CatalogMerge);

        var modelNames = catalog
            .Select(static (merged, ct) => CatalogParserStep.Names(merged, ct))
            .WithTrackingName(TrackingNames.ModelNames);

        var calls = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                LlmCallParser.AttributeMetadataName,
                static (node, ct) => LlmCallParser.IsCandidate(node, ct),
                static (ctx, ct) => LlmCallParser.Parse(ctx, ct))
            .WithTrackingName(TrackingNames.LlmCalls);

        context.RegisterSourceOutput(parsedFiles, static (spc, file) => ReportCatalogDiagnostics(spc, file.File.Diagnostics));
        context.RegisterSourceOutput(catalog.Combine(options), static (spc, input) => EmitCatalog(spc, input.Left, input.Right));
        context.RegisterSourceOutput(calls.Combine(modelNames).Combine(options), static (spc, input) => EmitLlmCall(spc, input.Left.Left, input.Left.Right, input.Right));
    }

    private static void ReportCatalogDiagnostics(SourceProductionContext context, IEnumerable<CatalogDiagnostic?> diagnostics)
    {
        foreach (var diagnostic in diagnostics)
        {
            if (diagnostic is not null)
            {
                context.ReportDiagnostic(DiagnosticDescriptors.FromCatalog(diagnostic));
            }
        }
    }

    private static void EmitCatalog(SourceProductionContext context, MergedCatalog catalog, GeneratorOptions options)
    {
        ReportCatalogDiagnostics(context, catalog.MergeDiagnostics);
        var plan = CatalogPlan.Create(catalog.Spec);
        ReportCatalogDiagnostics(context, plan.Diagnostics);
        foreach (var file in CatalogEmitter.Emit(plan, options))
        {
            context.AddSource(file.HintName, file.Source);
        }
    }

    private static void EmitLlmCall(SourceProductionContext context, LlmCallParseResult result, ModelNameSet names, GeneratorOptions options)
    {
        foreach (var diagnostic in result.Diagnostics)
        {
            context.ReportDiagnostic(diagnostic.ToDiagnostic());
        }

        if (result.Spec is not { } spec)
        {
            return;
        }

        var resolved = true;
        if (!spec.HasErrors)
        {
            resolved = CheckEnumMember(context, spec.Model, names);
            foreach (var fallback in spec.Fallbacks)
            {
                resolved &= CheckEnumMember(context, fallback, names);
            }
        }

        context.AddSource(spec.HintName, LlmCallEmitter.Emit(spec, options, resolved));
    }

    /// <summary>Reports STRAT101 for a <c>Model.X</c> the catalog does not have; true when the reference is usable.</summary>
    private static bool CheckEnumMember(SourceProductionContext context, ModelReference reference, ModelNameSet names)
    {
        if (reference.Kind != ModelReferenceKind.EnumMember || names.Contains(reference.Value))
        {
            return true;
        }

        var closest = names.Closest(reference.Value);
        var message = "The model 'Model." + reference.Value + "' is not in the catalog"
            + (closest is null ? "; add it to a catalog file or use a model id string" : "; did you mean 'Model." + closest + "'?");
        context.ReportDiagnostic(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownModelId, reference.Location, message).ToDiagnostic());
        return false;
    }
}
