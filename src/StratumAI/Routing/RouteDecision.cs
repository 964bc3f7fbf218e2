using System.Globalization;

namespace StratumAI;

/// <summary>One model the router ranked, with what it predicted for the request.</summary>
/// <param name="Model">The catalog model.</param>
/// <param name="ExpectedQuality">Expected accuracy on this request, in [0, 1].</param>
/// <param name="EstimatedCost">Estimated USD cost: prompt tokens and expected output tokens at the catalog prices.</param>
/// <param name="LatencyMilliseconds">Moving-average observed latency, or null when the model was never observed.</param>
/// <param name="MeetsQualityBar">True when the model clears the strategy's quality bar (always true for Quality and Hybrid).</param>
/// <param name="Score">
/// The strategy's objective, higher is better: Cost −cost, Quality expected quality, Hybrid quality − λ × relative cost,
/// Latency −milliseconds. Ranking puts models that meet the bar first, then orders by score.
/// </param>
public sealed record RouteCandidate(
    ModelInfo Model,
    double ExpectedQuality,
    decimal EstimatedCost,
    double? LatencyMilliseconds,
    bool MeetsQualityBar,
    double Score)
{
    /// <inheritdoc />
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Model} q={ExpectedQuality:0.000} ${EstimatedCost:0.000000} score={Score:0.0000}{(MeetsQualityBar ? string.Empty : " (below bar)")}");
}

/// <summary>Why the router chose a model: the request's analysis, the ranked candidates and a sentence of explanation.</summary>
/// <remarks>
/// <para>Put on every routed response under <see cref="RouteDecision.PropertyKey"/> (read it with
/// <see cref="RoutingResponseExtensions.GetRouteDecision(Microsoft.Extensions.AI.ChatResponse)"/>). Immutable and thread-safe.</para>
/// </remarks>
public sealed class RouteDecision
{
    /// <summary>The <see cref="Microsoft.Extensions.AI.ChatResponse.AdditionalProperties"/> key holding the decision.</summary>
    public const string PropertyKey = "stratum.route";

    internal RouteDecision(
        RoutingStrategy strategy,
        ComplexityAnalysis analysis,
        IReadOnlyList<RouteCandidate> candidates,
        int consideredModels,
        IReadOnlyDictionary<string, int> rejections,
        string reason)
    {
        Strategy = strategy;
        Analysis = analysis;
        Candidates = candidates;
        ConsideredModels = consideredModels;
        Rejections = rejections;
        Reason = reason;
    }

    /// <summary>The chosen model: the first of <see cref="Candidates"/>.</summary>
    public ModelInfo Model => Candidates[0].Model;

    /// <summary>The strategy that decided.</summary>
    public RoutingStrategy Strategy { get; }

    /// <summary>The request's features, difficulty and feature contributions.</summary>
    public ComplexityAnalysis Analysis { get; }

    /// <summary>
    /// The best candidates in rank order (at most <see cref="RouterOptions.MaxCandidates"/>); the chosen model first, the rest
    /// are the natural fallbacks.
    /// </summary>
    public IReadOnlyList<RouteCandidate> Candidates { get; }

    /// <summary>How many catalog models were looked at.</summary>
    public int ConsideredModels { get; }

    /// <summary>How many models each hard constraint removed, by reason (e.g. <c>missing capability Tools</c>).</summary>
    public IReadOnlyDictionary<string, int> Rejections { get; }

    /// <summary>A sentence saying why the model was chosen.</summary>
    public string Reason { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Model} ({Strategy}): {Reason}";
}
