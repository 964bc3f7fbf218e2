using System.Text.RegularExpressions;

namespace StratumAI.Docs.Tests;

/// <summary>docs/api-review.md gives a reason for every public type the packages ship: a new one cannot slip in unexplained.</summary>
public sealed class ApiReviewTests
{
    [Fact]
    public void ApiReview_NamesEveryPublicTypeOfEveryPackage()
    {
        var review = File.ReadAllText(Path.Combine(DocBlock.RepoRoot, "docs", "api-review.md"));
        var named = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match span in Regex.Matches(review, "`([^`]+)`"))
        {
            foreach (Match word in Regex.Matches(span.Groups[1].Value, "[A-Za-z_][A-Za-z0-9_]*"))
            {
                named.Add(word.Value);
            }
        }

        var types = new List<string>();
        foreach (var package in new[] { "StratumAI", "StratumAI.Sqlite", "StratumAI.Postgres", "StratumAI.Redis", "StratumAI.Testing" })
        {
            // In a PublicAPI file a type is the line with no space and no parenthesis: members have signatures or "->".
            types.AddRange(File.ReadAllLines(Path.Combine(DocBlock.RepoRoot, "src", package, "PublicAPI.Unshipped.txt"))
                .Where(line => line.Length > 0 && !line.StartsWith('#') && !line.Contains(' ', StringComparison.Ordinal) && !line.Contains('(', StringComparison.Ordinal)));
        }

        var missing = types.Where(type => !named.Contains(type.Split('.')[^1].Split('<')[0])).ToList();

        Assert.True(types.Count > 100, $"Only {types.Count} public types were read: the PublicAPI files moved or changed format.");
        Assert.True(missing.Count == 0, "docs/api-review.md has no row for: " + string.Join(", ", missing));
    }
}
