using StratumAI.Catalog;

namespace StratumAI.Generator.Model;

/// <summary>The shape of a type that the generated JSON code reads and writes.</summary>
internal enum JsonTypeKind
{
    String,
    Boolean,
    Byte,
    SByte,
    Int16,
    UInt16,
    Int32,
    UInt32,
    Int64,
    UInt64,
    Single,
    Double,
    Decimal,
    DateTime,
    DateTimeOffset,
    Guid,

    /// <summary>An enum, written as its member name and read case-insensitively.</summary>
    Enum,

    /// <summary><c>Nullable&lt;T&gt;</c> of another entry (<see cref="JsonTypeSpec.Element"/>).</summary>
    Nullable,

    /// <summary>A one-dimensional array of another entry.</summary>
    Array,

    /// <summary><c>List&lt;T&gt;</c> or a collection interface <c>List&lt;T&gt;</c> implements; read into a <c>List&lt;T&gt;</c>.</summary>
    List,

    /// <summary>A class, struct or record read through a constructor, init and set accessors.</summary>
    Object,
}

/// <summary>How a JSON property reaches the object being read.</summary>
internal enum JsonAssignKind
{
    /// <summary>As a constructor argument (<see cref="JsonPropertySpec.ConstructorIndex"/>).</summary>
    Constructor,

    /// <summary>In the object initializer (an <c>init</c> accessor, or a <c>required</c> member).</summary>
    Initializer,

    /// <summary>Through a <c>set</c> accessor after construction, only when the JSON has it.</summary>
    Setter,
}

/// <summary>One JSON property of an object.</summary>
/// <param name="JsonName">The name in JSON (camelCase, or <c>[JsonPropertyName]</c>); read case-insensitively.</param>
/// <param name="MemberName">The C# property (escaped), or null for a constructor parameter no property matches.</param>
/// <param name="Type">The index of the value's type in <see cref="JsonModelSpec.Types"/>.</param>
/// <param name="AllowNull">Whether null is a valid value (nullable annotation, <c>Nullable&lt;T&gt;</c>, or oblivious).</param>
/// <param name="Required">Whether the JSON must have the property.</param>
/// <param name="Assign">How it is assigned when read.</param>
/// <param name="ConstructorIndex">Its position among the constructor's parameters, or -1.</param>
/// <param name="DefaultValue">For an optional constructor parameter: the C# expression of its default value.</param>
/// <param name="CanWrite">Whether the generated code can read the property to write it.</param>
/// <param name="Description">From <c>[Description]</c>, for the schema.</param>
internal sealed record JsonPropertySpec(
    string JsonName,
    string? MemberName,
    int Type,
    bool AllowNull,
    bool Required,
    JsonAssignKind Assign,
    int ConstructorIndex,
    string? DefaultValue,
    bool CanWrite,
    string? Description);

/// <summary>One type the generated JSON code handles.</summary>
/// <param name="Kind">Its shape.</param>
/// <param name="TypeName">The fully qualified C# type, without a top-level nullable annotation.</param>
/// <param name="DisplayName">A short name for messages.</param>
/// <param name="IsValueType">Whether it is a value type (reads return it as is; reference types return it nullable).</param>
/// <param name="Element">For <see cref="JsonTypeKind.Nullable"/>, arrays and lists: the index of the element's type; otherwise -1.</param>
/// <param name="ElementAllowsNull">For arrays and lists: whether items may be null.</param>
/// <param name="ElementTypeName">For arrays and lists: the C# item type as declared (with its nullable annotation).</param>
/// <param name="Properties">For objects: the JSON properties, in declaration order (base type first).</param>
/// <param name="ConstructorParameterCount">For objects: how many arguments the chosen constructor takes.</param>
/// <param name="EnumMembers">For enums: the member names.</param>
/// <param name="Description">From <c>[Description]</c>, for the schema.</param>
internal sealed record JsonTypeSpec(
    JsonTypeKind Kind,
    string TypeName,
    string DisplayName,
    bool IsValueType,
    int Element,
    bool ElementAllowsNull,
    string? ElementTypeName,
    EquatableArray<JsonPropertySpec> Properties,
    int ConstructorParameterCount,
    EquatableArray<string> EnumMembers,
    string? Description);

/// <summary>The JSON code generated for one <c>[LlmCall]</c> method: its structured output and its object parameters.</summary>
/// <param name="ClassName">The nested helper class that holds the readers and writers.</param>
/// <param name="Types">Every type reached, each once.</param>
/// <param name="Output">The index of the structured output type, or -1.</param>
/// <param name="Schema">The output type's JSON schema (compact JSON), or null.</param>
/// <param name="SchemaName">The schema's name.</param>
/// <param name="SchemaDescription">The schema's description, or null.</param>
internal sealed record JsonModelSpec(
    string ClassName,
    EquatableArray<JsonTypeSpec> Types,
    int Output,
    string? Schema,
    string? SchemaName,
    string? SchemaDescription);
