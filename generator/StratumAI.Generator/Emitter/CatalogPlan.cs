using Microsoft.CodeAnalysis.CSharp;
using StratumAI.Catalog;

namespace StratumAI.Generator.Emitter;

/// <summary>
/// The merged catalog arranged for emission: enum values assigned, provider type names made unique,
/// and anything that could not compile (a model without a provider, a clashing or invalid name) left
/// out. The catalog library rejects all of those first, with a diagnostic at the file, line and column;
/// for anything it still lets through, the plan reports the same kind of diagnostic (<see cref="Diagnostics"/>)
/// rather than dropping a model silently.
/// </summary>
internal sealed class CatalogPlan
{
    private static readonly HashSet<string> ReservedCatalogMembers = new(StringComparer.Ordinal)
    {
        "All", "Providers", "Get", "TryGet", "ModelCatalog", "Model", "ModelExtensions", "CreateModels", "CreateIndex", "RegisterInModelRegistry", "Equals", "GetHashCode", "ToString", "GetType", "ReferenceEquals",
    };

    private CatalogPlan(List<ProviderPlan> providers, List<ModelPlan> models, Dictionary<string, ModelPlan> byId, List<CatalogDiagnostic> diagnostics)
    {
        Providers = providers;
        Models = models;
        ModelsById = byId;
        Diagnostics = diagnostics;
    }

    public IReadOnlyList<ProviderPlan> Providers { get; }

    public IReadOnlyList<ModelPlan> Models { get; }

    public IReadOnlyDictionary<string, ModelPlan> ModelsById { get; }

    /// <summary>One error per provider or model of the spec that is left out; empty for any spec <see cref="CatalogMerger"/> produced.</summary>
    public IReadOnlyList<CatalogDiagnostic> Diagnostics { get; }

    public static CatalogPlan Create(CatalogSpec spec)
    {
        var diagnostics = new List<CatalogDiagnostic>();
        var providers = new List<ProviderPlan>(spec.Providers.Count);
        var providersById = new Dictionary<string, ProviderPlan>(StringComparer.Ordinal);
        var typeNames = new HashSet<string>(StringComparer.Ordinal);
        var propertyNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var provider in spec.Providers)
        {
            if (provider is null)
            {
                continue;
            }

            if (string.IsNullOrEmpty(provider.Id) || providersById.ContainsKey(provider.Id))
            {
                diagnostics.Add(LeftOut(
                    string.IsNullOrEmpty(provider.Id) ? CatalogDiagnosticIds.MissingField : CatalogDiagnosticIds.DuplicateProvider,
                    string.IsNullOrEmpty(provider.Id) ? "A provider has no id, so its models have no provider either." : $"Provider '{provider.Id}' is defined twice; this is the later definition.",
                    provider.Location));
                continue;
            }

            var typeName = SanitizeTypeName(provider.TypeName, provider.Name, provider.Id);

            // "Stratum" would generate a second StratumAI.StratumClient, hiding the runtime's.
            if (typeName == "Stratum")
            {
                typeName += "Provider";
            }

            typeName = Unique(typeName, typeNames);
            var propertyName = ReservedCatalogMembers.Contains(typeName) ? typeName + "Provider" : typeName;
            propertyName = Unique(propertyName, propertyNames);
            var plan = new ProviderPlan(provider, typeName, propertyName);
            providers.Add(plan);
            providersById.Add(provider.Id, plan);
        }

        var models = new List<ModelPlan>(spec.Models.Count);
        var enumNames = new HashSet<string>(StringComparer.Ordinal);
        var byId = new Dictionary<string, ModelPlan>(StringComparer.Ordinal);
        foreach (var model in spec.Models)
        {
            if (model is null)
            {
                continue; // nothing to point at, and no catalog file produces one
            }

            if (Problem(model, providersById, byId, enumNames, out var provider) is { } problem)
            {
                diagnostics.Add(problem);
                continue;
            }

            enumNames.Add(model.EnumName);
            var plan = new ModelPlan(model, models.Count, provider!);
            models.Add(plan);
            byId.Add(model.Id, plan);
            provider!.Models.Add(plan);
        }

