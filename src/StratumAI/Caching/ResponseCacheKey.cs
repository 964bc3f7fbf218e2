using System.Text;
using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace StratumAI;

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
    // 2: written by CanonicalTextWriter (printable ASCII verbatim, everything else \uXXXX); 1 was Utf8JsonWriter's escaping.
    private const int FormatVersion = 2;

    // One writer per thread: a key is written on every cached call, and allocating a buffer each time would cost more than the writing.
    [ThreadStatic]
    private static CanonicalTextWriter? t_writer;

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
        => Sha256Hex(Write(model, messages, options, streaming, serializerOptions));

    /// <summary>The canonical JSON text <see cref="Compute"/> hashes (ASCII: everything else is written as <c>\uXXXX</c>).</summary>
    internal static string Canonical(string model, IEnumerable<ChatMessage> messages, ChatOptions? options, bool streaming, JsonSerializerOptions? serializerOptions)
        => new(Write(model, messages, options, streaming, serializerOptions));

    /// <summary>
    /// <see cref="Canonical"/> without the string: the text in this thread's buffer, valid until the next key is written on
    /// this thread. Lets a lookup by exact text allocate nothing.
    /// </summary>
    internal static ReadOnlySpan<char> CanonicalSpan(string model, IEnumerable<ChatMessage> messages, ChatOptions? options, bool streaming, JsonSerializerOptions? serializerOptions)
        => Write(model, messages, options, streaming, serializerOptions);

    /// <summary>What <see cref="Compute"/> returns for the request whose <see cref="Canonical"/> text this is.</summary>
    internal static string Hash(string canonical) => Sha256Hex(canonical.AsSpan());

    private static ReadOnlySpan<char> Write(string model, IEnumerable<ChatMessage> messages, ChatOptions? options, bool streaming, JsonSerializerOptions? serializerOptions)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(messages);
        serializerOptions ??= AIJsonUtilities.DefaultOptions;

        var writer = t_writer ??= new CanonicalTextWriter();
        writer.Reset();
        try
        {
            writer.StartObject();
            writer.Number("v", FormatVersion);
            writer.String("model", model);
            writer.Boolean("stream", streaming);
            writer.Name("messages");
            writer.StartArray();
            foreach (var message in messages)
            {
                WriteMessage(writer, message, serializerOptions);
            }

            writer.EndArray();
            if (options is not null)
            {
                writer.Name("options");
                WriteOptions(writer, options, serializerOptions);
            }

            writer.EndObject();
            return writer.Written;
        }
        finally
        {
            // Large inputs (long conversations) should not stay pinned to the thread (a span returned still holds its buffer).
            if (writer.Capacity > 64 * 1024)
            {
                t_writer = null;
            }
        }
    }

    /// <summary>The SHA-256 of the text's UTF-8 bytes (the canonical text is ASCII, so one byte per character).</summary>
    private static string Sha256Hex(ReadOnlySpan<char> text)
    {
        var length = Encoding.UTF8.GetMaxByteCount(text.Length);
        var rented = length > 4096 ? ArrayPool<byte>.Shared.Rent(length) : null;
        Span<byte> bytes = rented is null ? stackalloc byte[length] : rented;
        try
        {
            return Sha256Hex(bytes[..Encoding.UTF8.GetBytes(text, bytes)]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
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

    private static void WriteMessage(CanonicalTextWriter writer, ChatMessage message, JsonSerializerOptions serializerOptions)
    {
        writer.StartObject();
        writer.String("role", message.Role.Value);
        if (message.AuthorName is not null)
        {
            writer.String("author", message.AuthorName);
        }

        writer.Name("contents");
        writer.StartArray();
        foreach (var content in message.Contents)
        {
            WriteContent(writer, content, serializerOptions);
        }

        writer.EndArray();
        writer.EndObject();
    }

    private static void WriteContent(CanonicalTextWriter writer, AIContent content, JsonSerializerOptions serializerOptions)
    {
        writer.StartObject();
        switch (content)
        {
            case TextContent text:
                writer.String("text", text.Text);
                break;
            case TextReasoningContent reasoning:
                writer.String("reasoning", reasoning.Text);
                if (reasoning.ProtectedData is not null)
                {
                    writer.String("protected", reasoning.ProtectedData);
                }

                break;
            case DataContent data:
                writer.String("data", Sha256Hex(data.Data.Span));
                writer.String("mediaType", data.MediaType);
                if (data.Name is not null)
                {
                    writer.String("name", data.Name);
                }

                break;
            case UriContent uri:
                writer.String("uri", uri.Uri.OriginalString);
                writer.String("mediaType", uri.MediaType);
                break;
            case HostedFileContent file:
                writer.String("file", file.FileId);
                break;
            case FunctionCallContent call:
                writer.String("call", call.Name);
                writer.String("id", call.CallId);
                writer.Name("arguments");
                if (call.Arguments is null)
                {
                    writer.Null();
                }
                else
                {
                    WriteDictionary(writer, call.Arguments, serializerOptions, skipStratumKeys: false);
                }

                break;
            case FunctionResultContent result:
                writer.String("result", result.CallId);
                writer.Name("value");
                WriteValue(writer, result.Result, serializerOptions);
                if (result.Exception is not null)
                {
                    writer.String("error", result.Exception.Message);
                }

                break;
            case UsageContent:
                // Usage reported by an earlier response does not change the next answer.
                writer.String("usage", string.Empty);
                break;
            default:
                // Any other content (e.g. user-registered types): its polymorphic JSON, which fails loudly when unknown.
                writer.String("type", content.GetType().FullName);
                writer.Name("json");
                WriteCanonical(writer, JsonSerializer.SerializeToElement(content, serializerOptions.GetTypeInfo(typeof(AIContent))));
                break;
        }

        writer.EndObject();
    }

    private static void WriteOptions(CanonicalTextWriter writer, ChatOptions options, JsonSerializerOptions serializerOptions)
    {
        writer.StartObject();
        if (options.Instructions is not null)
        {
            writer.String("instructions", options.Instructions);
        }

        WriteNumber(writer, "temperature", options.Temperature);
        WriteNumber(writer, "topP", options.TopP);
        WriteNumber(writer, "frequencyPenalty", options.FrequencyPenalty);
        WriteNumber(writer, "presencePenalty", options.PresencePenalty);
        if (options.TopK is { } topK)
        {
            writer.Number("topK", topK);
        }

        if (options.Seed is { } seed)
        {
            writer.Number("seed", seed);
        }

        if (options.MaxOutputTokens is { } maxTokens)
        {
            writer.Number("maxOutputTokens", maxTokens);
        }

        if (options.StopSequences is { } stops)
        {
            writer.Name("stop");
            writer.StartArray();
            foreach (var stop in stops)
            {
                writer.String(stop);
            }

            writer.EndArray();
        }

        if (options.Reasoning is { } reasoning)
        {
            writer.Name("reasoning");
            writer.StartObject();
            writer.String("effort", reasoning.Effort?.ToString());
            writer.String("output", reasoning.Output?.ToString());
            writer.EndObject();
        }

        if (options.AllowMultipleToolCalls is { } multiple)
        {
            writer.Boolean("multipleToolCalls", multiple);
        }

        WriteResponseFormat(writer, options.ResponseFormat);
        WriteToolMode(writer, options.ToolMode);
        if (options.Tools is { Count: > 0 } tools)
        {
            writer.Name("tools");
            writer.StartArray();
            foreach (var tool in tools)
            {
                WriteTool(writer, tool);
            }

            writer.EndArray();
        }

        if (options.AdditionalProperties is { Count: > 0 } properties && HasAnswerChangingKey(properties))
        {
            writer.Name("additional");
            WriteDictionary(writer, properties, serializerOptions, skipStratumKeys: true);
        }

        writer.EndObject();
    }

    private static void WriteResponseFormat(CanonicalTextWriter writer, ChatResponseFormat? format)
    {
        switch (format)
        {
            case null:
                return;
            case ChatResponseFormatJson json:
                writer.Name("responseFormat");
                writer.StartObject();
                writer.String("type", "json");
                if (json.SchemaName is not null)
                {
                    writer.String("name", json.SchemaName);
                }

                if (json.SchemaDescription is not null)
                {
                    writer.String("description", json.SchemaDescription);
                }

                if (json.Schema is { } schema)
                {
                    writer.Name("schema");
                    WriteCanonical(writer, schema);
                }

                writer.EndObject();
                return;
            default:
                writer.String("responseFormat", format.GetType().FullName);
                return;
        }
    }

    private static void WriteToolMode(CanonicalTextWriter writer, ChatToolMode? mode)
    {
        switch (mode)
        {
            case null:
                return;
            case RequiredChatToolMode required:
                writer.String("toolMode", "required:" + required.RequiredFunctionName);
                return;
            default:
                writer.String("toolMode", mode.GetType().Name);
                return;
        }
    }

    private static void WriteTool(CanonicalTextWriter writer, AITool tool)
    {
        writer.StartObject();
        writer.String("type", tool.GetType().FullName);
        writer.String("name", tool.Name);
        writer.String("description", tool.Description);
        if (tool is AIFunctionDeclaration function)
        {
            writer.Name("schema");
            WriteCanonical(writer, function.JsonSchema);
            if (function.ReturnJsonSchema is { } returns)
            {
                writer.Name("returns");
                WriteCanonical(writer, returns);
            }
        }

        writer.EndObject();
    }

    private static void WriteNumber(CanonicalTextWriter writer, string name, float? value)
    {
        if (value is { } number)
        {
            writer.Number(name, number);
        }
    }

    private static void WriteDictionary(CanonicalTextWriter writer, IEnumerable<KeyValuePair<string, object?>> entries, JsonSerializerOptions serializerOptions, bool skipStratumKeys)
    {
        writer.StartObject();
        foreach (var (key, value) in entries.OrderBy(static entry => entry.Key, StringComparer.Ordinal))
        {
            if (skipStratumKeys && StratumOptionKeys.IsStratumKey(key))
            {
                continue;
            }

            writer.Name(key);
            WriteValue(writer, value, serializerOptions);
        }

        writer.EndObject();
    }

    private static bool HasAnswerChangingKey(AdditionalPropertiesDictionary properties)
    {
        foreach (var (key, _) in properties)
        {
            if (!StratumOptionKeys.IsStratumKey(key))
            {
                return true;
            }
        }

        return false;
    }

    private static void WriteValue(CanonicalTextWriter writer, object? value, JsonSerializerOptions serializerOptions)
    {
        switch (value)
        {
            case null:
                writer.Null();
                return;
            case string text:
                writer.String(text);
                return;
            case bool flag:
                writer.Boolean(flag);
                return;
            case JsonElement element:
                WriteCanonical(writer, element);
                return;
            default:
                WriteCanonical(writer, JsonSerializer.SerializeToElement(value, serializerOptions.GetTypeInfo(value.GetType())));
                return;
        }
    }

    private static void WriteCanonical(CanonicalTextWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.StartObject();
                foreach (var property in element.EnumerateObject().OrderBy(static p => p.Name, StringComparer.Ordinal))
                {
                    writer.Name(property.Name);
                    WriteCanonical(writer, property.Value);
                }

                writer.EndObject();
                return;
            case JsonValueKind.Array:
                writer.StartArray();
                foreach (var item in element.EnumerateArray())
                {
                    WriteCanonical(writer, item);
                }

                writer.EndArray();
                return;
            case JsonValueKind.String:
                writer.String(element.GetString());
                return;
            default:
                // Numbers as their JSON text; true, false and null.
                writer.Literal(element.GetRawText());
                return;
        }
    }
}
