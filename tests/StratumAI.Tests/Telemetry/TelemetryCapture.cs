using System.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace StratumAI.Tests.Telemetry;

/// <summary>
/// The OpenTelemetry SDK with in-memory exporters and a <see cref="FakeLogCollector"/>, listening to a source name
/// of its own so tests running in parallel never see each other's spans or metrics.
/// </summary>
internal sealed class TelemetryCapture : IDisposable
{
    private readonly TracerProvider _tracerProvider;
    private readonly MeterProvider _meterProvider;
    private readonly List<MetricSnapshot> _metrics = [];

    public TelemetryCapture()
    {
        SourceName = "StratumAI.Tests." + Guid.NewGuid().ToString("N");
        _tracerProvider = Sdk.CreateTracerProviderBuilder().AddSource(SourceName).AddInMemoryExporter(Spans).Build()!;
        _meterProvider = Sdk.CreateMeterProviderBuilder().AddMeter(SourceName).AddInMemoryExporter(_metrics).Build()!;
        var loggerProvider = new FakeLoggerProvider(Logs);
        LoggerFactory = new LoggerFactory([loggerProvider], new LoggerFilterOptions { MinLevel = LogLevel.Trace });
    }

    public string SourceName { get; }

    public List<Activity> Spans { get; } = [];

    public FakeLogCollector Logs { get; } = new();

    public ILoggerFactory LoggerFactory { get; }

    public Activity Span => Assert.Single(Spans);

    /// <summary>Wraps <paramref name="inner"/> in the telemetry middleware reporting here.</summary>
    public IChatClient Wrap(IChatClient inner, bool sensitive = false, TimeProvider? time = null) =>
        inner.AsBuilder().UseStratumTelemetry(o =>
        {
            o.SourceName = SourceName;
            o.LoggerFactory = LoggerFactory;
            o.EnableSensitiveData = sensitive;
            o.TimeProvider = time ?? TimeProvider.System;
        }).Build();

    public IReadOnlyList<MetricPoint> Points(string metricName)
    {
        _metrics.Clear();
        _meterProvider.ForceFlush();
        var metric = _metrics.LastOrDefault(m => m.Name == metricName);
        return metric is null ? [] : metric.MetricPoints;
    }

    public MetricSnapshot Metric(string metricName)
    {
        _metrics.Clear();
        _meterProvider.ForceFlush();
        return _metrics.Last(m => m.Name == metricName);
    }

    public static object? Tag(MetricPoint point, string key)
    {
        foreach (var tag in point.Tags)
        {
            if (tag.Key == key)
            {
                return tag.Value;
            }
        }

        return null;
    }

    public static object? Tag(Activity span, string key) => span.GetTagItem(key);

    public void Dispose()
    {
        _tracerProvider.Dispose();
        _meterProvider.Dispose();
        LoggerFactory.Dispose();
    }
}