        return new CatalogPlan(providers, models, byId, diagnostics);
    }

    /// <summary>Why <paramref name="model"/> cannot be emitted, as a diagnostic at its id or name; null when it can.</summary>
    private static CatalogDiagnostic? Problem(
        CatalogModel model,
        Dictionary<string, ProviderPlan> providersById,
        Dictionary<string, ModelPlan> byId,
        HashSet<string> enumNames,
        out ProviderPlan? provider)
    {
        provider = null;
        var at = model.Location;
        if (string.IsNullOrEmpty(model.Id))
        {
            return LeftOut(CatalogDiagnosticIds.MissingField, "A model has no id.", at);
        }

        if (model.Price is null)
        {
            return LeftOut(CatalogDiagnosticIds.MissingField, $"Model '{model.Id}' has no price.", at);
        }

        if (!providersById.TryGetValue(model.ProviderId ?? string.Empty, out provider))
        {
            return LeftOut(CatalogDiagnosticIds.UnknownProvider, $"Model '{model.Id}' names provider '{model.ProviderId}', which is not in the generated catalog.", at);
        }

        if (!IsValidMemberName(model.EnumName))
        {
            return LeftOut(CatalogDiagnosticIds.InvalidEnumName, $"Model '{model.Id}' cannot be the Model enum member '{model.EnumName}': it is not a valid C# identifier, or it is reserved ('Model', 'value__'); give it another 'name'.", at);
        }

        if (string.Equals(model.EnumName, CatalogNames.ProviderEnumName(provider.TypeName), StringComparison.Ordinal))
        {
            return LeftOut(CatalogDiagnosticIds.InvalidEnumName, $"Model '{model.Id}' would be named like the typed enum {model.EnumName} that holds it; give it another 'name'.", at);
        }

        if (byId.TryGetValue(model.Id, out var first))
        {
            return LeftOut(CatalogDiagnosticIds.DuplicateModelId, $"Model '{model.Id}' is declared twice (first at {first.Model.Location}).", at);
        }

        if (enumNames.Contains(model.EnumName))
        {
            return LeftOut(CatalogDiagnosticIds.DuplicateEnumName, $"Model '{model.Id}' would be Model.{model.EnumName}, like an earlier model; give it another 'name'.", at);
        }

        return null;
    }

    private static CatalogDiagnostic LeftOut(string id, string message, SourceLocation location)
        => new(id, CatalogSeverity.Error, message + " It is left out of the generated code.", location);

    // "Model" and "value__" would clash with the enum itself or its backing field.
    private static bool IsValidMemberName(string? name)
        => !string.IsNullOrEmpty(name)
           && CatalogNames.IsValidIdentifier(name)
           && SyntaxFacts.IsValidIdentifier(name)
           && SyntaxFacts.GetKeywordKind(name!) == SyntaxKind.None
           && name != "value__"
           && name != "Model";

    private static string SanitizeTypeName(string? typeName, string? name, string id)
    {
        if (!string.IsNullOrEmpty(typeName) && SyntaxFacts.IsValidIdentifier(typeName) && SyntaxFacts.GetKeywordKind(typeName!) == SyntaxKind.None)
        {
            return typeName!;
        }

        var source = !string.IsNullOrEmpty(typeName) ? typeName! : !string.IsNullOrEmpty(name) ? name! : id;
        var builder = new System.Text.StringBuilder(source.Length + 1);
        var upperNext = true;
        foreach (var c in source)
        {
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')
            {
                builder.Append(upperNext ? char.ToUpperInvariant(c) : c);
                upperNext = false;
            }
            else
            {
                upperNext = true;
            }
        }

        if (builder.Length == 0 || char.IsDigit(builder[0]))
        {
            builder.Insert(0, 'P');
        }

        return builder.ToString();
    }

    private static string Unique(string name, HashSet<string> used)
    {
        if (used.Add(name))
        {
            return name;
        }

        for (var i = 2; ; i++)
        {
            var candidate = name + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (used.Add(candidate))
            {
                return candidate;
            }
        }
    }
}

internal sealed class ProviderPlan
{
    public ProviderPlan(CatalogProvider provider, string typeName, string propertyName)
    {
        Provider = provider;
        TypeName = typeName;
        PropertyName = propertyName;
    }

    public CatalogProvider Provider { get; }

    /// <summary>Prefix of the generated <c>{TypeName}Client</c> and <c>{TypeName}Model</c>.</summary>
    public string TypeName { get; }

    /// <summary>Name of the <c>ModelCatalog</c> property holding the provider's <c>ProviderInfo</c>.</summary>
    public string PropertyName { get; }

    public List<ModelPlan> Models { get; } = new();
}

internal sealed class ModelPlan
{
    public ModelPlan(CatalogModel model, int value, ProviderPlan provider)
    {
        Model = model;
        Value = value;
        Provider = provider;
    }

    public CatalogModel Model { get; }

    /// <summary>The <c>Model</c> enum value, which is also the index into the catalog's array.</summary>
    public int Value { get; }

    public ProviderPlan Provider { get; }
}
