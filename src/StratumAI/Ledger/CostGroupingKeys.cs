using System.Globalization;

namespace StratumAI;

/// <summary>The grouping rules of <see cref="ICostLedger"/>, in one place for every in-process implementation.</summary>
public static class CostGroupingKeys
{
    /// <summary>The format of a <see cref="CostGrouping.Day"/> key: the UTC date, <c>yyyy-MM-dd</c>.</summary>
    public const string DayFormat = "yyyy-MM-dd";

    /// <summary>The keys a record counts under for a grouping (none, one, or one per distinct tag).</summary>
    /// <param name="record">The record.</param>
    /// <param name="groupBy">What to group by.</param>
    /// <returns>The keys, each once.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="record"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="groupBy"/> is not a defined value.</exception>
    public static IReadOnlyList<string> For(CostRecord record, CostGrouping groupBy)
    {
        ArgumentNullException.ThrowIfNull(record);
        return groupBy switch
        {
            CostGrouping.Day => [DayOf(record.Timestamp)],
            CostGrouping.Model => [record.ModelId ?? string.Empty],
            CostGrouping.Provider => [record.ProviderId ?? string.Empty],
            CostGrouping.Tag => record.Tags.Distinct(StringComparer.Ordinal).ToArray(),
            CostGrouping.Caller => record.Caller is null ? [] : [record.Caller],
            _ => throw new ArgumentOutOfRangeException(nameof(groupBy), groupBy, "Not a defined CostGrouping value."),
        };
    }

    /// <summary>The <see cref="CostGrouping.Day"/> key of a timestamp.</summary>
    /// <param name="timestamp">The timestamp.</param>
    /// <returns>Its UTC date as <c>yyyy-MM-dd</c>.</returns>
    public static string DayOf(DateTimeOffset timestamp) => timestamp.UtcDateTime.ToString(DayFormat, CultureInfo.InvariantCulture);

    /// <summary>Whether a timestamp lies in the half-open range <c>[since, until)</c>; a null bound is open.</summary>
    /// <param name="timestamp">The timestamp.</param>
    /// <param name="since">The inclusive lower bound, or null.</param>
    /// <param name="until">The exclusive upper bound, or null.</param>
    /// <returns>True when it lies in the range.</returns>
    public static bool InRange(DateTimeOffset timestamp, DateTimeOffset? since, DateTimeOffset? until) =>
        (since is null || timestamp >= since.Value) && (until is null || timestamp < until.Value);

    /// <summary>Sums records into totals per group key.</summary>
    /// <param name="records">The records.</param>
    /// <param name="groupBy">What to group by.</param>
    /// <returns>The totals per key, keyed ordinally.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="records"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="groupBy"/> is not a defined value.</exception>
    public static Dictionary<string, CostTotals> Group(IEnumerable<CostRecord> records, CostGrouping groupBy)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (!Enum.IsDefined(groupBy))
        {
            throw new ArgumentOutOfRangeException(nameof(groupBy), groupBy, "Not a defined CostGrouping value.");
        }

        var groups = new Dictionary<string, CostTotals>(StringComparer.Ordinal);
        foreach (var record in records)
        {
            foreach (var key in For(record, groupBy))
            {
                groups[key] = (groups.TryGetValue(key, out var current) ? current : CostTotals.Empty).Add(record);
            }
        }

        return groups;
    }
}
