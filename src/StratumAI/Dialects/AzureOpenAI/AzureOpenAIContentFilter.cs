using System.Net;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace StratumAI.Dialects;

/// <summary>
/// Reads Azure OpenAI's content-filter annotations — <c>content_filter_results</c> on a choice or a streamed annotation,
/// <c>innererror.content_filter_result</c> in a 400 <c>content_filter</c> error, the Responses API's
/// <c>content_filters</c> — and builds the <see cref="StratumContentFilteredException"/> they stand for.
/// </summary>
/// <remarks>
/// A category counts as filtered when its result says <c>"filtered": true</c>. Results of other shapes (an <c>error</c>
/// object when filtering itself failed, <c>custom_blocklists</c> as a list) are skipped, never a parse failure: a filter
/// annotation must not break a response that is otherwise fine.
/// </remarks>
internal static class AzureOpenAIContentFilter
{
    /// <summary>The filtered categories of a <c>content_filter_results</c> object, with their severity when given; empty when none.</summary>
    public static List<(string Category, string? Severity)> Filtered(JsonElement? results)
    {
        var filtered = new List<(string, string?)>();
        if (results is not { ValueKind: JsonValueKind.Object } value)
        {
            return filtered;
        }

        foreach (var category in value.EnumerateObject())
        {
            if (category.Value.ValueKind == JsonValueKind.Object
                && category.Value.TryGetProperty("filtered", out var flag) && flag.ValueKind == JsonValueKind.True)
            {
                var severity = category.Value.TryGetProperty("severity", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
                filtered.Add((category.Name, severity));
            }
        }

        return filtered;
    }

    /// <summary>
    /// The Responses API's <c>content_filters</c>: whether an entry says <c>blocked: true</c>, and the filtered categories of
    /// the blocked entries (of every entry when none names one).
    /// </summary>
    public static bool Blocked(JsonElement? contentFilters, out List<(string Category, string? Severity)> categories)
    {
        categories = [];
        if (contentFilters is not { ValueKind: JsonValueKind.Array } filters)
        {
            return false;
        }

        var blocked = false;
        foreach (var entry in filters.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.Object
                || !entry.TryGetProperty("blocked", out var flag) || flag.ValueKind != JsonValueKind.True)
            {
                continue;
            }

            blocked = true;
            categories.AddRange(Filtered(entry.TryGetProperty("content_filter_results", out var results) ? results : null));
        }

        return blocked;
    }

    /// <summary>
    /// Reads a Chat Completions or Responses error body as <see cref="OpenAIChatCompletionsErrors.ParseBody"/> does, adding
    /// the categories of <c>innererror.content_filter_result</c> (Azure's 400 <c>content_filter</c>, when it has one).
    /// </summary>
    /// <remarks>Azure's v1 API repeats the HTTP status as a number (<c>"status": 400</c>) beside <c>"type": null</c>: that is not an error type.</remarks>
    public static ErrorBody ParseErrorBody(string body)
    {
        var error = OpenAIChatCompletionsErrors.ParseBody(body);
        return DialectJson.ReadErrorBody(
            body,
            root =>
            {
                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("error", out var details) || details.ValueKind != JsonValueKind.Object)
                {
                    return error;
                }

                var read = error;
                if ((!details.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
                    && details.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.Number)
                {
                    read = read with { Type = null };
                }

                if (details.TryGetProperty("innererror", out var inner) && inner.ValueKind == JsonValueKind.Object
                    && inner.TryGetProperty("content_filter_result", out var results))
                {
                    read = read with { FilterCategories = Filtered(results).Select(c => c.Category).ToArray() };
                }

                return read;
            },
            error);
    }

    /// <summary>
    /// The exception for an answer Azure's filter flagged in a successful response (status 200): its categories, the usage
    /// billed for it, and <c>content_filter</c> as the code.
    /// </summary>
    public static StratumContentFilteredException Flagged(
        string providerId,
        string model,
        string what,
        List<(string Category, string? Severity)> categories,
        string? requestId,
        UsageDetails? usage,
        SecretRedactor redactor)
    {
        var names = categories.Select(c => redactor.Redact(c.Category)!).ToArray();
        var described = categories.Count == 0
            ? "no category named"
            : string.Join(", ", categories.Select(c => c.Severity is null ? redactor.Redact(c.Category) : $"{redactor.Redact(c.Category)} ({redactor.Redact(c.Severity)})"));
        var message = ProviderErrorMapper.BuildMessage(providerId, model, what, "content_filter", $"Azure's content filter flagged it: {described}.", requestId);
        return new StratumContentFilteredException(message)
        {
            ProviderId = providerId,
            ModelId = model,
            StatusCode = HttpStatusCode.OK,
            ErrorCode = "content_filter",
            FilterCategories = names,
            RequestId = requestId,
            UsageSoFar = usage,
        };
    }
}
