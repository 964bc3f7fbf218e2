using System.Collections.Concurrent;

namespace StratumAI;

/// <summary>Observed latency per model as an exponential moving average, for <see cref="RoutingStrategy.Latency"/>.</summary>
/// <remarks>Thread-safe. <see cref="RoutingChatClient"/> records every routed call it completes.</remarks>
public sealed class LatencyTracker
{
    private readonly ConcurrentDictionary<string, double> _averages = new(StringComparer.Ordinal);
    private readonly double _alpha;

    /// <summary>Creates a tracker.</summary>
    /// <param name="smoothing">Weight of the newest observation in the moving average, in (0, 1]. Defaults to 0.2.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="smoothing"/> is not in (0, 1].</exception>
    public LatencyTracker(double smoothing = 0.2)
    {
        if (!(smoothing > 0 && smoothing <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(smoothing), smoothing, "The smoothing factor must be in (0, 1].");
        }

        _alpha = smoothing;
    }

    /// <summary>Records one call's latency.</summary>
    /// <param name="model">The model that served the call.</param>
    /// <param name="latency">How long the call took.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="latency"/> is negative.</exception>
    public void Record(ModelInfo model, TimeSpan latency)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(latency, TimeSpan.Zero);
        var ms = latency.TotalMilliseconds;
        _averages.AddOrUpdate(Key(model), ms, (_, old) => old + (_alpha * (ms - old)));
    }

    /// <summary>The moving-average latency of a model.</summary>
    /// <param name="model">The model.</param>
    /// <returns>The average, or null when no call was recorded.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    public TimeSpan? GetAverage(ModelInfo model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return TryGetMilliseconds(model, out var ms) ? TimeSpan.FromMilliseconds(ms) : null;
    }

    internal bool TryGetMilliseconds(ModelInfo model, out double milliseconds) =>
        _averages.TryGetValue(Key(model), out milliseconds);

    private static string Key(ModelInfo model) => model.Id;
}
