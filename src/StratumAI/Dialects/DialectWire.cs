using System.Text.Json;
using Microsoft.Extensions.AI;

namespace StratumAI.Dialects;

// Wire objects several dialects spell alike. Each dialect's source-generated context names their properties with its own
// naming policy; every name here is one word or the same in snake_case and camelCase.

/// <summary>
/// A function tool as OpenAI's two APIs, Ollama and Gemini describe it: <c>{"name", "description", "parameters"}</c>, with
/// <c>"type": "function"</c> where the tool stands alone (Responses) and <c>"strict"</c> where the API takes it.
/// </summary>
internal sealed class WireFunction
{
    public string? Type { get; set; }

    public required string Name { get; set; }

    public string? Description { get; set; }

    public JsonElement? Parameters { get; set; }

    public bool? Strict { get; set; }

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
    public string Type { get; set; } = "function";

    public required WireFunction Function { get; set; }
}

/// <summary>
/// A JSON schema for structured output as both OpenAI APIs take it: <c>{"name", "description", "schema", "strict"}</c>,
/// with the format's <c>"type"</c> inline in the Responses API.
/// </summary>
internal sealed class WireJsonSchema
{
    public string? Type { get; set; }

    public string? Name { get; set; }

    public string? Description { get; set; }

    public JsonElement? Schema { get; set; }

    public bool? Strict { get; set; }

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
