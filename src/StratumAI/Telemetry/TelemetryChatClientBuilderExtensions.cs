using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace StratumAI;

/// <summary>Adds <see cref="TelemetryChatClient"/> to a <see cref="ChatClientBuilder"/> pipeline.</summary>
public static class TelemetryChatClientBuilderExtensions
{
    /// <summary>Logs every call and records it as OpenTelemetry GenAI spans and metrics, with its cost.</summary>
    /// <param name="builder">The pipeline.</param>
    /// <param name="configure">Sets the options: logger factory, <see cref="StratumTelemetryOptions.EnableSensitiveData"/>, source name.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    /// <remarks>
    /// <para>Without <see cref="StratumTelemetryOptions.LoggerFactory"/>, the <see cref="ILoggerFactory"/> of the services
    /// the pipeline is built with is used, if any. Subscribe with the OpenTelemetry SDK's <c>AddSource("StratumAI")</c> and
    /// <c>AddMeter("StratumAI")</c> (or the <see cref="StratumTelemetryOptions.SourceName"/> set).</para>
    /// <para>Place it inside a response cache (a hit is then neither a span nor a cost) and outside fallbacks and retries
    /// (one span per call, each attempt an event on it).</para>
    /// </remarks>
    public static ChatClientBuilder UseStratumTelemetry(this ChatClientBuilder builder, Action<StratumTelemetryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            var options = new StratumTelemetryOptions();
            configure?.Invoke(options);
            options.LoggerFactory ??= services.GetService(typeof(ILoggerFactory)) as ILoggerFactory;
            return new TelemetryChatClient(inner, options);
        });
    }
}
