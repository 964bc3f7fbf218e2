using StratumAI.Catalog;

namespace StratumAI.Generator.Model;

/// <summary>How the generated body returns the model's text.</summary>
internal enum LlmCallReturnKind
{
    Task,
    ValueTask,

    /// <summary><c>Task&lt;ChatResponse&gt;</c>: the whole response (usage, finish reason, every content).</summary>
    ResponseTask,

    /// <summary><c>ValueTask&lt;ChatResponse&gt;</c>.</summary>
    ResponseValueTask,

    /// <summary><c>IAsyncEnumerable&lt;string&gt;</c>: an async iterator over the streamed text updates.</summary>
    Stream,

    /// <summary><c>Task&lt;T&gt;</c> for a structured <c>T</c>: JSON that follows <c>T</c>'s schema, read into <c>T</c>.</summary>
    ObjectTask,

    /// <summary><c>ValueTask&lt;T&gt;</c> for a structured <c>T</c>.</summary>
    ObjectValueTask,

    /// <summary><c>Task&lt;LlmResult&lt;T&gt;&gt;</c>: the value (text, or structured when <see cref="JsonModelSpec.Output"/> is set) with the model, usage, cost and attempts.</summary>
    ResultTask,

    /// <summary><c>ValueTask&lt;LlmResult&lt;T&gt;&gt;</c>.</summary>
    ResultValueTask,
}

/// <summary>How the attribute names its model.</summary>
internal enum ModelReferenceKind
{
    /// <summary><c>Model.X</c> (or <c>{Provider}Model.X</c>): resolved against the catalog's enum names.</summary>
    EnumMember,

    /// <summary>A string constant: passed to the runtime as the model id.</summary>
    StringId,
}

/// <summary>The model named by <c>[LlmCall(model)]</c>, read from syntax because the generated enum does not bind yet.</summary>
internal sealed record ModelReference(ModelReferenceKind Kind, string Value, LocationInfo? Location);

/// <summary>A type that encloses the method, outermost first, as it must be redeclared.</summary>
/// <param name="Keyword"><c>class</c>, <c>struct</c>, <c>record</c>, <c>record struct</c> or <c>interface</c>.</param>
/// <param name="Name">The identifier, with its type parameter list when generic.</param>
internal sealed record ContainingTypeSpec(string Keyword, string Name);

/// <summary>What the generated body does with a parameter besides formatting it into a template.</summary>
internal enum ParameterRole
{
    /// <summary>Only used through template placeholders (or as the client, or the cancellation token).</summary>
    Plain,

    /// <summary>A <c>ChatOptions</c>: the call's options, merged with the attribute's Temperature, MaxTokens and Tags.</summary>
    Options,

    /// <summary>Chat history (<c>IEnumerable&lt;ChatMessage&gt;</c> and its list/array forms): sent between the System and the user message.</summary>
    History,

    /// <summary>A <c>DataContent</c>: added to the user message.</summary>
    Data,

    /// <summary>A <c>Uri</c> no template refers to: added to the user message as an <c>image/*</c> <c>UriContent</c>.</summary>
    ImageUri,

    /// <summary>One <c>ChatMessage</c>: sent like history, between the System and the user message.</summary>
    Message,

    /// <summary>A sequence of <c>DataContent</c>: each added to the user message.</summary>
    DataList,

    /// <summary>A sequence of <c>Uri</c> no template refers to: each added to the user message as an <c>image/*</c> <c>UriContent</c>.</summary>
    ImageUriList,
}

/// <summary>A parameter of the partial method, as the implementation must repeat it.</summary>
/// <param name="Modifiers">e.g. <c>ref</c>, <c>in</c>, <c>params</c>, <c>this</c>, or empty.</param>
/// <param name="Type">Fully qualified type, nullable annotations included.</param>
/// <param name="Name">The name as written in code (escaped with <c>@</c> when it is a keyword).</param>
/// <param name="RawName">The name as templates refer to it.</param>
/// <param name="Role">What the body does with it besides template formatting.</param>
/// <param name="JsonType">When a template formats it as JSON: the index of its type in <see cref="LlmCallSpec.Json"/>; otherwise -1.</param>
internal sealed record ParameterSpec(string Modifiers, string Type, string Name, string RawName, ParameterRole Role = ParameterRole.Plain, int JsonType = -1);

/// <summary>A piece of a prompt template: literal text, or a placeholder bound to a parameter.</summary>
/// <param name="Text">Literal text, or the parameter's code name for a placeholder.</param>
/// <param name="Alignment">The <c>,alignment</c> part of a placeholder, or null.</param>
/// <param name="Format">The <c>:format</c> part of a placeholder, or null.</param>
internal sealed record TemplateSegment(bool IsPlaceholder, string Text, string? Alignment, string? Format);

/// <summary>Where the model client comes from: a C# expression valid inside the method.</summary>
/// <param name="Expression">The C# expression.</param>
/// <param name="IsChatClient">True for a plain <c>IChatClient</c> (the model goes in <c>ChatOptions.ModelId</c>), false for a <c>StratumClient</c>.</param>
internal sealed record ClientAccess(string Expression, bool IsChatClient = false);

/// <summary>Everything needed to emit one <c>[LlmCall]</c> method body; plain values only.</summary>
/// <remarks>
/// When <c>HasErrors</c> is set the emitter writes a throwing stub, so a reported problem does not also cause CS8795.
/// <c>AddEnumeratorCancellation</c>: a streaming method whose cancellation token the declaration does not already mark
/// <c>[EnumeratorCancellation]</c>; the implementation marks it (attributes of both parts merge).
/// <c>Json</c>: the readers, writers and schema for a structured result and object parameters, or null when there are none.
/// <c>CacheSeconds</c>: the attribute's cache duration, passed to the response cache.
/// <c>Strategy</c>: the <c>RoutingStrategy</c> member that picks the model per call when the attribute names none.
/// </remarks>
internal sealed record LlmCallSpec(
    string HintName,
    string? Namespace,
    EquatableArray<ContainingTypeSpec> ContainingTypes,
    string Modifiers,
    string ReturnType,
    LlmCallReturnKind ReturnKind,
    string MethodName,
    string TypeParameters,
    EquatableArray<string> ConstraintClauses,
    EquatableArray<ParameterSpec> Parameters,
    ModelReference Model,
    EquatableArray<ModelReference> Fallbacks,
    EquatableArray<string> Tags,
    EquatableArray<TemplateSegment>? System,
    EquatableArray<TemplateSegment>? Prompt,
    float? Temperature,
    int? MaxTokens,
    ClientAccess Client,
    string? CancellationTokenName,
    bool HasErrors,
    bool AddEnumeratorCancellation = false,
    JsonModelSpec? Json = null,
    int? CacheSeconds = null,
    string? Strategy = null);

/// <summary>The outcome of reading one <c>[LlmCall]</c> method: a spec when it can be generated, and its problems.</summary>
internal sealed record LlmCallParseResult(LlmCallSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics);
