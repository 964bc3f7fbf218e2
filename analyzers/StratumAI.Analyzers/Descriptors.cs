using Microsoft.CodeAnalysis;

namespace StratumAI.Analyzers;

/// <summary>The ids of the diagnostics these analyzers report (the generator owns STRAT001-014 and STRAT101-106).</summary>
public static class DiagnosticIds
{
    /// <summary>A model id string names no catalog model.</summary>
    public const string UnknownModelString = "STRAT107";

    /// <summary>An <c>[LlmCall]</c> method has no fallback.</summary>
    public const string MissingFallback = "STRAT108";

    /// <summary>A fallback is the primary model again.</summary>
    public const string FallbackIsPrimary = "STRAT109";

    /// <summary>A fallback comes from the primary's provider.</summary>
    public const string FallbackSameProvider = "STRAT110";

    /// <summary>A fallback lacks a capability the method needs, or has a smaller context window than the primary.</summary>
    public const string FallbackCannotServe = "STRAT111";

    /// <summary>The primary model lacks a capability the method's signature needs.</summary>
    public const string ModelCannotServe = "STRAT112";

    /// <summary>A model is deprecated, or will be soon.</summary>
    public const string DeprecatedModel = "STRAT113";

    /// <summary>A parameter is used by no template.</summary>
    public const string UnusedParameter = "STRAT114";

    /// <summary>A chat model where an embedding model is expected (<c>GetEmbeddingGenerator</c>), or an embedding model where a chat model is.</summary>
    public const string WrongModelKind = "STRAT116";
}

/// <summary>One descriptor per id; messages carry the specifics through a single <c>{0}</c>.</summary>
internal static class Descriptors
{
    private const string HelpLinkFormat = "https://github.com/stratum-ai/stratumai/blob/main/docs/diagnostics/{0}.md";

    public static readonly DiagnosticDescriptor WrongModelKind = Create(
        DiagnosticIds.WrongModelKind, "Chat model used for embeddings, or embedding model used for chat", "StratumAI.Models", DiagnosticSeverity.Error,
        "GetEmbeddingGenerator takes an embedding model (catalog capability 'embeddings'); GetChatClient, GetResponseAsync, GetStreamingResponseAsync and [LlmCall] (primary and fallbacks) take a chat model. The call throws ArgumentException at run time and sends nothing.");

    public static readonly DiagnosticDescriptor UnknownModelString = Create(
        DiagnosticIds.UnknownModelString, "Unknown model id", "StratumAI.Models", DiagnosticSeverity.Warning,
        "A model id string names no model or alias in the catalog; the call fails at run time with StratumModelNotFoundException unless the model is added to the catalog.");

    public static readonly DiagnosticDescriptor MissingFallback = Create(
        DiagnosticIds.MissingFallback, "[LlmCall] method has no fallback", "StratumAI.Fallbacks", DiagnosticSeverity.Warning,
        "Without a fallback an outage or rate limit of one provider fails the call. Set Fallback to a model of another provider, or lower the severity of this rule in .editorconfig.");

    public static readonly DiagnosticDescriptor FallbackIsPrimary = Create(
        DiagnosticIds.FallbackIsPrimary, "Fallback is the primary model", "StratumAI.Fallbacks", DiagnosticSeverity.Warning,
        "A fallback equal to the primary (or to an earlier fallback) retries the same model, which fails the same way.");

    public static readonly DiagnosticDescriptor FallbackSameProvider = Create(
        DiagnosticIds.FallbackSameProvider, "Fallback is from the primary's provider", "StratumAI.Fallbacks", DiagnosticSeverity.Warning,
        "One provider outage takes down every model it serves; a fallback from another provider survives it.");

    public static readonly DiagnosticDescriptor FallbackCannotServe = Create(
        DiagnosticIds.FallbackCannotServe, "Fallback cannot serve the method", "StratumAI.Fallbacks", DiagnosticSeverity.Warning,
        "A fallback must have every capability the method's signature needs and at least the primary's context window, or it fails exactly when it is needed.");

    public static readonly DiagnosticDescriptor ModelCannotServe = Create(
        DiagnosticIds.ModelCannotServe, "Model cannot serve the method", "StratumAI.Models", DiagnosticSeverity.Error,
        "The method's signature needs a capability (streaming, structured output, vision) the model does not have in the catalog.");

    public static readonly DiagnosticDescriptor DeprecatedModel = Create(
        DiagnosticIds.DeprecatedModel, "Deprecated model", "StratumAI.Models", DiagnosticSeverity.Warning,
        "The catalog marks the model deprecated, or to be deprecated soon; calls will start to fail when the provider retires it.");

    public static readonly DiagnosticDescriptor UnusedParameter = Create(
        DiagnosticIds.UnusedParameter, "Parameter not used by any template", "StratumAI.LlmCall", DiagnosticSeverity.Warning,
        "A parameter of an [LlmCall] method that no System or Prompt placeholder refers to never reaches the model.");

    private static DiagnosticDescriptor Create(string id, string title, string category, DiagnosticSeverity severity, string description)
        => new(
            id,
            title,
            "{0}",
            category,
            severity,
            isEnabledByDefault: true,
            description: description,
            helpLinkUri: HelpLink(id));

    /// <summary>The documentation page of a diagnostic id.</summary>
    public static string HelpLink(string id) => string.Format(System.Globalization.CultureInfo.InvariantCulture, HelpLinkFormat, id);
}

/// <summary>Keys of <see cref="Diagnostic.Properties"/> that code fixes read.</summary>
public static class DiagnosticProperties
{
    /// <summary>The model id to put in place of the flagged one.</summary>
    public const string ModelId = "ModelId";

    /// <summary>The <c>Model</c> enum member for <see cref="ModelId"/>, when the compilation has one.</summary>
    public const string EnumMember = "EnumMember";

    /// <summary>How to write the <c>Model</c> enum type at the diagnostic's site (<c>Model</c>, or <c>global::StratumAI.Model</c> when that does not bind there), when <see cref="EnumMember"/> is set.</summary>
    public const string EnumType = "EnumType";
}
