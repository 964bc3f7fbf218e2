using System.Text;
using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace StratumAI.Caching;

/// <summary>
/// Computes the key under which <see cref="ResponseCacheChatClient"/> stores a response: the lowercase hex SHA-256 of a
/// canonical JSON description of the request.
/// </summary>
/// <remarks>
/// <para>What goes into the key: the model; whether the call streams; every message (role, author name and each content:
/// text, reasoning text and its protected data, the SHA-256 of data bytes with their media type, URIs, hosted file ids,
/// function calls with their arguments, function results); and the options that change the answer (instructions,
/// temperature, top-p, top-k, frequency and presence penalties, seed, max output tokens, stop sequences, reasoning options,
/// response format with its schema, tool mode, multiple-tool-call permission, tools with their schemas, and every
/// <see cref="ChatOptions.AdditionalProperties"/> entry whose key does not start with <c>stratum.</c>).</para>
/// <para>What does not: the caller, tags, cache settings and anything else under a <c>stratum.</c> key, message ids,
/// and the cancellation token. JSON objects are written with their properties in ordinal order and numbers in invariant
/// form, so equal requests give equal keys in every process, culture and run.</para>
/// <para>Thread-safe: the methods are static and keep no state.</para>
/// </remarks>
public static class ResponseCacheKey
{
    private const int FormatVersion = 1;

    // One buffer and writer per thread: a key is computed on every cached call, and allocating them each time cost more than the hash.
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <summary>Computes the cache key of a request.</summary>
    /// <param name="model">The model the request goes to, e.g. <c>openai/gpt-4o</c>. Part of every key.</param>
    /// <param name="messages">The conversation.</param>
    /// <param name="options">The options, or null.</param>
    /// <param name="streaming">True for a streaming call (stored apart from a non-streaming one, so each replays as it was produced).</param>
    /// <param name="serializerOptions">Serialises argument, result and property values that are not JSON already; <see cref="AIJsonUtilities.DefaultOptions"/> when null.</param>
    /// <returns>64 lowercase hex characters.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> or <paramref name="messages"/> is null.</exception>
    /// <exception cref="NotSupportedException">A value in the request cannot be serialised with <paramref name="serializerOptions"/>.</exception>
    public static string Compute(string model, IEnumerable<ChatMessage> messages, ChatOptions? options, bool streaming, JsonSerializerOptions? serializerOptions = null)
        => Write(model, messages, options, streaming, serializerOptions, canonical: false);

    /// <summary>The canonical JSON text <see cref="Compute"/> hashes (ASCII: the writer escapes everything else).</summary>
    internal static string Canonical(string model, IEnumerable<ChatMessage> messages, ChatOptions? options, bool streaming, JsonSerializerOptions? serializerOptions)
        => Write(model, messages, options, streaming, serializerOptions, canonical: true);

    /// <summary>What <see cref="Compute"/> returns for the request whose <see cref="Canonical"/> text this is.</summary>
    internal static string Hash(string canonical) => Sha256Hex(Encoding.UTF8.GetBytes(canonical));

