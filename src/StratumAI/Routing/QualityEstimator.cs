using System.Collections.Concurrent;

namespace StratumAI;

/// <summary>Predicts how likely a model is to answer a request well (expected accuracy in [0, 1]).</summary>
/// <remarks>Implementations must be thread-safe and fast: the router calls one once per catalog model per request.</remarks>
public abstract class QualityEstimator
{
    /// <summary>The estimator fitted on public routing data and shipped with StratumAI (see <c>docs/router.md</c>).</summary>
    public static QualityEstimator Default { get; } = new LearnedQualityEstimator(RouterCoefficients.Tier, RouterCoefficients.Profiles);

    /// <summary>Predicts the expected quality of <paramref name="model"/> on the analysed request.</summary>
    /// <param name="model">The catalog model.</param>
    /// <param name="analysis">The request's analysis.</param>
    /// <returns>The expected accuracy in [0, 1], or null when the model cannot be judged (no quality score, no profile).</returns>
    public abstract double? Estimate(ModelInfo model, ComplexityAnalysis analysis);
}

/// <summary>Coefficients mapping a catalog quality score and a difficulty to an expected accuracy.</summary>
/// <remarks><c>sigmoid(C0 + C1·logit(q) + C2·z + C3·logit(q)·z)</c> with <c>z</c> the difficulty logit.</remarks>
internal sealed record TierCurve(double C0, double C1, double C2, double C3);

/// <summary>A model measured on public data: expected accuracy is <c>sigmoid(Intercept + Σ Weights[i]·x[i])</c>.</summary>
internal sealed record ModelProfile(double Intercept, double[] Weights);

/// <summary>
/// Uses a per-model profile when the model was measured in the public data (matched by id or alias), otherwise the
/// quality-tier curve applied to the catalog's <see cref="ModelInfo.Quality"/>.
/// </summary>
internal sealed class LearnedQualityEstimator : QualityEstimator
{
    private readonly TierCurve _tier;
    private readonly IReadOnlyDictionary<string, ModelProfile> _profiles;

    // The profile lookup is by id and aliases; cached per model instance so a large catalog pays one reference-hash lookup.
    private readonly ConcurrentDictionary<ModelInfo, ModelProfile?> _profileByModel = new(ReferenceEqualityComparer.Instance);

    public LearnedQualityEstimator(TierCurve tier, IReadOnlyDictionary<string, ModelProfile> profiles)
    {
        _tier = tier;
        _profiles = profiles;
    }

    public override double? Estimate(ModelInfo model, ComplexityAnalysis analysis)
    {
        if (!_profileByModel.TryGetValue(model, out var profile))
        {
            profile = FindProfile(model);
            _profileByModel.TryAdd(model, profile);
        }

        if (profile is not null)
        {
            var values = analysis.Values;
            var logit = profile.Intercept;
            for (var i = 0; i < values.Length && i < profile.Weights.Length; i++)
            {
                logit += profile.Weights[i] * values[i];
            }

            return Sigmoid(logit);
        }

        if (model.Quality is not double quality)
        {
            return null;
        }

        var q = Logit(quality);
        var z = analysis.DifficultyLogit;
        return Sigmoid(_tier.C0 + (_tier.C1 * q) + (_tier.C2 * z) + (_tier.C3 * q * z));
    }

    internal static double Sigmoid(double x) => 1.0 / (1.0 + Math.Exp(-x));

    internal static double Logit(double p)
    {
        p = Math.Clamp(p, 0.001, 0.999);
        return Math.Log(p / (1 - p));
    }

    private ModelProfile? FindProfile(ModelInfo model)
    {
        if (_profiles.TryGetValue(model.Id, out var profile))
        {
            return profile;
        }

        foreach (var alias in model.Aliases)
        {
            if (_profiles.TryGetValue(alias, out profile))
            {
                return profile;
            }
        }

        return null;
    }
}
