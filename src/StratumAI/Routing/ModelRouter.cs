using System.Buffers;
using System.Globalization;
using Microsoft.Extensions.AI;

namespace StratumAI;

/// <summary>
/// Picks a catalog model for each request: analyses the request (<see cref="ComplexityAnalyzer"/>), drops the models that
/// cannot serve it (hard constraints), predicts every remaining model's quality (<see cref="QualityEstimator"/>) and
/// cost, and ranks them by the configured <see cref="RoutingStrategy"/>.
/// </summary>
/// <remarks>
/// <para>Hard constraints, for every strategy: the model has every capability the request needs (tools, vision, JSON schema,
/// streaming, …); its context window holds the prompt tokens plus the output tokens; its provider is allowed, not denied and
/// configured (<see cref="RouterOptions.IsProviderConfigured"/>); it has a quality estimate; and its estimated cost is under
/// <see cref="RouterOptions.MaxEstimatedCost"/> when that is set.</para>
/// <para>Deterministic and network-free. Thread-safe once its options are no longer changed. Work per decision is linear in
/// the prompt length plus linear in the catalog size.</para>
/// </remarks>
public sealed class ModelRouter
{
    private readonly ModelInfo[] _models;

    /// <summary>Creates a router over a snapshot of the chat models of <paramref name="models"/>.</summary>
    /// <param name="models">The catalog, e.g. <c>ModelRegistry.Default.Models</c>; its embedding models
    /// (<see cref="ModelCapabilities.Embeddings"/>) are left out, since they do not chat.</param>
    /// <param name="options">Strategy and constraints, or null for the defaults.</param>
    /// <param name="latency">Latency observations to share, or null for a new tracker.</param>
    /// <exception cref="ArgumentNullException"><paramref name="models"/> is null.</exception>
    public ModelRouter(IEnumerable<ModelInfo> models, RouterOptions? options = null, LatencyTracker? latency = null)
    {
        ArgumentNullException.ThrowIfNull(models);
        _models = models.Where(m => m is not null && !m.Supports(ModelCapabilities.Embeddings)).Distinct().OrderBy(m => m.Provider.Id, StringComparer.Ordinal).ThenBy(m => m.Id, StringComparer.Ordinal).ToArray();
        Options = options ?? new RouterOptions();
        Latency = latency ?? new LatencyTracker();
    }

    /// <summary>The models this router chooses from (the chat models it was given), ordered by provider and id.</summary>
    public IReadOnlyList<ModelInfo> Models => _models;

    /// <summary>The router's settings.</summary>
    public RouterOptions Options { get; }

    /// <summary>Observed latencies, used by <see cref="RoutingStrategy.Latency"/>.</summary>
    public LatencyTracker Latency { get; }

    /// <summary>Analyses a request and chooses a model for it.</summary>
    /// <param name="messages">The conversation.</param>
    /// <param name="options">The request's options, or null.</param>
    /// <param name="streaming">True when the answer will be streamed, so the model must support streaming.</param>
    /// <param name="cancellationToken">Stops the analysis (its token count).</param>
    /// <returns>The decision: the chosen model, the ranked candidates and why.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is null.</exception>
    /// <exception cref="StratumNoRouteException">No model passes the hard constraints.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled during the analysis.</exception>
    public RouteDecision Route(IEnumerable<ChatMessage> messages, ChatOptions? options = null, bool streaming = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return Route(Options.Analyzer.Analyze(messages, options, cancellationToken), options, streaming);
    }

    /// <summary>Chooses a model for a request that was already analysed.</summary>
    /// <param name="analysis">The request's analysis.</param>
    /// <param name="options">The request's options (for <see cref="ChatOptions.MaxOutputTokens"/>), or null.</param>
    /// <param name="streaming">True when the answer will be streamed.</param>
    /// <returns>The decision.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="analysis"/> is null.</exception>
    /// <exception cref="StratumNoRouteException">No model passes the hard constraints.</exception>
    public RouteDecision Route(ComplexityAnalysis analysis, ChatOptions? options = null, bool streaming = false)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        var settings = Options;
        var required = analysis.RequiredCapabilities | (streaming ? ModelCapabilities.Streaming : ModelCapabilities.None);
        var promptTokens = analysis.Features.PromptTokens;
        var outputTokens = options?.MaxOutputTokens is int max && max > 0
            ? max
            : analysis.Features.RequestedOutputTokens > 0 ? analysis.Features.RequestedOutputTokens : settings.DefaultOutputTokens;
        var explicitMaxOutput = options?.MaxOutputTokens;