    private static string Write(string model, IEnumerable<ChatMessage> messages, ChatOptions? options, bool streaming, JsonSerializerOptions? serializerOptions, bool canonical)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(messages);
        serializerOptions ??= AIJsonUtilities.DefaultOptions;

        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer);
        writer.Reset(buffer);
        try
        {
            writer.WriteStartObject();
            writer.WriteNumber("v", FormatVersion);
            writer.WriteString("model", model);
            writer.WriteBoolean("stream", streaming);
            writer.WritePropertyName("messages");
            writer.WriteStartArray();
            foreach (var message in messages)
            {
                WriteMessage(writer, message, serializerOptions);
            }

            writer.WriteEndArray();
            if (options is not null)
            {
                writer.WritePropertyName("options");
                WriteOptions(writer, options, serializerOptions);
            }

            writer.WriteEndObject();
            writer.Flush();
            return canonical ? Encoding.UTF8.GetString(buffer.WrittenSpan) : Sha256Hex(buffer.WrittenSpan);
        }
        finally
        {
            // Large inputs (images) should not stay pinned to the thread.
            if (buffer.Capacity > 64 * 1024)
            {
                t_buffer = null;
                t_writer = null;
            }
        }
    }

    private static string Sha256Hex(ReadOnlySpan<byte> data)
    {
        const string digits = "0123456789abcdef";
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(data, hash);
        Span<char> chars = stackalloc char[SHA256.HashSizeInBytes * 2];
        for (var i = 0; i < hash.Length; i++)
        {
            chars[2 * i] = digits[hash[i] >> 4];
            chars[(2 * i) + 1] = digits[hash[i] & 0xF];
        }

        return new string(chars);
    }

    private static void WriteMessage(Utf8JsonWriter writer, ChatMessage message, JsonSerializerOptions serializerOptions)
    {
        writer.WriteStartObject();
        writer.WriteString("role", message.Role.Value);
        if (message.AuthorName is not null)
        {
            writer.WriteString("author", message.AuthorName);
        }

        writer.WritePropertyName("contents");
        writer.WriteStartArray();
        foreach (var content in message.Contents)
        {
            WriteContent(writer, content, serializerOptions);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteContent(Utf8JsonWriter writer, AIContent content, JsonSerializerOptions serializerOptions)
    {
        writer.WriteStartObject();
        switch (content)
        {
            case TextContent text:
                writer.WriteString("text", text.Text);
                break;
            case TextReasoningContent reasoning:
                writer.WriteString("reasoning", reasoning.Text);
                if (reasoning.ProtectedData is not null)
                {
                    writer.WriteString("protected", reasoning.ProtectedData);
                }

                break;
            case DataContent data:
                writer.WriteString("data", Sha256Hex(data.Data.Span));
                writer.WriteString("mediaType", data.MediaType);
                if (data.Name is not null)
                {
                    writer.WriteString("name", data.Name);
                }

                break;
            case UriContent uri:
                writer.WriteString("uri", uri.Uri.OriginalString);
                writer.WriteString("mediaType", uri.MediaType);
                break;
            case HostedFileContent file:
                writer.WriteString("file", file.FileId);
                break;
            case FunctionCallContent call:
                writer.WriteString("call", call.Name);
                writer.WriteString("id", call.CallId);
                writer.WritePropertyName("arguments");
                if (call.Arguments is null)
                {
                    writer.WriteNullValue();
                }
                else
                {
                    WriteDictionary(writer, call.Arguments, serializerOptions, skipStratumKeys: false);
                }

                break;
            case FunctionResultContent result:
                writer.WriteString("result", result.CallId);
                writer.WritePropertyName("value");
                WriteValue(writer, result.Result, serializerOptions);
                if (result.Exception is not null)
                {
                    writer.WriteString("error", result.Exception.Message);
                }

                break;
            case UsageContent:
                // Usage reported by an earlier response does not change the next answer.
                writer.WriteString("usage", string.Empty);
                break;
            default:
                // Any other content (e.g. user-registered types): its polymorphic JSON, which fails loudly when unknown.
                writer.WriteString("type", content.GetType().FullName);
                writer.WritePropertyName("json");
                WriteCanonical(writer, JsonSerializer.SerializeToElement(content, serializerOptions.GetTypeInfo(typeof(AIContent))));
                break;
        }

        writer.WriteEndObject();
    }

    private static void WriteOptions(Utf8JsonWriter writer, ChatOptions options, JsonSerializerOptions serializerOptions)
    {
        writer.WriteStartObject();
        if (options.Instructions is not null)
        {
            writer.WriteString("instructions", options.Instructions);
        }

        WriteNumber(writer, "temperature", options.Temperature);
        WriteNumber(writer, "topP", options.TopP);
        WriteNumber(writer, "frequencyPenalty", options.FrequencyPenalty);
        WriteNumber(writer, "presencePenalty", options.PresencePenalty);
        if (options.TopK is { } topK)
        {
            writer.WriteNumber("topK", topK);
        }

        if (options.Seed is { } seed)
        {
            writer.WriteNumber("seed", seed);
        }

        if (options.MaxOutputTokens is { } maxTokens)
        {
            writer.WriteNumber("maxOutputTokens", maxTokens);
        }

        if (options.StopSequences is { } stops)
        {
            writer.WritePropertyName("stop");
            writer.WriteStartArray();
            foreach (var stop in stops)
            {
                writer.WriteStringValue(stop);
            }

            writer.WriteEndArray();
        }

        if (options.Reasoning is { } reasoning)
        {
            writer.WritePropertyName("reasoning");
            writer.WriteStartObject();
            writer.WriteString("effort", reasoning.Effort?.ToString());
            writer.WriteString("output", reasoning.Output?.ToString());
            writer.WriteEndObject();
        }

        if (options.AllowMultipleToolCalls is { } multiple)
        {
            writer.WriteBoolean("multipleToolCalls", multiple);
        }

        WriteResponseFormat(writer, options.ResponseFormat);
        WriteToolMode(writer, options.ToolMode);
        if (options.Tools is { Count: > 0 } tools)
        {
            writer.WritePropertyName("tools");
            writer.WriteStartArray();
            foreach (var tool in tools)
            {
                WriteTool(writer, tool);
            }

            writer.WriteEndArray();
        }

        if (options.AdditionalProperties is { Count: > 0 } properties && HasAnswerChangingKey(properties))
        {
            writer.WritePropertyName("additional");
            WriteDictionary(writer, properties, serializerOptions, skipStratumKeys: true);
        }

        writer.WriteEndObject();
    }

    private static void WriteResponseFormat(Utf8JsonWriter writer, ChatResponseFormat? format)
    {
        switch (format)
        {
            case null:
                return;
            case ChatResponseFormatJson json:
                writer.WritePropertyName("responseFormat");
                writer.WriteStartObject();
                writer.WriteString("type", "json");
                if (json.SchemaName is not null)
                {
                    writer.WriteString("name", json.SchemaName);
                }

                if (json.SchemaDescription is not null)
                {
                    writer.WriteString("description", json.SchemaDescription);
                }

                if (json.Schema is { } schema)
                {
                    writer.WritePropertyName("schema");
                    WriteCanonical(writer, schema);
                }

                writer.WriteEndObject();
                return;
            default:
                writer.WriteString("responseFormat", format.GetType().FullName);
                return;
        }
    }

    private static void WriteToolMode(Utf8JsonWriter writer, ChatToolMode? mode)
    {
        switch (mode)
        {
            case null:
                return;
            case RequiredChatToolMode required:
                writer.WriteString("toolMode", "required:" + required.RequiredFunctionName);
                return;
            default:
                writer.WriteString("toolMode", mode.GetType().Name);
                return;
        }
    }

    private static void WriteTool(Utf8JsonWriter writer, AITool tool)
    {
        writer.WriteStartObject();
        writer.WriteString("type", tool.GetType().FullName);
        writer.WriteString("name", tool.Name);
        writer.WriteString("description", tool.Description);
        if (tool is AIFunctionDeclaration function)
        {
            writer.WritePropertyName("schema");
            WriteCanonical(writer, function.JsonSchema);
            if (function.ReturnJsonSchema is { } returns)
            {
                writer.WritePropertyName("returns");
                WriteCanonical(writer, returns);
            }
        }

        writer.WriteEndObject();
    }

    private static void WriteNumber(Utf8JsonWriter writer, string name, float? value)
    {
        if (value is { } number)
        {
            // Utf8JsonWriter writes the shortest round-trippable invariant form.
            writer.WriteNumber(name, number);
        }
    }

    private static void WriteDictionary(Utf8JsonWriter writer, IEnumerable<KeyValuePair<string, object?>> entries, JsonSerializerOptions serializerOptions, bool skipStratumKeys)
    {
        writer.WriteStartObject();
        foreach (var (key, value) in entries.OrderBy(static entry => entry.Key, StringComparer.Ordinal))
        {
            if (skipStratumKeys && IsStratumKey(key))
            {
                continue;
            }

            writer.WritePropertyName(key);
            WriteValue(writer, value, serializerOptions);
        }

        writer.WriteEndObject();
    }

    private static bool HasAnswerChangingKey(AdditionalPropertiesDictionary properties)
    {
        foreach (var (key, _) in properties)
        {
            if (!IsStratumKey(key))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsStratumKey(string key) => key.StartsWith("stratum.", StringComparison.Ordinal);

    private static void WriteValue(Utf8JsonWriter writer, object? value, JsonSerializerOptions serializerOptions)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                return;
            case string text:
                writer.WriteStringValue(text);
                return;
            case bool flag:
                writer.WriteBooleanValue(flag);
                return;
            case JsonElement element:
                WriteCanonical(writer, element);
                return;
            default:
                WriteCanonical(writer, JsonSerializer.SerializeToElement(value, serializerOptions.GetTypeInfo(value.GetType())));
                return;
        }
    }

    private static void WriteCanonical(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject().OrderBy(static p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Name);
                    WriteCanonical(writer, property.Value);
                }

                writer.WriteEndObject();
                return;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    WriteCanonical(writer, item);
                }

                writer.WriteEndArray();
                return;
            default:
                // Strings re-escaped by the writer; numbers, booleans and null as their JSON text.
                element.WriteTo(writer);
                return;
        }
    }
}
