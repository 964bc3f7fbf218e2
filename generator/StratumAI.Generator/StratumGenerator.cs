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

    private static void ReportCatalogDiagnostics(SourceProductionContext context, EquatableArray<CatalogDiagnostic> diagnostics)
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
        foreach (var file in CatalogEmitter.Emit(catalog.Spec, options))
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
        if (!spec.HasErrors && spec.Model.Kind == ModelReferenceKind.EnumMember && !names.Contains(spec.Model.Value))
        {
            resolved = false;
            var closest = names.Closest(spec.Model.Value);
            var message = "The model 'Model." + spec.Model.Value + "' is not in the catalog"
                + (closest is null ? "; add it to a catalog file or use a model id string" : "; did you mean 'Model." + closest + "'?");
            context.ReportDiagnostic(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownModelId, spec.Model.Location, message).ToDiagnostic());
        }

        context.AddSource(spec.HintName, LlmCallEmitter.Emit(spec, options, resolved));
    }
}