        var n = _models.Length;
        var index = ArrayPool<int>.Shared.Rent(Math.Max(1, n));
        var quality = ArrayPool<double>.Shared.Rent(Math.Max(1, n));
        var cost = ArrayPool<double>.Shared.Rent(Math.Max(1, n));
        try
        {
            var counts = new int[(int)Reject.Count];
            Dictionary<ProviderInfo, bool>? configured = null;
            var eligible = 0;
            var bestQuality = double.NegativeInfinity;
            var maxCost = 0.0;
            var allowList = settings.AllowedProviders.Count > 0;
            var denyList = settings.DeniedProviders.Count > 0;
            var estimator = settings.QualityEstimator;
            var ceiling = settings.MaxEstimatedCost;
            for (var i = 0; i < n; i++)
            {
                var model = _models[i];
                var provider = model.Provider;
                if (denyList && settings.DeniedProviders.Contains(provider.Id))
                {
                    counts[(int)Reject.ProviderDenied]++;
                    continue;
                }

                if (allowList && !settings.AllowedProviders.Contains(provider.Id))
                {
                    counts[(int)Reject.ProviderNotAllowed]++;
                    continue;
                }

                if ((model.Capabilities & required) != required
                    || (analysis.NeedsJson && (model.Capabilities & (ModelCapabilities.JsonMode | ModelCapabilities.JsonSchema)) == 0))
                {
                    counts[(int)Reject.MissingCapability]++;
                    continue;
                }

                if ((model.ContextWindow > 0 && (long)promptTokens + outputTokens > model.ContextWindow)
                    || (explicitMaxOutput is int wanted && model.MaxOutputTokens is int limit && wanted > limit))
                {
                    counts[(int)Reject.ContextWindow]++;
                    continue;
                }

                if (settings.IsProviderConfigured is { } isConfigured)
                {
                    configured ??= new Dictionary<ProviderInfo, bool>(ReferenceEqualityComparer.Instance);
                    if (!configured.TryGetValue(provider, out var ok))
                    {
                        ok = isConfigured(provider);
                        configured[provider] = ok;
                    }

                    if (!ok)
                    {
                        counts[(int)Reject.ProviderNotConfigured]++;
                        continue;
                    }
                }

                if (estimator.Estimate(model, analysis) is not double q || double.IsNaN(q))
                {
                    counts[(int)Reject.NoQuality]++;
                    continue;
                }

                var c = EstimateCostDouble(model.Pricing, promptTokens, outputTokens);
                if (ceiling is decimal limitCost && EstimateCost(model.Pricing, promptTokens, outputTokens) > limitCost)
                {
                    counts[(int)Reject.OverCostCeiling]++;
                    continue;
                }

                index[eligible] = i;
                quality[eligible] = q;
                cost[eligible] = c;
                eligible++;
                bestQuality = Math.Max(bestQuality, q);
                maxCost = Math.Max(maxCost, c);
            }

            var rejections = RejectionTable(counts, required, analysis.NeedsJson);
            if (eligible == 0)
            {
                throw new StratumNoRouteException(
                    $"No catalog model can serve this request ({n} considered: {Describe(rejections)}). Relax the router's constraints or add a model to the catalog.")
                {
                    Rejections = rejections,
                };
            }

            var strategy = settings.Strategy;
            var bar = strategy is RoutingStrategy.Cost or RoutingStrategy.Latency
                ? Math.Max(settings.MinExpectedQuality, settings.MinQualityRatio * bestQuality)
                : double.NegativeInfinity;
            var context = new RankContext(strategy, bar, settings.CostWeight, maxCost, quality, cost, index, _models, Latency);
            var keep = Math.Min(settings.MaxCandidates, eligible);
            var top = new int[keep];
            var filled = 0;
            for (var e = 0; e < eligible; e++)
            {
                // Insertion into a short sorted list: O(catalog × kept), no sort of the whole catalog.
                var position = filled;
                while (position > 0 && context.Better(e, top[position - 1]))
                {
                    position--;
                }

                if (position >= keep)
                {
                    continue;
                }

                var end = Math.Min(filled, keep - 1);
                for (var k = end; k > position; k--)
                {
                    top[k] = top[k - 1];
                }

                top[position] = e;
                filled = Math.Min(filled + 1, keep);
            }

            var candidates = new RouteCandidate[keep];
            for (var k = 0; k < keep; k++)
            {
                var e = top[k];
                var model = _models[index[e]];
                candidates[k] = new RouteCandidate(
                    model,
                    quality[e],
                    EstimateCost(model.Pricing, promptTokens, outputTokens),
                    Latency.TryGetMilliseconds(model, out var ms) ? ms : null,
                    context.Meets(e),
                    context.Score(e));
            }

            var reason = Explain(strategy, candidates[0], eligible, bar, bestQuality, settings, analysis, context.CountMeeting(eligible));
            return new RouteDecision(strategy, analysis, candidates, n, rejections, reason);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(index);
            ArrayPool<double>.Shared.Return(quality);
            ArrayPool<double>.Shared.Return(cost);
        }
    }

    /// <summary>Estimates a request's USD cost on a model: prompt and output tokens at the catalog prices (large-prompt tiers applied).</summary>
    /// <param name="pricing">The model's prices.</param>
    /// <param name="promptTokens">Prompt tokens.</param>
    /// <param name="outputTokens">Expected output tokens.</param>
    /// <returns>The estimated cost in USD.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="pricing"/> is null.</exception>
    public static decimal EstimateCost(ModelPricing pricing, int promptTokens, int outputTokens)
    {
        ArgumentNullException.ThrowIfNull(pricing);
        var (input, output) = Prices(pricing, promptTokens);
        return ((promptTokens * input) + (outputTokens * output)) / 1_000_000m;
    }

    private static double EstimateCostDouble(ModelPricing pricing, int promptTokens, int outputTokens)
    {
        var (input, output) = Prices(pricing, promptTokens);
        return ((promptTokens * (double)input) + (outputTokens * (double)output)) / 1_000_000.0;
    }

    private static (decimal Input, decimal Output) Prices(ModelPricing pricing, int promptTokens)
    {
        var input = pricing.InputPerMillion;
        var output = pricing.OutputPerMillion;
        var tiers = pricing.Tiers;
        for (var t = 0; t < tiers.Count; t++)
        {
            if (promptTokens > tiers[t].AboveInputTokens)
            {
                input = tiers[t].InputPerMillion;
                output = tiers[t].OutputPerMillion;
            }
        }

        return (input, output);
    }

    private static Dictionary<string, int> RejectionTable(int[] counts, ModelCapabilities required, bool needsJson)
    {
        var table = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var r = 0; r < counts.Length; r++)
        {
            if (counts[r] == 0)
            {
                continue;
            }

            var key = (Reject)r switch
            {
                Reject.ProviderDenied => "provider denied",
                Reject.ProviderNotAllowed => "provider not in the allow list",
                Reject.ProviderNotConfigured => "provider not configured (no API key)",
                Reject.MissingCapability => "missing capability " + (needsJson && required == ModelCapabilities.None ? "JsonMode" : required.ToString()),
                Reject.ContextWindow => "context window or output limit too small",
                Reject.NoQuality => "no quality estimate",
                _ => "over the cost ceiling",
            };
            table[key] = counts[r];
        }

        return table;
    }

    private static string Describe(Dictionary<string, int> rejections) =>
        rejections.Count == 0 ? "the catalog is empty" : string.Join("; ", rejections.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Value} {r.Key}")));

    private static string Explain(RoutingStrategy strategy, RouteCandidate chosen, int eligible, double bar, double bestQuality, RouterOptions settings, ComplexityAnalysis analysis, int meeting)
    {
        var inv = CultureInfo.InvariantCulture;
        var difficulty = string.Create(inv, $"difficulty {analysis.Difficulty:0.000}, {analysis.Features.PromptTokens} prompt tokens");
        if (!chosen.MeetsQualityBar)
        {
            return string.Create(inv, $"no model reaches the quality bar {bar:0.000}; chose the best expected quality {chosen.ExpectedQuality:0.000} of {eligible} eligible models ({difficulty})");
        }

        return strategy switch
        {
            RoutingStrategy.Cost => string.Create(inv, $"cheapest (${chosen.EstimatedCost:0.######}) of {meeting} models expected to reach {bar:0.000} = max({settings.MinQualityRatio:0.##} × best {bestQuality:0.000}, floor {settings.MinExpectedQuality:0.##}); expected {chosen.ExpectedQuality:0.000} ({difficulty})"),
            RoutingStrategy.Quality => string.Create(inv, $"highest expected quality {chosen.ExpectedQuality:0.000} of {eligible} eligible models{(settings.MaxEstimatedCost is decimal c ? string.Create(inv, $" under ${c}") : string.Empty)} ({difficulty})"),
            RoutingStrategy.Hybrid => string.Create(inv, $"best expected quality − {settings.CostWeight:0.###} × relative cost = {chosen.Score:0.0000} of {eligible} eligible models; expected {chosen.ExpectedQuality:0.000} at ${chosen.EstimatedCost:0.######} ({difficulty})"),
            _ => chosen.LatencyMilliseconds is double ms
                ? string.Create(inv, $"lowest observed latency {ms:0} ms of {meeting} models expected to reach {bar:0.000}; expected {chosen.ExpectedQuality:0.000} ({difficulty})")
                : string.Create(inv, $"no latency observed yet for the {meeting} models expected to reach {bar:0.000}; chose the cheapest (${chosen.EstimatedCost:0.######}) ({difficulty})"),
        };
    }

    private enum Reject
    {
        ProviderDenied,
        ProviderNotAllowed,
        MissingCapability,
        ContextWindow,
        ProviderNotConfigured,
        NoQuality,
        OverCostCeiling,
        Count,
    }

    /// <summary>The ordering of eligible models for one decision; indices are positions in the eligible arrays.</summary>
    private readonly struct RankContext(
        RoutingStrategy strategy, double bar, double costWeight, double maxCost, double[] quality, double[] cost, int[] index, ModelInfo[] models, LatencyTracker latency)
    {
        public bool Meets(int e) => quality[e] >= bar;

        public int CountMeeting(int eligible)
        {
            var count = 0;
            for (var e = 0; e < eligible; e++)
            {
                count += Meets(e) ? 1 : 0;
            }

            return count;
        }

        public double Score(int e) => strategy switch
        {
            RoutingStrategy.Cost => -cost[e],
            RoutingStrategy.Quality => quality[e],
            RoutingStrategy.Hybrid => quality[e] - (costWeight * (maxCost > 0 ? cost[e] / maxCost : 0)),
            _ => latency.TryGetMilliseconds(models[index[e]], out var ms) ? -ms : double.NegativeInfinity,
        };

        /// <summary>True when eligible model <paramref name="a"/> ranks before <paramref name="b"/>.</summary>
        public bool Better(int a, int b)
        {
            var meetsA = Meets(a);
            if (meetsA != Meets(b))
            {
                return meetsA;
            }

            if (!meetsA)
            {
                // Nobody reaches the bar: the best expected quality leads.
                return Compare(quality[a], quality[b], cost[b], cost[a], a, b);
            }

            var scoreA = Score(a);
            var scoreB = Score(b);
            return strategy is RoutingStrategy.Quality or RoutingStrategy.Latency
                ? Compare(scoreA, scoreB, cost[b], cost[a], a, b)
                : Compare(scoreA, scoreB, quality[a], quality[b], a, b);
        }

        private bool Compare(double primaryA, double primaryB, double secondaryA, double secondaryB, int a, int b)
        {
            if (primaryA != primaryB)
            {
                return primaryA > primaryB;
            }

            if (secondaryA != secondaryB)
            {
                return secondaryA > secondaryB;
            }

            // Models are ordered by provider and id, so the earlier one wins a full tie: decisions are deterministic.
            return index[a] < index[b];
        }
    }
}
