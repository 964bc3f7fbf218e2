using Microsoft.CodeAnalysis;
using StratumAI.Catalog;

namespace StratumAI.Generator;

/// <summary>The diagnostics the generator reports: catalog problems (STRAT001–016) and <c>[LlmCall]</c> problems (STRAT101+).</summary>
internal static class DiagnosticDescriptors
{
    private const string CatalogCategory = "StratumAI.Catalog";
    private const string LlmCallCategory = "StratumAI.LlmCall";

    public const string UnknownModelId = "STRAT101";
    public const string NoClientId = "STRAT102";
    public const string UnsupportedReturnTypeId = "STRAT103";
    public const string UnknownPlaceholderId = "STRAT104";
    public const string NotPartialId = "STRAT105";
    public const string InvalidTemplateId = "STRAT106";
    public const string UnsupportedJsonTypeId = "STRAT115";

    public static readonly DiagnosticDescriptor UnknownModel = new(
        UnknownModelId, "Unknown model", "{0}", LlmCallCategory, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "The model named by [LlmCall] is not a member of the catalog's Model enum.");

    public static readonly DiagnosticDescriptor NoClient = new(
        NoClientId, "No StratumClient reachable", "{0}", LlmCallCategory, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "An [LlmCall] method needs a StratumClient field, property or primary-constructor parameter on its type.");

    public static readonly DiagnosticDescriptor UnsupportedReturnType = new(
        UnsupportedReturnTypeId, "Unsupported [LlmCall] signature", "{0}", LlmCallCategory, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "An [LlmCall] method must return Task or ValueTask of string, a structured class, record or struct, LlmResult<T> or ChatResponse, or IAsyncEnumerable<string>, and take no out parameters.");

    public static readonly DiagnosticDescriptor UnknownPlaceholder = new(
        UnknownPlaceholderId, "Template placeholder has no parameter", "{0}", LlmCallCategory, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "Every {placeholder} in an [LlmCall] template must name a parameter of the method.");

    public static readonly DiagnosticDescriptor NotPartial = new(
        NotPartialId, "[LlmCall] method or type is not partial", "{0}", LlmCallCategory, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "The generator supplies the body, so the method and every type containing it must be partial.");

    public static readonly DiagnosticDescriptor InvalidTemplate = new(
        InvalidTemplateId, "Malformed [LlmCall] template", "{0}", LlmCallCategory, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "A template has an unmatched brace or an invalid placeholder, or the method has no prompt.");

    public static readonly DiagnosticDescriptor UnsupportedJsonType = new(
        UnsupportedJsonTypeId, "Type has no JSON form for [LlmCall]", "{0}", LlmCallCategory, DiagnosticSeverity.Error, isEnabledByDefault: true,
        helpLinkUri: "https://github.com/stratum-ai/stratumai/blob/main/docs/diagnostics/STRAT115.md",
        description: "A structured result type, or an object parameter formatted into a template as JSON, reaches a type the generated System.Text.Json code cannot read or write (an interface, abstract or recursive type, a dictionary, a type parameter…).");

    private static readonly DiagnosticDescriptor[] CatalogDescriptors =
    {
        Catalog(CatalogDiagnosticIds.MalformedFile, "Malformed catalog file"),
        Catalog(CatalogDiagnosticIds.MissingField, "Missing catalog field"),
        Catalog(CatalogDiagnosticIds.InvalidValue, "Invalid catalog value"),
        Catalog(CatalogDiagnosticIds.InvalidPrice, "Invalid price"),
        Catalog(CatalogDiagnosticIds.UnknownDialect, "Unknown dialect"),
        Catalog(CatalogDiagnosticIds.UnknownCapability, "Unknown capability"),
        Catalog(CatalogDiagnosticIds.DuplicateModelId, "Duplicate model id"),
        Catalog(CatalogDiagnosticIds.DuplicateEnumName, "Duplicate Model enum name"),
        Catalog(CatalogDiagnosticIds.UnknownProvider, "Unknown provider"),
        Catalog(CatalogDiagnosticIds.InvalidEnumName, "Invalid generated name"),
        new DiagnosticDescriptor(CatalogDiagnosticIds.UnknownKey, "Unknown catalog key", "{0}", CatalogCategory, DiagnosticSeverity.Warning, isEnabledByDefault: true),
        Catalog(CatalogDiagnosticIds.DuplicateProvider, "Duplicate provider"),
        Catalog(CatalogDiagnosticIds.OutOfRange, "Catalog value out of range"),
        Catalog(CatalogDiagnosticIds.InvalidDeprecation, "Invalid deprecation"),
        Catalog(CatalogDiagnosticIds.UnknownPricesAs, "Unknown prices_as model"),
        new DiagnosticDescriptor(CatalogDiagnosticIds.InsecureBaseUrl, "API key over plain HTTP", "{0}", CatalogCategory, DiagnosticSeverity.Warning, isEnabledByDefault: true),
    };

    private static readonly Dictionary<string, DiagnosticDescriptor> ById = BuildIndex();

    public static DiagnosticDescriptor Get(string id)
        => ById.TryGetValue(id, out var descriptor) ? descriptor : ById[CatalogDiagnosticIds.MalformedFile];

    /// <summary>Turns a catalog library diagnostic into a compiler diagnostic at the catalog file's position.</summary>
    public static Diagnostic FromCatalog(CatalogDiagnostic diagnostic)
    {
        var descriptor = Get(diagnostic.Id);
        var severity = diagnostic.Severity == CatalogSeverity.Warning ? DiagnosticSeverity.Warning : DiagnosticSeverity.Error;
        var location = ToLocation(diagnostic.Location);
        return Diagnostic.Create(
            descriptor,
            location,
            severity,
            additionalLocations: null,
            properties: null,
            messageArgs: new object[] { diagnostic.Message });
    }

    internal static Location ToLocation(SourceLocation source)
    {
        var start = Math.Max(0, source.StartOffset);
        var length = Math.Max(0, source.Length);
        var startLine = Math.Max(0, source.StartLine);
        var startColumn = Math.Max(0, source.StartColumn);
        var endLine = Math.Max(startLine, source.EndLine);
        var endColumn = endLine == startLine ? Math.Max(startColumn, source.EndColumn) : Math.Max(0, source.EndColumn);
        return Location.Create(
            source.FilePath ?? string.Empty,
            new Microsoft.CodeAnalysis.Text.TextSpan(start, length),
            new Microsoft.CodeAnalysis.Text.LinePositionSpan(
                new Microsoft.CodeAnalysis.Text.LinePosition(startLine, startColumn),
                new Microsoft.CodeAnalysis.Text.LinePosition(endLine, endColumn)));
    }

    private static DiagnosticDescriptor Catalog(string id, string title)
        => new(id, title, "{0}", CatalogCategory, DiagnosticSeverity.Error, isEnabledByDefault: true);

    private static Dictionary<string, DiagnosticDescriptor> BuildIndex()
    {
        var index = new Dictionary<string, DiagnosticDescriptor>(StringComparer.Ordinal);
        foreach (var descriptor in CatalogDescriptors)
        {
            index[descriptor.Id] = descriptor;
        }

        foreach (var descriptor in new[] { UnknownModel, NoClient, UnsupportedReturnType, UnknownPlaceholder, NotPartial, InvalidTemplate, UnsupportedJsonType })
        {
            index[descriptor.Id] = descriptor;
        }

        return index;
    }
}
