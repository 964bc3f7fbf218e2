using System.Text.Json;
using Microsoft.Extensions.AI;

namespace StratumAI.Dialects;

// Wire types, here and in each dialect's <Name>Json.cs, are internal classes with public fields, related fields of one
// type in one declaration: a wire type is a list of names, and reads best as one. Every dialect's source-generated
// context has the same one-line options but for its naming policy: IncludeFields, nulls not written, numbers read from
// strings too. A field with an attribute ([JsonPropertyName], [JsonIgnore], [JsonConverter]) or a doc comment stands
// alone, because either applies to every name of its declaration. Keep `required` where the wire must have the field.
// Not positional records: deserialising through a parameterised constructor boxes value types per object, which the
// stream paths would pay on every event. The one exception is a type that implements the IWire* sampling interfaces
// below: it keeps properties throughout, because an interface cannot name a field and the generator writes properties
// before fields, so a mixed type would reorder its JSON.
//
// The wire objects below are the ones several dialects spell alike. Each dialect's context names their fields with its
// own naming policy; every name here is one word or the same in snake_case and camelCase.

/// <summary>
/// A function tool as OpenAI's two APIs, Ollama and Gemini describe it: <c>{"name", "description", "parameters"}</c>, with
/// <c>"type": "function"</c> where the tool stands alone (Responses) and <c>"strict"</c> where the API takes it.
/// </summary>
internal sealed class WireFunction
{
    public string? Type;
    public required string Name;
    public string? Description;
    public JsonElement? Parameters;
    public bool? Strict;

    /// <summary>The declaration's name and description, with <paramref name="parameters"/> as its schema.</summary>
    public static WireFunction From(AIFunctionDeclaration function, JsonElement? parameters, bool? strict = null, string? type = null) => new()
    {
        Type = type,
        Name = function.Name,
        Description = function.Description,
        Parameters = parameters,
        Strict = strict,
    };
}

/// <summary>A function tool wrapped as Chat Completions and Ollama send it: <c>{"type": "function", "function": {…}}</c>.</summary>
internal sealed class WireTool
{
    public string Type = "function";
    public required WireFunction Function;
}

/// <summary>
/// A JSON schema for structured output as both OpenAI APIs take it: <c>{"name", "description", "schema", "strict"}</c>,
/// with the format's <c>"type"</c> inline in the Responses API.
/// </summary>
internal sealed class WireJsonSchema
{
    public string? Type, Name, Description;
    public JsonElement? Schema;
    public bool? Strict;

    /// <summary>The format's schema, its name (<c>response</c> when it has none) and description.</summary>
    public static WireJsonSchema From(ChatResponseFormatJson json, bool? strict, string? type = null) => new()
    {
        Type = type,
        Name = string.IsNullOrEmpty(json.SchemaName) ? "response" : json.SchemaName,
        Description = json.SchemaDescription,
        Schema = json.Schema,
        Strict = strict,
    };
}

/// <summary>
/// The sampling fields every dialect's request (or its options object) has. A wire type also implements the optional
/// <c>IWire*</c> interfaces for the other fields its API takes, under the API's own names (<c>[JsonPropertyName]</c> where
/// they differ), and <see cref="WireSampling.CopySampling"/> fills whatever it implements.
/// </summary>
internal interface IWireSampling
{
    float? Temperature { get; set; }

    float? TopP { get; set; }
}

internal interface IWireTopK
{
    int? TopK { get; set; }
}

internal interface IWireMaxOutputTokens
{
    int? MaxOutputTokens { get; set; }
}

internal interface IWireSeed
{
    long? Seed { get; set; }
}

internal interface IWirePenalties
{
    float? FrequencyPenalty { get; set; }

    float? PresencePenalty { get; set; }
}

internal interface IWireStopSequences
{
    List<string>? StopSequences { get; set; }
}

/// <summary>Maps <see cref="ChatOptions"/>' sampling options onto a dialect's wire fields: one mapping for every API.</summary>
internal static class WireSampling
{
    /// <summary>Copies each sampling option <paramref name="wire"/>'s API takes; an empty stop list is not sent.</summary>
    public static T CopySampling<T>(this ChatOptions options, T wire)
        where T : class, IWireSampling
    {
        wire.Temperature = options.Temperature;
        wire.TopP = options.TopP;
        if (wire is IWireTopK topK)
        {
            topK.TopK = options.TopK;
        }

        if (wire is IWireMaxOutputTokens maxOutputTokens)
        {
            maxOutputTokens.MaxOutputTokens = options.MaxOutputTokens;
        }

        if (wire is IWireSeed seed)
        {
            seed.Seed = options.Seed;
        }

        if (wire is IWirePenalties penalties)
        {
            penalties.FrequencyPenalty = options.FrequencyPenalty;
            penalties.PresencePenalty = options.PresencePenalty;
        }

        if (wire is IWireStopSequences stop && options.StopSequences is { Count: > 0 } sequences)
        {
            stop.StopSequences = [.. sequences];
        }

        return wire;
    }
}
