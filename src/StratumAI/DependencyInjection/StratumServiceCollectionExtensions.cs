using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StratumAI;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers StratumAI with dependency injection.</summary>
public static class StratumServiceCollectionExtensions
{
    /// <summary>The name of the <see cref="IHttpClientFactory"/> client StratumAI sends requests with; configure it with <c>services.AddHttpClient(StratumServiceCollectionExtensions.HttpClientName)</c>.</summary>
    public const string HttpClientName = "StratumAI";

    /// <summary>The configuration section <see cref="AddStratumAI(IServiceCollection, IConfiguration)"/> reads when given the root configuration.</summary>
    public const string ConfigurationSectionName = "StratumAI";

    /// <summary>
    /// Registers a singleton <see cref="StratumClient"/> with options bound from configuration, and, when
    /// <c>DefaultModel</c> is set, an <see cref="IChatClient"/> for that model.
    /// </summary>
    /// <remarks>
    /// <para>Pass the root configuration (the <c>StratumAI</c> section is used when it exists) or the section itself.
    /// Keys: <c>StratumAI:Providers:openai:ApiKey</c>, <c>StratumAI:Providers:openai:BaseUrl</c>,
    /// <c>StratumAI:Providers:openai:Headers:Name</c>, <c>StratumAI:Providers:openai:AllowInsecureHttp</c>, <c>StratumAI:Timeout</c>,
    /// <c>StratumAI:DefaultModel</c>.</para>
    /// <para>Binding uses the configuration binder source generator, so it is trim- and AOT-safe.</para>
    /// </remarks>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The root configuration or the StratumAI section.</param>
    /// <returns>The services, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configuration"/> is null.</exception>
    public static IServiceCollection AddStratumAI(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        var section = configuration.GetSection(ConfigurationSectionName);
        IConfiguration source = section.Exists() ? section : configuration;
        services.AddOptions<StratumClientOptions>().Bind(source);
        var hasDefaultModel = !string.IsNullOrEmpty(source[nameof(StratumClientOptions.DefaultModel)]);
        return AddCore(services, hasDefaultModel);
    }

    /// <summary>
    /// Registers a singleton <see cref="StratumClient"/> with options set in code, and, when
    /// <see cref="StratumClientOptions.DefaultModel"/> is set, an <see cref="IChatClient"/> for that model.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the options. It also runs once at registration to see whether a default model is set.</param>
    /// <returns>The services, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configure"/> is null.</exception>
    public static IServiceCollection AddStratumAI(this IServiceCollection services, Action<StratumClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);

        services.AddOptions<StratumClientOptions>().Configure(configure);
        var probe = new StratumClientOptions();
        configure(probe);
        return AddCore(services, !string.IsNullOrEmpty(probe.DefaultModel));
    }

    private static IServiceCollection AddCore(IServiceCollection services, bool registerChatClient)
    {
        // StratumClientOptions.Timeout governs each call; the factory's 100 s default would cut reasoning models short.
        // The factory's default loggers put raw request header values (the API key) into the structured state of their
        // Trace records, where structured sinks export them; StratumAI's own telemetry logs every call instead.
        services.AddHttpClient(HttpClientName, static client => client.Timeout = Timeout.InfiniteTimeSpan).RemoveAllLoggers();
        services.TryAddSingleton(static provider =>
        {
            var options = provider.GetRequiredService<IOptions<StratumClientOptions>>().Value;
            var httpClient = provider.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName);
            return new StratumClient(options, httpClient, provider);
        });

        if (registerChatClient)
        {
            services.TryAddSingleton<IChatClient>(static provider =>
            {
                var client = provider.GetRequiredService<StratumClient>();
                var model = client.Options.DefaultModel;
                if (string.IsNullOrEmpty(model))
                {
                    throw new InvalidOperationException("StratumClientOptions.DefaultModel must name a catalog model to resolve IChatClient from StratumAI.");
                }

                return new NonDisposingChatClient(client.GetChatClient(model));
            });
        }

        return services;
    }

    /// <summary>The container disposes what it creates; the cached model client belongs to <see cref="StratumClient"/>.</summary>
    private sealed class NonDisposingChatClient(IChatClient inner) : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            inner.GetResponseAsync(messages, options, cancellationToken);

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            inner.GetStreamingResponseAsync(messages, options, cancellationToken);

        public object? GetService(Type serviceType, object? serviceKey = null) => inner.GetService(serviceType, serviceKey);

        public void Dispose()
        {
            // Deliberately empty: StratumClient owns and disposes the inner client.
        }
    }
}
