namespace StratumAI.Testing.Fixtures;

/// <summary>Splits a recorded URL into host and path+query without re-escaping anything.</summary>
internal static class UriParts
{
    public static (string? Host, string PathAndQuery) Split(string uri)
    {
        var schemeEnd = uri.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            // Already a path (origin-form request target).
            return (null, uri.StartsWith('/') ? uri : "/" + uri);
        }

        var authorityStart = schemeEnd + 3;
        var pathStart = uri.IndexOfAny(['/', '?'], authorityStart);
        var host = pathStart < 0 ? uri[authorityStart..] : uri[authorityStart..pathStart];
        var path = pathStart < 0 ? "/" : uri[pathStart..];
        if (path.StartsWith('?'))
        {
            path = "/" + path;
        }

        return (host, path);
    }
}
