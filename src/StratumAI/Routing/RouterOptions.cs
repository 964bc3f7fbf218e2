namespace StratumAI;

/// <summary>Settings of a <see cref="ModelRouter"/>: the strategy, its knobs and the hard constraints on candidates.</summary>
/// <remarks>Read on every decision; change them before sharing the router between threads.</remarks>
public sealed class RouterOptions
{
    private double _minQualityRatio = 0.95;
    private double _minExpectedQuality;
    private double _costWeight = 0.3;
    private int _defaultOutputTokens = 512;
    private int _maxCandidates = 5;
    private decimal? _maxEstimatedCost;

    /// <summary>The strategy. <value>Defaults to <see cref="RoutingStrategy.Cost"/>.</value></summary>
    public RoutingStrategy Strategy { get; set; } = RoutingStrategy.Cost;

    /// <summary>
    /// For <see cref="RoutingStrategy.Cost"/> and <see cref="RoutingStrategy.Latency"/>: the share of the best candidate's
    /// expected quality a model must reach. <value>Defaults to 0.95.</value>
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not in [0, 1].</exception>
    public double MinQualityRatio
    {
        get => _minQualityRatio;
        set => _minQualityRatio = InRange(value, 0, 1);
    }

    /// <summary>
    /// An absolute floor on expected quality for <see cref="RoutingStrategy.Cost"/> and <see cref="RoutingStrategy.Latency"/>.
    /// When no model reaches it, the best model is chosen and the decision's reason says so. <value>Defaults to 0.</value>
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not in [0, 1].</exception>
    public double MinExpectedQuality
    {
        get => _minExpectedQuality;
        set => _minExpectedQuality = InRange(value, 0, 1);
    }

    /// <summary>
    /// λ of <see cref="RoutingStrategy.Hybrid"/>: how many points of expected quality the most expensive candidate's cost is
    /// worth. 0 behaves like <see cref="RoutingStrategy.Quality"/>; large values approach the cheapest model. <value>Defaults to 0.3.</value>
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or not finite.</exception>
    public double CostWeight
    {
        get => _costWeight;
        set => _costWeight = InRange(value, 0, double.MaxValue);
    }

    /// <summary>
    /// A hard ceiling on a request's estimated cost in USD (every strategy; the price ceiling of <see cref="RoutingStrategy.Quality"/>),
    /// or null for none. <value>Defaults to null.</value>
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public decimal? MaxEstimatedCost
    {
        get => _maxEstimatedCost;
        set => _maxEstimatedCost = value is < 0m ? throw new ArgumentOutOfRangeException(nameof(value), value, "The cost ceiling cannot be negative.") : value;
    }

    /// <summary>
    /// Output tokens assumed for cost estimates and the context-window check when the request sets no
    /// <see cref="Microsoft.Extensions.AI.ChatOptions.MaxOutputTokens"/> and names no length. <value>Defaults to 512.</value>
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int DefaultOutputTokens
    {
        get => _defaultOutputTokens;
        set => _defaultOutputTokens = value < 1 ? throw new ArgumentOutOfRangeException(nameof(value), value, "At least one output token must be assumed.") : value;
    }

    /// <summary>How many ranked candidates a <see cref="RouteDecision"/> keeps (the chosen one first). <value>Defaults to 5.</value></summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxCandidates
    {
        get => _maxCandidates;
        set => _maxCandidates = value < 1 ? throw new ArgumentOutOfRangeException(nameof(value), value, "At least one candidate must be kept.") : value;
    }

    /// <summary>Provider ids that may serve requests (case-insensitive); empty allows every provider.</summary>
    public ISet<string> AllowedProviders { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Provider ids that must never serve requests (case-insensitive); wins over <see cref="AllowedProviders"/>.</summary>
    public ISet<string> DeniedProviders { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Says whether a provider can be called (API key present, or a local server that needs none). Null treats every provider
    /// as configured; the <see cref="StratumClient"/> integrations set it from the client's options and environment.
    /// </summary>
    public Func<ProviderInfo, bool>? IsProviderConfigured { get; set; }

    /// <summary>Predicts each model's quality on a request. <value>Defaults to <see cref="QualityEstimator.Default"/>.</value></summary>
    public QualityEstimator QualityEstimator { get; set; } = QualityEstimator.Default;

    /// <summary>Analyses requests. <value>Defaults to <see cref="ComplexityAnalyzer.Default"/>.</value></summary>
    public ComplexityAnalyzer Analyzer { get; set; } = ComplexityAnalyzer.Default;

    private static double InRange(double value, double min, double max, [System.Runtime.CompilerServices.CallerMemberName] string? name = null) =>
        double.IsFinite(value) && value >= min && value <= max
            ? value
            : throw new ArgumentOutOfRangeException(name, value, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{name} must be between {min} and {max}."));
}
