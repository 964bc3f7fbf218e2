using System.Globalization;
using System.Net;
using StackExchange.Redis;

namespace StratumAI.Redis;

/// <summary>
/// How a Redis store is named in messages and logs: its endpoints and key prefix, never the configuration string (which may
/// hold a password or a user name).
/// </summary>
internal static class RedisStoreName
{
    /// <summary>Describes a connection, e.g. <c>Redis 127.0.0.1:6391 (keys 'stratum:budgets')</c>.</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="prefix">The key prefix the store uses, or null.</param>
    /// <returns>The description.</returns>
    public static string Describe(IConnectionMultiplexer connection, string? prefix)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var endpoints = string.Join(", ", connection.GetEndPoints().Select(Format));
        if (endpoints.Length == 0)
        {
            endpoints = "(no endpoints)";
        }

        return string.IsNullOrEmpty(prefix)
            ? "Redis " + endpoints
            : string.Create(CultureInfo.InvariantCulture, $"Redis {endpoints} (keys '{prefix}')");
    }

    private static string Format(EndPoint endpoint) => endpoint switch
    {
        DnsEndPoint dns => string.Create(CultureInfo.InvariantCulture, $"{dns.Host}:{dns.Port}"),
        IPEndPoint ip => ip.ToString(),
        _ => endpoint.ToString() ?? "?",
    };
}
