using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace StratumAI;

/// <summary>
/// The activity source and the GenAI instruments a telemetry middleware records to, created once per middleware under its
/// source name: chat and embeddings record to the same names, so one <c>AddSource</c> / <c>AddMeter</c> sees both.
/// </summary>
internal sealed class GenAIInstruments : IDisposable
{
    public GenAIInstruments(string sourceName)
    {
        Source = new ActivitySource(sourceName);
        Meter = new Meter(sourceName);
        TokenUsage = Meter.CreateHistogram(
            GenAI.TokenUsageMetric,
            "{token}",
            "Number of input and output tokens used.",
            tags: null,
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = GenAI.TokenBuckets });
        OperationDuration = Meter.CreateHistogram(
            GenAI.OperationDurationMetric,
            "s",
            "Duration of GenAI client operations.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = GenAI.DurationBuckets });
        Cost = Meter.CreateCounter<double>(StratumTelemetryNames.CostMetric, "USD", "Cost of GenAI client operations, from the catalog prices.");
        TimeToFirstChunk = Meter.CreateHistogram(
            GenAI.TimeToFirstChunkMetric,
            "s",
            "Time from the start of a streamed GenAI operation to its first chunk.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = GenAI.DurationBuckets });
    }

    public ActivitySource Source { get; }

    public Meter Meter { get; }

    public Histogram<long> TokenUsage { get; }

    public Histogram<double> OperationDuration { get; }

    public Counter<double> Cost { get; }

    public Histogram<double> TimeToFirstChunk { get; }

    public void Dispose()
    {
        Source.Dispose();
        Meter.Dispose();
    }
}
