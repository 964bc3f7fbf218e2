using System.Globalization;
using Microsoft.Extensions.Logging;

namespace StratumAI;

/// <summary>Settings of <see cref="TelemetryChatClient"/>: where logs go, the OpenTelemetry source name, and whether prompt and response text is recorded.</summary>
/// <remarks>Set the properties before the client is created; the client reads them once.</remarks>
public sealed class StratumTelemetryOptions
{
    /// <summary>
    /// Creates the logger log lines go to.
    /// <value>Defaults to null: <c>UseStratumTelemetry</c> then takes the <see cref="ILoggerFactory"/> of the pipeline's services, and without one nothing is logged.</value>
    /// </summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>
    /// Whether prompt and response text (messages, tool call arguments and results) is logged and recorded on spans
    /// (<c>gen_ai.input.messages</c>, <c>gen_ai.output.messages</c>).
    /// <value>Defaults to <see langword="false"/>: only model ids, token counts, cost, durations and error types are recorded.</value>
    /// </summary>
    /// <remarks>Prompts and answers can hold personal or secret data: turn this on only where the logs and traces may hold it too.</remarks>
    public bool EnableSensitiveData { get; set; }

    /// <summary>
    /// The name of the <see cref="System.Diagnostics.ActivitySource"/> and <see cref="System.Diagnostics.Metrics.Meter"/>;
    /// subscribe to it with <c>AddSource(name)</c> and <c>AddMeter(name)</c>.
    /// <value>Defaults to <see cref="StratumTelemetryNames.DefaultSourceName"/> (<c>StratumAI</c>).</value>
    /// </summary>
    public string SourceName { get; set; } = StratumTelemetryNames.DefaultSourceName;

    /// <summary>
    /// The catalog a call's <see cref="Microsoft.Extensions.AI.ChatOptions.ModelId"/> is resolved in, to find its provider.
    /// <value>Defaults to null: the <see cref="StratumClient.Models"/> of the pipeline's <see cref="StratumClient"/>, else <see cref="ModelRegistry.Default"/>.</value>
    /// </summary>
    public ModelRegistry? Models { get; set; }

    /// <summary>
    /// The clock call durations are measured with.
    /// <value>Defaults to <see cref="TimeProvider.System"/>.</value>
    /// </summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <inheritdoc />
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"StratumTelemetryOptions {{ SourceName = {SourceName}, EnableSensitiveData = {EnableSensitiveData}, LoggerFactory = {(LoggerFactory is null ? "(services)" : "set")}, Models = {(Models is null ? "(client)" : "set")} }}");
}
