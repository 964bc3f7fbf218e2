using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;

namespace StratumAI.Benchmarks;

/// <summary>
/// One routing decision (complexity analysis + strategy) for a 500-token prompt, over the default catalog
/// (catalog/*.yaml) and over a 3,000-model catalog. Targets: under 50 µs and under 500 µs.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class RouterBenchmarks
{
    private ChatMessage[] _messages = null!;
    private ModelRouter _defaultCatalog = null!;
    private ModelRouter _largeCatalog = null!;
    private ModelRouter _hybridLarge = null!;
    private ComplexityAnalysis _analysis = null!;

    [GlobalSetup]
    public void Setup()
    {
        var models = RouterBenchmarkData.DefaultCatalog();
        _messages = [new ChatMessage(ChatRole.User, RouterBenchmarkData.Prompt(500))];
        _defaultCatalog = new ModelRouter(models);
        _largeCatalog = new ModelRouter(RouterBenchmarkData.Scale(models, 3000));
        _hybridLarge = new ModelRouter(_largeCatalog.Models, new RouterOptions { Strategy = RoutingStrategy.Hybrid });
        _analysis = ComplexityAnalyzer.Default.Analyze(_messages);
        var decision = _defaultCatalog.Route(_messages);
        Console.WriteLine($"// {models.Count} default-catalog models; prompt {_analysis.Features.PromptTokens} tokens; chose {decision.Model}: {decision.Reason}");
    }

    /// <summary>Analysis + Cost strategy over the default catalog.</summary>
    [Benchmark(Baseline = true)]
    public ModelInfo Route500Tokens_DefaultCatalog() => _defaultCatalog.Route(_messages).Model;

    /// <summary>Analysis + Cost strategy over 3,000 models.</summary>
    [Benchmark]
    public ModelInfo Route500Tokens_3000Models() => _largeCatalog.Route(_messages).Model;

    /// <summary>Analysis + Hybrid strategy over 3,000 models.</summary>
    [Benchmark]
    public ModelInfo Route500Tokens_3000Models_Hybrid() => _hybridLarge.Route(_messages).Model;

    /// <summary>Strategy only (analysis done once), over 3,000 models: the catalog-size part of the cost.</summary>
    [Benchmark]
    public ModelInfo StrategyOnly_3000Models() => _largeCatalog.Route(_analysis).Model;
}

/// <summary>Complexity analysis alone at growing prompt lengths: the time should grow linearly.</summary>
[MemoryDiagnoser]
[ShortRunJob]
public class RouterAnalysisBenchmarks
{
    private ChatMessage[] _messages = null!;

    [Params(250, 500, 2000, 8000, 32000)]
    public int PromptTokens { get; set; }

    [GlobalSetup]
    public void Setup() => _messages = [new ChatMessage(ChatRole.User, RouterBenchmarkData.Prompt(PromptTokens))];

    [Benchmark]
    public double Analyze() => ComplexityAnalyzer.Default.Analyze(_messages).Difficulty;
}

internal static class RouterBenchmarkData
{
    private const string Paragraph =
        "Our service receives about 1,200 orders per minute and must respond within 200 ms. " +
        "First, explain why the current cache misses so often; then compare two fixes and justify the one you pick. " +
        "You must keep the public API unchanged and avoid new dependencies.\n" +
        "```csharp\npublic Order? Find(int id) { return _cache.TryGetValue(id, out var o) ? o : _db.Load(id); }\n```\n" +
        "What is the expected hit rate if 80% of reads target 5% of the keys? Show the calculation: 0.8 * 1200 = 960 reads.\n";

    /// <summary>A mixed prompt (prose, code, numbers, questions) cut to about <paramref name="tokens"/> o200k tokens.</summary>
    public static string Prompt(int tokens)
    {
        var tokenizer = Microsoft.ML.Tokenizers.TiktokenTokenizer.CreateForModel("gpt-4o");
        var builder = new StringBuilder();
        while (tokenizer.CountTokens(builder.ToString()) < tokens)
        {
            builder.Append(Paragraph);
        }

        var text = builder.ToString();
        var cut = tokenizer.GetIndexByTokenCount(text, tokens, out _, out _);
        return text[..cut];
    }

