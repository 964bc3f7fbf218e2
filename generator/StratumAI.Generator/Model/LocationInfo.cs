using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace StratumAI.Generator.Model;

/// <summary>
/// A value-equatable stand-in for <see cref="Location"/>: pipeline outputs must not hold Roslyn
/// objects, or every edit would defeat caching (and keep old compilations alive).
/// </summary>
internal sealed record LocationInfo(string FilePath, TextSpan TextSpan, LinePositionSpan LineSpan)
{
    public Location ToLocation() => Location.Create(FilePath, TextSpan, LineSpan);

    public static LocationInfo? From(SyntaxNode? node) => node is null ? null : From(node.GetLocation());

    public static LocationInfo? From(Location? location)
    {
        if (location is null || location.SourceTree is null)
        {
            return null;
        }

        return new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
    }
}
