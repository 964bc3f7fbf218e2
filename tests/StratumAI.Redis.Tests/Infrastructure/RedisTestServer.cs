using StackExchange.Redis;

namespace StratumAI.Redis.Tests;

/// <summary>
/// The shared test Redis (<c>STRATUM_TEST_REDIS</c>, default <c>127.0.0.1:6391</c>, started by <c>bash .ci/services start</c>).
/// Tests never flush it or restart it (other sessions use it at the same time): each isolates its data under its own key
/// prefix from <see cref="NewPrefix"/>. A test that cannot connect fails, naming the server; it never skips.
/// </summary>
internal static class RedisTestServer
{
    private static readonly Lazy<Task<ConnectionMultiplexer>> Shared = new(() => ConnectAsync(Configuration));

    /// <summary>The StackExchange.Redis configuration of the shared test server.</summary>
    public static string Configuration =>
        Environment.GetEnvironmentVariable("STRATUM_TEST_REDIS") is { Length: > 0 } value ? value : "127.0.0.1:6391";

    /// <summary>One connection to the shared server for the whole test run.</summary>
    /// <returns>The connection.</returns>
    public static Task<ConnectionMultiplexer> GetAsync() => Shared.Value;

    /// <summary>A key prefix no other test or run uses, with a hash tag so a store's keys share one cluster slot.</summary>
    /// <param name="test">A short name of the test, for reading keys by hand.</param>
    /// <returns>The prefix, e.g. <c>test:budgets-4f1c…</c>.</returns>
    public static string NewPrefix(string test) => $"test:{test}-{Guid.NewGuid():N}";

    /// <summary>Connects, or fails with a message naming the server and how to start it.</summary>
    /// <param name="configuration">The StackExchange.Redis configuration.</param>
    /// <returns>The connection.</returns>
    public static async Task<ConnectionMultiplexer> ConnectAsync(string configuration)
    {
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = true;
        options.ConnectTimeout = 5_000;
        try
        {
            var connection = await ConnectionMultiplexer.ConnectAsync(options);
            await connection.GetDatabase().PingAsync();
            return connection;
        }
        catch (RedisConnectionException ex)
        {
            throw new InvalidOperationException(
                $"The test Redis server at '{configuration}' (STRATUM_TEST_REDIS) cannot be reached: run `bash .ci/services start`. {ex.Message}",
                ex);
        }
    }
}
