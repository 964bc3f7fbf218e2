using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.AI;

namespace StratumAI;

/// <summary>
/// The structured output of an <see cref="LlmCallAttribute"/> method returning <c>Task&lt;T&gt;</c>: the JSON schema of
/// <typeparamref name="T"/> (produced at compile time) and the generated metadata that reads the answer into it.
/// Created by generated code.
/// </summary>
/// <typeparam name="T">The method's result type.</typeparam>
/// <remarks>Immutable and safe to share between threads; generated code keeps one instance per method.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class LlmCallOutput<T>
{
    private const int ExcerptLength = 200;

    /// <summary>Creates the output description.</summary>
    /// <param name="converter">The generated converter for <typeparamref name="T"/>.</param>
    /// <param name="schema">The JSON schema of <typeparamref name="T"/>, as JSON text.</param>
    /// <param name="name">The schema's name (the type's name).</param>
    /// <param name="description">What the schema describes, or null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="converter"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="schema"/> or <paramref name="name"/> is null or empty.</exception>
    /// <exception cref="JsonException"><paramref name="schema"/> is not JSON.</exception>
    public LlmCallOutput(JsonConverter<T> converter, string schema, string name, string? description)
    {
        ArgumentNullException.ThrowIfNull(converter);
        ArgumentException.ThrowIfNullOrEmpty(schema);
        ArgumentException.ThrowIfNullOrEmpty(name);
        TypeInfo = LlmCallJson.CreateTypeInfo(converter);
        using var document = JsonDocument.Parse(schema);
        Schema = document.RootElement.Clone();
        Format = ChatResponseFormat.ForJsonSchema(Schema, name, description);
    }

    /// <summary>The generated metadata that reads and writes <typeparamref name="T"/>.</summary>
    public JsonTypeInfo<T> TypeInfo { get; }

    /// <summary>The JSON schema sent with the request.</summary>
    public JsonElement Schema { get; }

    /// <summary>The response format set on each request: JSON that follows <see cref="Schema"/>.</summary>
    public ChatResponseFormatJson Format { get; }

    /// <summary>Reads a model's answer into <typeparamref name="T"/>.</summary>
    /// <param name="response">The response.</param>
    /// <param name="modelId">The model that answered, for the error message.</param>
    /// <param name="providerId">Its provider, or null.</param>
    /// <returns>The value; never null.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="response"/> is null.</exception>
    /// <exception cref="StratumEmptyResponseException">The answer holds no text.</exception>
    /// <exception cref="StratumSchemaMismatchException">The text is not JSON, is null, or does not match <typeparamref name="T"/>.</exception>
    public T Parse(ChatResponse response, string modelId, string? providerId)
    {
        ArgumentNullException.ThrowIfNull(response);
        var text = response.Text;
        if (string.IsNullOrWhiteSpace(text))
        {
            var finish = response.FinishReason?.Value;
            throw new StratumEmptyResponseException(
                $"Model '{modelId}' answered without any text (finish reason: {finish ?? "none"}). An [LlmCall] method returning {typeof(T).Name} needs a JSON answer.")
            {
                ProviderId = providerId,
                ModelId = modelId,
                FinishReason = finish,
            };
        }

        var json = StripCodeFence(text);
        Exception? error;
        try
        {
            var value = JsonSerializer.Deserialize(json, TypeInfo);
            if (value is not null)
            {
                return value;
            }

            error = null;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or OverflowException or ArgumentException)
        {
            error = ex;
        }

        var reason = error is null ? "it is null" : error.Message;
        throw new StratumSchemaMismatchException(
            $"Model '{modelId}' answered with JSON that does not match {typeof(T).Name}: {reason} The answer began: {Excerpt(text)}",
            error)
        {
            ProviderId = providerId,
            ModelId = modelId,
        };
    }

    /// <summary>Models asked for JSON sometimes wrap it in a Markdown code fence; the JSON inside is the answer.</summary>
    private static string StripCodeFence(string text)
    {
        var trimmed = text.AsSpan().Trim();
        if (!trimmed.StartsWith("```", StringComparison.Ordinal) || !trimmed.EndsWith("```", StringComparison.Ordinal) || trimmed.Length < 6)
        {
            return text;
        }

        var inner = trimmed[3..^3];
        var newline = inner.IndexOf('\n');
        return newline < 0 ? inner.ToString() : inner[(newline + 1)..].ToString();
    }

    private static string Excerpt(string text)
    {
        var flat = text.Trim().ReplaceLineEndings(" ");
        return flat.Length <= ExcerptLength ? "'" + flat + "'" : "'" + flat[..ExcerptLength] + "…'";
    }
}
