using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace StratumAI;

/// <summary>What the cache stores for one request: the response or the stream's updates, what the call cost, and when it expires.</summary>
/// <remarks>
/// Written as a small JSON envelope; the response and updates inside it go through the configured
/// <see cref="JsonSerializerOptions"/> (by default AIJsonUtilities' source-generated metadata, so no reflection).
/// Objects StratumAI attaches in-process (<see cref="ModelInfo"/>, <see cref="CallCost"/>) are not serialised; the envelope
/// keeps the model's ids and the cost's components instead, and a hit gets them back.
/// </remarks>
internal sealed record ResponseCacheEntry
{
    private const int FormatVersion = 1;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    public required DateTimeOffset ExpiresAt { get; init; }

    public string? ProviderId { get; init; }

    public string? ModelId { get; init; }

    public CallCost? Cost { get; init; }

    public ChatResponse? Response { get; init; }

    public IReadOnlyList<ChatResponseUpdate>? Updates { get; init; }

    /// <summary>A copy of a response without what cannot or should not be replayed (the in-process objects and the original request id).</summary>
    public static ChatResponse Portable(ChatResponse response) => new()
    {
        Messages = response.Messages.Select(static m => new ChatMessage(m.Role, m.Contents)
        {
            AuthorName = m.AuthorName,
            MessageId = m.MessageId,
            CreatedAt = m.CreatedAt,
            AdditionalProperties = Portable(m.AdditionalProperties),
        }).ToList(),
        ResponseId = response.ResponseId,
        ConversationId = response.ConversationId,
        ModelId = response.ModelId,
        CreatedAt = response.CreatedAt,
        FinishReason = response.FinishReason,
        Usage = response.Usage,
        AdditionalProperties = Portable(response.AdditionalProperties),
    };

    /// <summary>A copy of an update, as <see cref="Portable(ChatResponse)"/> does for a response.</summary>
    public static ChatResponseUpdate Portable(ChatResponseUpdate update) => new(update.Role, update.Contents)
    {
        AuthorName = update.AuthorName,
        ResponseId = update.ResponseId,
        MessageId = update.MessageId,
        ConversationId = update.ConversationId,
        CreatedAt = update.CreatedAt,
        FinishReason = update.FinishReason,
        ModelId = update.ModelId,
        AdditionalProperties = Portable(update.AdditionalProperties),
    };

    /// <summary>
    /// A copy of a decoded response for one caller, so no caller can change what another receives; null when it holds a
    /// content type this method does not know how to copy (the caller then decodes the stored bytes again).
    /// </summary>
    public static ChatResponse? Copy(ChatResponse response)
    {
        var messages = new List<ChatMessage>(response.Messages.Count);
        foreach (var message in response.Messages)
        {
            if (Copy(message.Contents) is not { } contents)
            {
                return null;
            }

            messages.Add(new ChatMessage(message.Role, contents)
            {
                AuthorName = message.AuthorName,
                MessageId = message.MessageId,
                CreatedAt = message.CreatedAt,
                AdditionalProperties = message.AdditionalProperties?.Clone(),
            });
        }

        return new ChatResponse(messages)
        {
            ResponseId = response.ResponseId,
            ConversationId = response.ConversationId,
            ModelId = response.ModelId,
            CreatedAt = response.CreatedAt,
            FinishReason = response.FinishReason,
            Usage = Copy(response.Usage),
            AdditionalProperties = response.AdditionalProperties?.Clone(),
        };
    }

    /// <summary>A copy of a decoded update for one caller, as <see cref="Copy(ChatResponse)"/> does for a response.</summary>
    public static ChatResponseUpdate? Copy(ChatResponseUpdate update) =>
        Copy(update.Contents) is { } contents
            ? new ChatResponseUpdate(update.Role, contents)
            {
                AuthorName = update.AuthorName,
                ResponseId = update.ResponseId,
                MessageId = update.MessageId,
                ConversationId = update.ConversationId,
                CreatedAt = update.CreatedAt,
                FinishReason = update.FinishReason,
                ModelId = update.ModelId,
                AdditionalProperties = update.AdditionalProperties?.Clone(),
            }
            : null;