    /// <summary>
    /// The default catalog (catalog/*.yaml) as run-time model metadata, as the generated ModelCatalog registers it. A small
    /// line reader for the fields the router uses: BenchmarkDotNet's generated host does not carry the catalog library.
    /// </summary>
    public static IReadOnlyList<ModelInfo> DefaultCatalog()
    {
        var models = new List<ModelInfo>();
        foreach (var file in Directory.GetFiles(FindCatalog(), "*.yaml").Order(StringComparer.Ordinal))
        {
            string? providerId = null, providerName = null, dialect = null, baseUrl = null, keyEnv = null;
            ProviderInfo? provider = null;
            Dictionary<string, string>? model = null;
            var section = "";
            foreach (var raw in File.ReadLines(file))
            {
                var line = raw.Split(" #")[0].TrimEnd();
                if (line.Length == 0 || line.TrimStart().StartsWith('#'))
                {
                    continue;
                }

                var indent = line.Length - line.TrimStart().Length;
                var text = line.Trim();
                if (indent == 0)
                {
                    section = text.TrimEnd(':');
                    continue;
                }

                if (section == "provider" && indent == 2)
                {
                    var (k, v) = Pair(text);
                    switch (k)
                    {
                        case "id": providerId = v; break;
                        case "name": providerName = v; break;
                        case "dialect": dialect = v; break;
                        case "base_url": baseUrl = v; break;
                        case "api_key_env": keyEnv = v; break;
                    }

                    continue;
                }

                if (section != "models")
                {
                    continue;
                }

                provider ??= new ProviderInfo(providerId!, providerName ?? providerId!, dialect ?? "openai", baseUrl, keyEnv);
                if (text.StartsWith("- ", StringComparison.Ordinal))
                {
                    Add(models, model, provider);
                    model = new Dictionary<string, string>(StringComparer.Ordinal);
                    text = text[2..];
                }

                if (model is not null && text.Contains(':', StringComparison.Ordinal))
                {
                    var (k, v) = Pair(text);
                    model[indent >= 6 ? "price." + k : k] = v;
                }
            }

            if (provider is not null)
            {
                Add(models, model, provider);
            }
        }

        return models;

        static (string Key, string Value) Pair(string text)
        {
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            return (text[..colon].Trim(), text[(colon + 1)..].Trim().Trim('"', '\''));
        }

        static void Add(List<ModelInfo> models, Dictionary<string, string>? m, ProviderInfo provider)
        {
            if (m is null || !m.TryGetValue("id", out var id))
            {
                return;
            }

            static decimal Dec(Dictionary<string, string> m, string key) =>
                m.TryGetValue(key, out var v) && v.Length > 0 ? decimal.Parse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture) : 0m;
            var capabilities = m.TryGetValue("capabilities", out var caps) ? Capabilities(caps.Trim('[', ']').Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)) : ModelCapabilities.None;
            models.Add(new ModelInfo(
                id, m.TryGetValue("name", out var name) ? name : "M" + new string(id.Where(char.IsLetterOrDigit).ToArray()), provider, null,
                m.TryGetValue("context_window", out var cw) ? int.Parse(cw, System.Globalization.CultureInfo.InvariantCulture) : 0,
                m.TryGetValue("max_output_tokens", out var mo) ? int.Parse(mo, System.Globalization.CultureInfo.InvariantCulture) : null,
                new ModelPricing(Dec(m, "price.input"), Dec(m, "price.output")),
                capabilities,
                m.TryGetValue("quality", out var q) ? double.Parse(q, System.Globalization.CultureInfo.InvariantCulture) : null));
        }
    }

    /// <summary>Copies of <paramref name="models"/> with distinct ids and slightly varied prices and quality, up to <paramref name="count"/>.</summary>
    public static IReadOnlyList<ModelInfo> Scale(IReadOnlyList<ModelInfo> models, int count) =>
        Enumerable.Range(0, count).Select(i =>
        {
            var m = models[i % models.Count];
            var factor = 1m + ((i % 17) / 100m);
            return new ModelInfo(
                $"{m.Id}-copy{i}", $"{m.Name}Copy{i}", m.Provider, m.Dialect, m.ContextWindow, m.MaxOutputTokens,
                new ModelPricing(m.Pricing.InputPerMillion * factor, m.Pricing.OutputPerMillion * factor),
                m.Capabilities, m.Quality is double q ? Math.Clamp(q - ((i % 13) / 200.0), 0, 1) : null);
        }).ToList();

    private static ModelCapabilities Capabilities(IEnumerable<string> names)
    {
        var result = ModelCapabilities.None;
        foreach (var name in names)
        {
            result |= name switch
            {
                "streaming" => ModelCapabilities.Streaming,
                "tools" => ModelCapabilities.Tools,
                "vision" => ModelCapabilities.Vision,
                "json_schema" => ModelCapabilities.JsonSchema,
                "json_mode" => ModelCapabilities.JsonMode,
                "reasoning" => ModelCapabilities.Reasoning,
                "prompt_caching" => ModelCapabilities.PromptCaching,
                "pdf" => ModelCapabilities.Pdf,
                "audio" => ModelCapabilities.Audio,
                _ => ModelCapabilities.None,
            };
        }

        return result;
    }

    private static string FindCatalog()
    {
        var root = typeof(RouterBenchmarkData).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "StratumRepoRoot")?.Value;
        if (root is not null && File.Exists(Path.Combine(root, "StratumAI.Generators.sln")))
        {
            return Path.Combine(root, "catalog");
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "StratumAI.Generators.sln")))
            {
                return Path.Combine(dir.FullName, "catalog");
            }
        }

        throw new InvalidOperationException("Cannot find the repository's catalog folder.");
    }
}
