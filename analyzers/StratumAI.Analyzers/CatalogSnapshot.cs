using System.Collections.Immutable;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using StratumAI.Catalog;

namespace StratumAI.Analyzers;

/// <summary>
/// The merged catalog of one compilation, with the lookups the analyzers need. Built once per
/// compilation (in a compilation-start action) from the same additional files the generator reads.
/// </summary>
internal sealed class CatalogSnapshot
{
    /// <summary>The item metadata (made compiler-visible by the package's props) that marks a catalog file; same as the generator's.</summary>
    public const string LayerMetadata = "build_metadata.AdditionalFiles.StratumCatalog";

    /// <summary>Analyzer option that overrides today's date (<c>yyyy-MM-dd</c>), so deprecation checks are reproducible.</summary>
    public const string TodayOption = "stratum_ai.today";

    /// <summary>Analyzer option: how many days before a deprecation date STRAT113 starts to warn (default 90).</summary>
    public const string DeprecationWindowOption = "stratum_ai.deprecation_warning_days";

    private const int DefaultDeprecationWindowDays = 90;

    private readonly Dictionary<string, CatalogModel> _byIdOrAlias;
    private readonly Dictionary<string, CatalogModel> _byEnumName;

    private CatalogSnapshot(ImmutableArray<CatalogModel> models, DateTime today, int deprecationWindowDays)
    {
        Models = models;
        Today = today;
        DeprecationWindowDays = deprecationWindowDays;
        _byIdOrAlias = new Dictionary<string, CatalogModel>(StringComparer.Ordinal);
        _byEnumName = new Dictionary<string, CatalogModel>(StringComparer.Ordinal);
        foreach (var model in models)
        {
            _byIdOrAlias[model.Id] = model;
            _byEnumName[model.EnumName] = model;
        }

        // Aliases never shadow an id (the merger reports clashes; this keeps lookups stable when it did).
        foreach (var model in models)
        {
            foreach (var alias in model.Aliases)
            {
                if (alias is not null && !_byIdOrAlias.ContainsKey(alias))
                {
                    _byIdOrAlias[alias] = model;
                }
            }
        }
    }

    /// <summary>Every model of the merged catalog, in catalog order.</summary>
    public ImmutableArray<CatalogModel> Models { get; }

    /// <summary>The date deprecations are measured against.</summary>
    public DateTime Today { get; }

    /// <summary>Days before a deprecation date that count as "soon".</summary>
    public int DeprecationWindowDays { get; }

    public bool IsEmpty => Models.IsEmpty;

    /// <summary>Reads and merges the catalog files of a compilation; never throws on a bad file (the generator reports those).</summary>
    public static CatalogSnapshot Create(AnalyzerOptions options, CancellationToken cancellationToken)
    {
        var defaults = new List<CatalogFile>();
        var user = new List<CatalogFile>();
        foreach (var text in options.AdditionalFiles)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var path = text.Path ?? string.Empty;
            if (!HasCatalogExtension(path)
                || !options.AnalyzerConfigOptionsProvider.GetOptions(text).TryGetValue(LayerMetadata, out var layer))
            {
                continue;
            }

            List<CatalogFile> target;
            if (string.Equals(layer.Trim(), "default", StringComparison.OrdinalIgnoreCase))
            {
                target = defaults;
            }
            else if (string.Equals(layer.Trim(), "user", StringComparison.OrdinalIgnoreCase))
            {
                target = user;
            }
            else
            {
                continue;
            }

            target.Add(CatalogParser.Parse(path, text.GetText(cancellationToken)?.ToString() ?? string.Empty));
        }

        ImmutableArray<CatalogModel> models;
        try
        {
            models = CatalogMerger.Merge(defaults, user).Models.Where(m => m is not null).ToImmutableArray();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The generator turns a merge failure into a diagnostic; the analyzers just have no catalog to check against.
            models = ImmutableArray<CatalogModel>.Empty;
        }

        var global = options.AnalyzerConfigOptionsProvider.GlobalOptions;
        var today = DateTime.UtcNow.Date;
        if (global.TryGetValue(TodayOption, out var todayText)
            && DateTime.TryParseExact(todayText.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed))
        {
            today = parsed.Date;
        }

        var window = DefaultDeprecationWindowDays;
        if (global.TryGetValue(DeprecationWindowOption, out var windowText)
            && int.TryParse(windowText.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var days)
            && days >= 0)
        {
            window = days;
        }

        return new CatalogSnapshot(models, today, window);
    }

    public bool TryGetById(string idOrAlias, out CatalogModel model) => _byIdOrAlias.TryGetValue(idOrAlias, out model!);

    public bool TryGetByEnumName(string enumName, out CatalogModel model) => _byEnumName.TryGetValue(enumName, out model!);

    /// <summary>The catalog ids closest to a mistyped one (case-insensitive edit distance), best first.</summary>
    public ImmutableArray<string> Closest(string id, int count = 3)
    {
        var lowered = id.ToLowerInvariant();
        var limit = Math.Max(2, lowered.Length / 3);
        return _byIdOrAlias.Keys
            .Select(candidate => (candidate, distance: EditDistance(lowered, candidate.ToLowerInvariant())))
            .Where(c => c.distance <= limit)
            .OrderBy(c => c.distance)
            .ThenBy(c => c.candidate, StringComparer.Ordinal)
            .Select(c => _byIdOrAlias[c.candidate].Id)
            .Distinct(StringComparer.Ordinal)
            .Take(count)
            .ToImmutableArray();
    }

    /// <summary>The deprecation date of a model when it is deprecated now or within the warning window.</summary>
    public DateTime? DeprecationDue(CatalogModel model)
    {
        if (model.DeprecatedOn is null
            || !DateTime.TryParseExact(model.DeprecatedOn, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var date))
        {
            return null;
        }

        return date.Date <= Today.AddDays(DeprecationWindowDays) ? date.Date : null;
    }

    /// <summary>
    /// The cheapest model (input + output price) of another provider with every required capability, at least the
    /// primary's context window, and no deprecation due: what "add a fallback" proposes, so the fix never causes STRAT110/111/113.
    /// </summary>
    public CatalogModel? CheapestFallback(CatalogModel primary, IReadOnlyCollection<string> requiredCapabilities)
    {
        CatalogModel? best = null;
        foreach (var candidate in Models)
        {
            if (string.Equals(candidate.ProviderId, primary.ProviderId, StringComparison.Ordinal)
                || DeprecationDue(candidate) is not null
                || candidate.ContextWindow < primary.ContextWindow
                || candidate.Capabilities.Contains("embeddings")
                || !requiredCapabilities.All(c => candidate.Capabilities.Contains(c)))
            {
                continue;
            }

            if (best is null || Cost(candidate) < Cost(best) || (Cost(candidate) == Cost(best) && string.CompareOrdinal(candidate.Id, best.Id) < 0))
            {
                best = candidate;
            }
        }

        return best;
    }

    private static decimal Cost(CatalogModel model) => model.Price.Input + model.Price.Output;

    private static bool HasCatalogExtension(string path)
        => path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase)
           || path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase)
           || path.EndsWith(".json", StringComparison.OrdinalIgnoreCase);

    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), substitution);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