    public byte[] Serialize(JsonSerializerOptions options)
    {
        // The writer asks for room for the worst-case escaping of each string (six bytes a character), so a fresh buffer
        // per entry grew to several times the entry; one per thread is reused instead.
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(4096);
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer);
        writer.Reset(buffer);
        try
        {
            writer.WriteStartObject();
            writer.WriteNumber("v", FormatVersion);
            writer.WriteNumber("expires", ExpiresAt.ToUnixTimeMilliseconds());
            if (ProviderId is not null)
            {
                writer.WriteString("provider", ProviderId);
            }

            if (ModelId is not null)
            {
                writer.WriteString("model", ModelId);
            }

            if (Cost is { } cost)
            {
                writer.WritePropertyName("cost");
                writer.WriteStartArray();
                writer.WriteNumberValue(cost.Input);
                writer.WriteNumberValue(cost.CachedInput);
                writer.WriteNumberValue(cost.CacheWrite);
                writer.WriteNumberValue(cost.Output);
                writer.WriteNumberValue(cost.Reasoning);
                writer.WriteEndArray();
            }

            if (Response is not null)
            {
                writer.WritePropertyName("response");
                JsonSerializer.Serialize(writer, Response, options.GetTypeInfo(typeof(ChatResponse)));
            }

            if (Updates is not null)
            {
                writer.WritePropertyName("updates");
                writer.WriteStartArray();
                var updateType = options.GetTypeInfo(typeof(ChatResponseUpdate));
                foreach (var update in Updates)
                {
                    JsonSerializer.Serialize(writer, update, updateType);
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
            writer.Flush();
            return buffer.WrittenSpan.ToArray();
        }
        finally
        {
            // A large entry's buffer should not stay pinned to the thread.
            if (buffer.Capacity > 256 * 1024)
            {
                t_buffer = null;
                t_writer = null;
            }
        }
    }

    /// <summary>Reads an entry; null when the bytes are not an entry of this format (another version, or not ours).</summary>
    public static ResponseCacheEntry? Deserialize(byte[] bytes, JsonSerializerOptions options)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException)
        {
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("v", out var version) || !version.TryGetInt32(out var v) || v != FormatVersion
                || !root.TryGetProperty("expires", out var expires) || !expires.TryGetInt64(out var expiresAt))
            {
                return null;
            }

            CallCost? cost = null;
            if (root.TryGetProperty("cost", out var costs) && costs.ValueKind == JsonValueKind.Array && costs.GetArrayLength() == 5)
            {
                cost = new CallCost(costs[0].GetDecimal(), costs[1].GetDecimal(), costs[2].GetDecimal(), costs[3].GetDecimal(), costs[4].GetDecimal());
            }

            List<ChatResponseUpdate>? updates = null;
            if (root.TryGetProperty("updates", out var updateArray))
            {
                var updateType = options.GetTypeInfo(typeof(ChatResponseUpdate));
                updates = new List<ChatResponseUpdate>(updateArray.GetArrayLength());
                foreach (var item in updateArray.EnumerateArray())
                {
                    updates.Add((ChatResponseUpdate)item.Deserialize(updateType)!);
                }
            }

            return new ResponseCacheEntry
            {
                ExpiresAt = DateTimeOffset.FromUnixTimeMilliseconds(expiresAt),
                ProviderId = root.TryGetProperty("provider", out var provider) ? provider.GetString() : null,
                ModelId = root.TryGetProperty("model", out var model) ? model.GetString() : null,
                Cost = cost,
                Response = root.TryGetProperty("response", out var response) ? (ChatResponse?)response.Deserialize(options.GetTypeInfo(typeof(ChatResponse))) : null,
                Updates = updates,
            };
        }
    }

    private static List<AIContent>? Copy(IList<AIContent> contents)
    {
        var copies = new List<AIContent>(contents.Count);
        foreach (var content in contents)
        {
            AIContent? copy = content switch
            {
                TextContent text => new TextContent(text.Text),
                TextReasoningContent reasoning => new TextReasoningContent(reasoning.Text) { ProtectedData = reasoning.ProtectedData },
                FunctionCallContent call => new FunctionCallContent(call.CallId, call.Name, call.Arguments is null ? null : new Dictionary<string, object?>(call.Arguments, StringComparer.Ordinal)),
                UsageContent usage => new UsageContent(Copy(usage.Details)!),
                _ => null,
            };

            // Decoded argument values are JsonElements (immutable), so a new dictionary is a full copy.
            if (copy is null || content.GetType() != copy.GetType())
            {
                return null;
            }

            copy.AdditionalProperties = content.AdditionalProperties?.Clone();
            copies.Add(copy);
        }

        return copies;
    }

    private static UsageDetails? Copy(UsageDetails? usage)
    {
        if (usage is null)
        {
            return null;
        }

        var copy = new UsageDetails();
        copy.Add(usage);
        return copy;
    }

    /// <summary>
    /// The properties worth replaying: not StratumAI's own (re-attached on a hit, or meaningless for one, like the request id)
    /// and only plain JSON values, which every serializer can write.
    /// </summary>
    private static AdditionalPropertiesDictionary? Portable(AdditionalPropertiesDictionary? properties)
    {
        if (properties is null || properties.Count == 0)
        {
            return null;
        }

        AdditionalPropertiesDictionary? kept = null;
        foreach (var (key, value) in properties)
        {
            if (StratumOptionKeys.IsStratumKey(key)
                || value is not (null or string or bool or int or long or double or JsonElement))
            {
                continue;
            }

            kept ??= [];
            kept[key] = value;
        }

        return kept;
    }
}
