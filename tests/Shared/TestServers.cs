using System.Data.Common;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace StratumAI.TestSupport;

/// <summary>
/// The shared test servers that <c>bash .ci/services start</c> (and <c>bash .ci/test</c>) run: Redis on 127.0.0.1:6391 and
/// PostgreSQL on 127.0.0.1:5441 (database stratum_test). Linked as source into the test projects that need them, so it
/// references neither StackExchange.Redis nor Npgsql.
/// </summary>
/// <remarks>
/// A test that needs a server calls <see cref="RequireRedis"/> / <see cref="RequirePostgres"/> (or their async forms): they
/// return the configuration when the server accepts a connection and otherwise throw, so the test FAILS with a message
/// naming the server and how to start it; it never skips. Tests that stop, restart or kill a server start a private one
/// of their own and never touch these. Isolate data per test run with <see cref="UniqueName"/> (a Redis key prefix, a
/// PostgreSQL schema or table name).
/// </remarks>
internal static class TestServers
{
    /// <summary>The environment variable holding the StackExchange.Redis configuration string of the test Redis.</summary>
    public const string RedisVariable = "STRATUM_TEST_REDIS";

    /// <summary>The environment variable holding the Npgsql connection string of the test PostgreSQL database.</summary>
    public const string PostgresVariable = "STRATUM_TEST_POSTGRES";

    /// <summary>The default of <see cref="RedisVariable"/>.</summary>
    public const string DefaultRedis = "127.0.0.1:6391";

    /// <summary>The default of <see cref="PostgresVariable"/>.</summary>
    public const string DefaultPostgres = "Host=127.0.0.1;Port=5441;Username=postgres;Database=stratum_test";

    private const string StartHint = "run `bash .ci/services start` (or run the tests with `bash .ci/test`, which starts and stops the servers)";

    /// <summary>The StackExchange.Redis configuration of the test Redis (<see cref="RedisVariable"/>, else <see cref="DefaultRedis"/>).</summary>
    public static string RedisConfiguration => FromEnvironment(RedisVariable, DefaultRedis);

    /// <summary>The Npgsql connection string of the test database (<see cref="PostgresVariable"/>, else <see cref="DefaultPostgres"/>).</summary>
    public static string PostgresConnectionString => FromEnvironment(PostgresVariable, DefaultPostgres);

    /// <summary>The test Redis's configuration, once it accepts a TCP connection; otherwise throws with how to start it.</summary>
    public static string RequireRedis() => RequireRedisAsync().GetAwaiter().GetResult();

    /// <summary>The test database's connection string, once the server accepts a TCP connection; otherwise throws with how to start it.</summary>
    public static string RequirePostgres() => RequirePostgresAsync().GetAwaiter().GetResult();

    /// <summary>The test Redis's configuration, once it accepts a TCP connection; otherwise throws with how to start it.</summary>
    public static Task<string> RequireRedisAsync() => RequireRedisAsync(RedisConfiguration);

    /// <summary>A Redis configuration, once its first endpoint accepts a TCP connection; otherwise throws with how to start the test server.</summary>
    public static async Task<string> RequireRedisAsync(string configuration)
    {
        var (host, port) = RedisEndpoint(configuration);
        await RequireTcpAsync("Redis", RedisVariable, configuration, host, port).ConfigureAwait(false);
        return configuration;
    }

    /// <summary>The test database's connection string, once the server accepts a TCP connection; otherwise throws with how to start it.</summary>
    public static Task<string> RequirePostgresAsync() => RequirePostgresAsync(PostgresConnectionString);

    /// <summary>A connection string, once its server accepts a TCP connection; otherwise throws with how to start the test server.</summary>
    public static async Task<string> RequirePostgresAsync(string connectionString)
    {
        var (host, port) = PostgresEndpoint(connectionString);
        await RequireTcpAsync("PostgreSQL", PostgresVariable, connectionString, host, port).ConfigureAwait(false);
        return connectionString;
    }

    /// <summary>
    /// The exception a test throws when a test server it reached fails in a way that means it is not set up (e.g. the
    /// database is missing): names the server, the variable and how to start it.
    /// </summary>
    public static InvalidOperationException Unavailable(string server, string variable, string configuration, Exception? inner = null) =>
        new($"The {server} test server is not available ({variable}={configuration}){(inner is null ? "" : ": " + inner.Message)}. To start it, {StartHint}.", inner);

    /// <summary>A name unique to this test run, for a Redis key prefix or a PostgreSQL schema/table: lower case letters, digits and '_'.</summary>
    /// <param name="prefix">A readable start (lower case letters, digits, '_'), e.g. the feature under test.</param>
    public static string UniqueName(string prefix)
    {
        // PostgreSQL identifiers are at most 63 bytes; the random part comes first after the prefix so a cut keeps it unique.
        var name = string.Create(CultureInfo.InvariantCulture, $"{prefix}_{Guid.NewGuid():N}_{Environment.ProcessId}").ToLowerInvariant();
        return name.Length <= 63 ? name : name[..63];
    }

    /// <summary>A TCP port on 127.0.0.1 that nothing listens on right now, for a private server a test starts itself.</summary>
    public static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FromEnvironment(string variable, string fallback)
    {
        var value = Environment.GetEnvironmentVariable(variable);
        return string.IsNullOrWhiteSpace(value) ? fallback : value;
    }

    private static (string Host, int Port) RedisEndpoint(string configuration)
    {
        // "host:port,option=value,…": the first entry without '=' is the first endpoint.
        var endpoint = configuration.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(part => !part.Contains('=', StringComparison.Ordinal)) ?? "127.0.0.1:6379";
        var colon = endpoint.LastIndexOf(':');
        return colon > 0 && int.TryParse(endpoint[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            ? (endpoint[..colon], port)
            : (endpoint, 6379);
    }

    private static (string Host, int Port) PostgresEndpoint(string connectionString)
    {
        var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
        var host = (builder.TryGetValue("Host", out var h) || builder.TryGetValue("Server", out h)) ? Convert.ToString(h, CultureInfo.InvariantCulture) : null;
        var port = builder.TryGetValue("Port", out var p) ? Convert.ToInt32(p, CultureInfo.InvariantCulture) : 5432;
        return (string.IsNullOrWhiteSpace(host) ? "127.0.0.1" : host.Split(',')[0], port);
    }

    private static async Task RequireTcpAsync(string server, string variable, string configuration, string host, int port)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(host, port, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            throw Unavailable(server, variable, configuration, new IOException($"nothing accepts a connection on {host}:{port.ToString(CultureInfo.InvariantCulture)} ({ex.Message})", ex));
        }
    }
}
