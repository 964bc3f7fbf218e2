using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace StratumAI.Redis;

/// <summary>What every StratumAI.Redis feature's registration does alike: the shared connection and the options.</summary>
internal static class RedisRegistration
{
    /// <summary>
    /// Registers the connection as the <see cref="IConnectionMultiplexer"/> when none is (the features share one), created at
    /// first use with <c>AbortOnConnectFail = false</c> (the application starts while Redis is down) and a fail-fast backlog (a
    /// command is not queued while disconnected: each feature's failure behaviour decides at once).
    /// </summary>
    public static void TryAddConnection(IServiceCollection services, string configuration) =>
        services.TryAddSingleton<IConnectionMultiplexer>(_ =>
        {
            var options = ConfigurationOptions.Parse(configuration);
            options.AbortOnConnectFail = false;
            options.BacklogPolicy = BacklogPolicy.FailFast;
            return ConnectionMultiplexer.Connect(options);
        });

    /// <summary>Registers <typeparamref name="TOptions"/>, configured by <paramref name="configure"/> when given.</summary>
    public static void AddOptions<TOptions>(IServiceCollection services, Action<TOptions>? configure)
        where TOptions : class
    {
        var builder = services.AddOptions<TOptions>();
        if (configure is not null)
        {
            builder.Configure(configure);
        }
    }
}
