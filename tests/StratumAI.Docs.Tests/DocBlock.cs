using System.Reflection;
using System.Text.RegularExpressions;

namespace StratumAI.Docs.Tests;

/// <summary>One <c>```csharp</c> block of a Markdown page, with the context its page gives it.</summary>
/// <param name="File">The page, relative to the repository root, with '/' separators.</param>
/// <param name="Line">The line of the opening fence (1-based).</param>
/// <param name="Code">The block's text.</param>
/// <param name="Context">
/// The context of a <c>&lt;!-- compile: CONTEXT --&gt;</c> comment on the line above the fence (<c>members</c>: members of a class
/// that has a <c>StratumClient llm</c>; <c>services</c>: an app's start-up with <c>services</c> and <c>configuration</c>;
/// <c>repository</c>: a program inside this repository, which may also use the catalog library no package ships), or null
/// for a whole file of a user's project.
/// </param>
/// <param name="Also">
/// Further diagnostics a diagnostics page's block reports by necessity, named in the comment after <c>also</c>
/// (<c>&lt;!-- compile: also CS0117 --&gt;</c>: an unknown <c>Model.X</c> is also the compiler's error).
/// </param>
public sealed record DocBlock(string File, int Line, string Code, string? Context, IReadOnlyList<string>? Also = null)
{
    private static readonly Regex Fence = new(@"^```csharp[ \t]*\n(.*?)^```[ \t]*$", RegexOptions.Singleline | RegexOptions.Multiline | RegexOptions.CultureInvariant);
    private static readonly Regex Marker = new(@"<!--\s*compile:\s*(members|services|repository)?\s*(?:also((?:\s+[A-Z]+[0-9]+)+))?\s*-->\s*$", RegexOptions.CultureInvariant);

    /// <summary>The STRATnnn a diagnostics page documents, which its blocks must report; null elsewhere.</summary>
    public string? ExpectedDiagnostic =>
        File.StartsWith("docs/diagnostics/STRAT", StringComparison.Ordinal) ? Path.GetFileNameWithoutExtension(File) : null;

    public override string ToString() => File + ":" + Line;

    public static string RepoRoot { get; } = Path.GetFullPath(
        typeof(DocBlock).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "StratumRepoRoot").Value!);

    /// <summary>Every page that may hold C#: README.md, the StratumAI package's readme and docs/ (recursively).</summary>
    public static IEnumerable<string> Pages() =>
        new[] { Path.Combine(RepoRoot, "README.md"), Path.Combine(RepoRoot, "src", "StratumAI", "README.md") }
            .Concat(Directory.EnumerateFiles(Path.Combine(RepoRoot, "docs"), "*.md", SearchOption.AllDirectories))
            .Order(StringComparer.Ordinal);

    private static readonly Lazy<IReadOnlyList<DocBlock>> AllBlocks = new(() => Pages().SelectMany(Read).ToList());

    /// <summary>Every block of every page, read once per test run (each theory case looks its block up here).</summary>
    public static IReadOnlyList<DocBlock> All() => AllBlocks.Value;

    public static IEnumerable<DocBlock> Read(string path)
    {
        var text = System.IO.File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal);
        var relative = Path.GetRelativePath(RepoRoot, path).Replace('\\', '/');
        foreach (Match match in Fence.Matches(text))
        {
            var line = 1 + text.AsSpan(0, match.Index).Count('\n');
            var before = text[..match.Index].TrimEnd('\n');
            var previousLine = before[(before.LastIndexOf('\n') + 1)..];
            var marker = Marker.Match(previousLine);
            var context = marker.Success && marker.Groups[1].Success ? marker.Groups[1].Value : null;
            var also = marker.Success && marker.Groups[2].Success
                ? marker.Groups[2].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                : [];
            yield return new DocBlock(relative, line, match.Groups[1].Value, context, also);
        }
    }
}
