namespace StratumAI;

/// <summary>One feature's part in a difficulty score, kept so that every routing decision can be explained.</summary>
/// <param name="Feature">Feature name, one of <see cref="ComplexityAnalyzer.FeatureNames"/>.</param>
/// <param name="Value">The feature's normalised value (log-scaled counts, about 0..1).</param>
/// <param name="Weight">The learned or configured weight of the feature.</param>
/// <param name="Contribution"><paramref name="Value"/> × <paramref name="Weight"/>: what the feature adds to the difficulty logit.</param>
public readonly record struct FeatureContribution(string Feature, double Value, double Weight, double Contribution);

/// <summary>The result of analysing a request: its features, a difficulty in [0, 1] and each feature's contribution.</summary>
/// <remarks>
/// <para><see cref="Difficulty"/> is <c>sigmoid(Intercept + Σ Contribution)</c>; it estimates how likely a typical model is to
/// get the request wrong. Immutable and thread-safe.</para>
/// </remarks>
public sealed class ComplexityAnalysis
{
    private readonly double[] _values;

    internal ComplexityAnalysis(RequestFeatures features, double[] values, DifficultyWeights weights)
    {
        Features = features;
        _values = values;
        Intercept = weights.Intercept;
        var logit = weights.Intercept;
        var contributions = new FeatureContribution[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            var weight = i < weights.Weights.Length ? weights.Weights[i] : 0;
            var contribution = values[i] * weight;
            contributions[i] = new FeatureContribution(ComplexityAnalyzer.FeatureNames[i], values[i], weight, contribution);
            logit += contribution;
        }

        Contributions = contributions;
        DifficultyLogit = logit;
        Difficulty = 1.0 / (1.0 + Math.Exp(-logit));
    }

    /// <summary>The raw measurements.</summary>
    public RequestFeatures Features { get; }

    /// <summary>Difficulty in [0, 1]: 0 is trivial, 1 is beyond most models.</summary>
    public double Difficulty { get; }

    /// <summary>The difficulty before the sigmoid: <see cref="Intercept"/> plus every contribution.</summary>
    public double DifficultyLogit { get; }

    /// <summary>The constant part of the difficulty logit.</summary>
    public double Intercept { get; }

    /// <summary>Every feature's value, weight and contribution, in <see cref="ComplexityAnalyzer.FeatureNames"/> order.</summary>
    public IReadOnlyList<FeatureContribution> Contributions { get; }

    /// <summary>Capabilities the request needs from a model: tools, vision, JSON schema, PDF or audio input.</summary>
    /// <remarks>Streaming is added by the caller that streams; plain JSON output is satisfied by JSON mode or JSON schema.</remarks>
    public ModelCapabilities RequiredCapabilities { get; internal init; }

    /// <summary>True when the response must be JSON without a schema (JSON mode or JSON schema will do).</summary>
    internal bool NeedsJson { get; init; }

    /// <summary>The normalised feature values, in <see cref="ComplexityAnalyzer.FeatureNames"/> order (no copy).</summary>
    internal ReadOnlySpan<double> Values => _values;

    /// <inheritdoc />
    public override string ToString()
    {
        var top = Contributions.OrderByDescending(c => Math.Abs(c.Contribution)).Take(3)
            .Select(c => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{c.Feature} {c.Contribution:+0.00;-0.00}"));
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"difficulty {Difficulty:0.000} ({Features.PromptTokens} tokens; {string.Join(", ", top)})");
    }
}

/// <summary>Weights that turn normalised feature values into a difficulty logit.</summary>
internal sealed record DifficultyWeights(double Intercept, double[] Weights);
