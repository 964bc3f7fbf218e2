using System.Globalization;
using System.Text;
using StratumAI;
using StratumAI.RouterEval;

// Fits the router's coefficients on the TRAIN splits and evaluates every strategy on the TEST splits.
// Output: src/StratumAI/Routing/RouterCoefficients.g.cs (unless --no-write), and
// benchmarks/StratumAI.RouterEval/results/{results.md, cost-quality.png}.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var write = !args.Contains("--no-write") && !args.Contains("no-write");
Fit.TextTarget = args.FirstOrDefault(a => a.StartsWith("--text-target=", StringComparison.Ordinal))?["--text-target=".Length..] ?? "gap";
Fit.TextBalanced = args.Contains("--text-balanced");
var repo = Data.RepoRoot();
var shared = Path.GetFullPath(Path.Combine(repo, "..", "shared"));
var dataDir = Path.Combine(shared, "data", "router");
var prices = Path.Combine(shared, "data", "litellm_model_prices.json");
var resultsDir = Path.Combine(repo, "benchmarks", "StratumAI.RouterEval", "results");
Directory.CreateDirectory(resultsDir);

var (gpt4In, gpt4Out) = Data.LiteLlmPrice(prices, "gpt-4-1106-preview");
var (mixIn, mixOut) = Data.LiteLlmPrice(prices, "mistral/open-mixtral-8x7b");
var arc = Data.RouterBench(dataDir, "arc_challenge", "ARC-Challenge (RouterBench)");
var mbpp = Data.RouterBench(dataDir, "mbpp", "MBPP (RouterBench)");
var (mmlu, gsm8k) = Data.RouteLlm(dataDir, gpt4In, gpt4Out, mixIn, mixOut);
Dataset[] datasets = [arc, mbpp, mmlu, gsm8k];

// The data README gives reference numbers computed from the raw files (rows with no missing value): reproducing them
// checks the CSV reader and the Python-literal prompt parsing before anything is fitted.
CheckReference(arc, 437, 0.957, 2.1855);
CheckReference(mbpp, 128, 0.688, 1.2008);

var fitted = Fit.Run(datasets, l2: 1.0);
if (write)
{
    var target = Path.Combine(repo, "src", "StratumAI", "Routing", "RouterCoefficients.g.cs");
    File.WriteAllText(target, Fit.EmitCSharp(fitted, datasets).ReplaceLineEndings("\n"));
    Console.WriteLine("wrote " + target);
}

var report = new StringBuilder();
var panels = new List<Panel>();
double[] lambdas = [0, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10];
double[] ratios = [1.0, 0.99, 0.98, 0.97, 0.96, 0.95, 0.94, 0.93, 0.92, 0.91, 0.90, 0.89, 0.88, 0.87, 0.86, 0.85, 0.84, 0.83, 0.82, 0.81, 0.80, 0.75, 0.70];
var shipped = new RouterOptions().MinQualityRatio;
var summary = new List<string>();

foreach (var dataset in datasets)
{
    var catalog = Catalog(dataset, fitted);
    var train = dataset.Train;
    var test = dataset.Test;
    var best = Enumerable.Range(0, dataset.Models.Length).OrderByDescending(m => train.Average(r => r.Correct[m])).ThenBy(m => train.Sum(r => r.Cost[m])).First();
    var cheapest = Enumerable.Range(0, dataset.Models.Length).OrderBy(m => train.Sum(r => r.Cost[m])).First();
    var single = Enumerable.Range(0, dataset.Models.Length).Select(m => (Name: dataset.Models[m], Acc: test.Average(r => r.Correct[m]), Cost: test.Sum(r => r.Cost[m]))).ToArray();
    var bestPoint = single[best];
    var cheapPoint = single[cheapest];
    var oracle = Oracle(test);

    Result Run(List<Row> rows, RoutingStrategy strategy, Action<RouterOptions>? configure = null, bool profiles = true)
    {
        var options = new RouterOptions { Strategy = strategy, QualityEstimator = new FittedEstimator(fitted, profiles), MaxCandidates = 1 };
        configure?.Invoke(options);
        var router = new ModelRouter(catalog, options);
        var index = catalog.Select((m, i) => (m, i)).ToDictionary(p => p.m, p => p.i);
        double acc = 0, cost = 0;
        var counts = new int[catalog.Length];
        foreach (var row in rows)
        {
            var m = index[router.Route(row.Analysis).Model];
            counts[m]++;
            acc += row.Correct[m];
            cost += row.Cost[m];
        }

        return new Result(acc / rows.Count, cost, counts);
    }

    // Cost strategy's ratio tuned on TRAIN: the lowest ratio that keeps 95% of the best model's train accuracy.
    var bestTrainAcc = train.Average(r => r.Correct[best]);
    var tuned = ratios.Where(r => Run(train, RoutingStrategy.Cost, o => o.MinQualityRatio = r).Accuracy >= 0.95 * bestTrainAcc).DefaultIfEmpty(1.0).Min();

    var rows = new List<(string Name, Result R, bool Strategy)>
    {
        ($"always-best ({Short(dataset.Models[best])})", Single(test, best), false),
        ($"always-cheapest ({Short(dataset.Models[cheapest])})", Single(test, cheapest), false),
        ("oracle (cheapest correct model)", oracle, false),
        ($"Cost, MinQualityRatio {shipped:0.00} (default)", Run(test, RoutingStrategy.Cost), true),
        ($"Cost, MinQualityRatio {tuned:0.00} (tuned on train)", Run(test, RoutingStrategy.Cost, o => o.MinQualityRatio = tuned), true),
        ("Quality", Run(test, RoutingStrategy.Quality), true),
        ($"Hybrid, λ {new RouterOptions().CostWeight:0.0#} (default)", Run(test, RoutingStrategy.Hybrid), true),
        ("Latency (no latency in the data: ties → cheapest above the bar)", Run(test, RoutingStrategy.Latency), true),
        ($"Cost {shipped:0.00}, tier curve only (no per-model profiles)", Run(test, RoutingStrategy.Cost, profiles: false), true),
        ("Quality, tier curve only", Run(test, RoutingStrategy.Quality, profiles: false), true),
    };

    report.AppendLine(CultureInfo.InvariantCulture, $"### {dataset.Name}");
    report.AppendLine();
    report.AppendLine(CultureInfo.InvariantCulture, $"{dataset.Source}. Train {train.Count} rows, test {test.Count} rows, {dataset.Models.Length} models. Cost: {dataset.CostNote}.");
    report.AppendLine();
    report.AppendLine("| router | test accuracy | total cost $ | cost vs always-best | random at matched cost (acc) | best single-model mix at matched cost (acc) |");
    report.AppendLine("|---|---:|---:|---:|---:|---:|");
    foreach (var (name, r, isStrategy) in rows)
    {
        var random = isStrategy ? Fmt(RandomAt(r.Cost, bestPoint, cheapPoint)) : "";
        var hull = isStrategy ? Fmt(HullAt(r.Cost, single)) : "";
        var mark = isStrategy && RandomAt(r.Cost, bestPoint, cheapPoint) is double ra && r.Accuracy > ra ? " ✔" : isStrategy ? " ✘" : "";
        report.AppendLine(CultureInfo.InvariantCulture,
            $"| {name} | {r.Accuracy:0.0000} | {r.Cost:0.0000} | {Pct((r.Cost / bestPoint.Cost) - 1)} | {random}{mark} | {hull} |");
    }

    report.AppendLine();

    // How well the learned text term alone ranks prompts: send the share with the lowest value to the cheapest model.
    var byText = test.Select((r, i) => (r.Features[Fit.TextFeature], i)).OrderBy(p => p.Item1).Select(p => p.i).ToArray();
    var textCurve = new List<string>();
    foreach (var share in new[] { 0.2, 0.3, 0.4, 0.5 })
    {
        var k = (int)(share * test.Count);
        double a = 0, c = 0;
        for (var p = 0; p < byText.Length; p++)
        {
            var m = p < k ? cheapest : best;
            a += test[byText[p]].Correct[m];
            c += test[byText[p]].Cost[m];
        }

        a /= test.Count;
        textCurve.Add(string.Create(CultureInfo.InvariantCulture, $"{share:0%} → {a:0.0000} at ${c:0.000} (random {Fmt(RandomAt(c, bestPoint, cheapPoint))})"));
    }

    report.AppendLine("Learned text term alone (the share of prompts with the lowest `learned_text` to the cheapest model, the rest to the best): " + string.Join("; ", textCurve) + ".");
    report.AppendLine();
    var costResult = rows[4].R;
    var costDefault = rows[3].R;
    var quality = rows[5].R;
    report.AppendLine(CultureInfo.InvariantCulture,
        $"Targets: Cost (default ratio) saves {1 - (costDefault.Cost / bestPoint.Cost):0.0%} at {costDefault.Accuracy / bestPoint.Acc:0.0%} of always-best accuracy; Cost (tuned) saves {1 - (costResult.Cost / bestPoint.Cost):0.0%} at {costResult.Accuracy / bestPoint.Acc:0.0%} (target ≥ 40% at ≥ 95%); Quality is {(quality.Accuracy - bestPoint.Acc) * 100:+0.0;-0.0} points from always-best (target within 1).");
    report.AppendLine();
    report.AppendLine("Hybrid λ sweep (test):");
    report.AppendLine();
    report.AppendLine("| λ | accuracy | cost $ | random at matched cost |");
    report.AppendLine("|---:|---:|---:|---:|");
    var hybridCurve = new List<(double Cost, double Acc)>();
    foreach (var lambda in lambdas)
    {
        var r = Run(test, RoutingStrategy.Hybrid, o => o.CostWeight = lambda);
        hybridCurve.Add((r.Cost, r.Accuracy));
        report.AppendLine(CultureInfo.InvariantCulture, $"| {lambda} | {r.Accuracy:0.0000} | {r.Cost:0.0000} | {Fmt(RandomAt(r.Cost, bestPoint, cheapPoint))} |");
    }

    report.AppendLine();
    var costCurve = ratios.Select(r => Run(test, RoutingStrategy.Cost, o => o.MinQualityRatio = r)).Select(r => (r.Cost, r.Accuracy)).ToList();
    panels.Add(new Panel(dataset.Name, single.Select(s => (s.Cost, s.Acc)).ToArray(), (bestPoint.Cost, bestPoint.Acc), (cheapPoint.Cost, cheapPoint.Acc),
        (oracle.Cost, oracle.Accuracy), hybridCurve, costCurve, (costResult.Cost, costResult.Accuracy), (quality.Cost, quality.Accuracy)));
    summary.Add(string.Create(CultureInfo.InvariantCulture,
        $"| {dataset.Name} | {bestPoint.Acc:0.000} / ${bestPoint.Cost:0.000} | {costDefault.Accuracy:0.000} / ${costDefault.Cost:0.000} ({1 - (costDefault.Cost / bestPoint.Cost):0%} saved, {costDefault.Accuracy / bestPoint.Acc:0.0%}) | {costResult.Accuracy:0.000} / ${costResult.Cost:0.000} ({1 - (costResult.Cost / bestPoint.Cost):0%} saved, {costResult.Accuracy / bestPoint.Acc:0.0%}) | {quality.Accuracy:0.000} ({(quality.Accuracy - bestPoint.Acc) * 100:+0.0;-0.0} pts) | {oracle.Accuracy:0.000} / ${oracle.Cost:0.000} |"));
}

var md = new StringBuilder();
md.AppendLine("<!-- Written by benchmarks/StratumAI.RouterEval; do not edit by hand. -->");
md.AppendLine("## Summary (test splits)");
md.AppendLine();
md.AppendLine("| dataset | always-best acc / cost | Cost (default 0.95) | Cost (ratio tuned on train) | Quality | oracle |");
md.AppendLine("|---|---|---|---|---|---|");
summary.ForEach(s => md.AppendLine(s));
md.AppendLine();
md.AppendLine("## Fitted coefficients");
md.AppendLine();
md.AppendLine("| feature | difficulty weight |");
md.AppendLine("|---|---:|");
md.AppendLine(CultureInfo.InvariantCulture, $"| (intercept) | {fitted.Difficulty[0]:0.000} |");
for (var j = 0; j < ComplexityAnalyzer.FeatureNames.Count; j++)
{
    md.AppendLine(CultureInfo.InvariantCulture, $"| {ComplexityAnalyzer.FeatureNames[j]} | {fitted.Difficulty[j + 1]:0.000}{(fitted.HandSet[j] ? " (hand-set: not in the data)" : "")} |");
}

md.AppendLine();
var grid = string.Join(", ", fitted.Text.Grid.Select(g => string.Create(CultureInfo.InvariantCulture, $"L2 {g.L2}: {g.LogLoss:0.0000}")));
md.AppendLine(CultureInfo.InvariantCulture,
    $"Learned text term (`learned_text`): {TextWeights.Buckets} hash buckets of words, numbers (by digit count) and word pairs, logistic regression on \"{Fit.TextTargetDescription}\", train splits only. Out-of-fold (5-fold) log loss on train: {grid} (intercept only: {fitted.Text.BaselineLogLoss:0.0000}); chosen L2 {fitted.Text.L2}. Non-zero buckets: {fitted.Text.Weights.Count(v => v != 0)}; largest |weight| {fitted.Text.Weights.Max(Math.Abs):0.000}.");
md.AppendLine();
md.AppendLine(CultureInfo.InvariantCulture, $"Tier curve: expected accuracy = sigmoid({fitted.Tier[0]:0.000} + {fitted.Tier[1]:0.000}·logit(q) + {fitted.Tier[2]:0.000}·z + {fitted.Tier[3]:0.000}·logit(q)·z).");
md.AppendLine();
md.AppendLine("Model quality q (mean train accuracy over its datasets): " + string.Join(", ", fitted.Quality.Select(q => string.Create(CultureInfo.InvariantCulture, $"{Short(q.Key)} {q.Value:0.000}"))) + ".");
md.AppendLine();
md.Append(report);
File.WriteAllText(Path.Combine(resultsDir, "results.md"), md.ToString().ReplaceLineEndings("\n"));
Chart.Draw(panels, Path.Combine(resultsDir, "cost-quality.png"));
Console.WriteLine(md.ToString());
return 0;

static ModelInfo[] Catalog(Dataset dataset, Fitted fitted)
{
    var provider = new ProviderInfo("eval", "Evaluation", "openai", null, null);
    var defaultOutput = new RouterOptions().DefaultOutputTokens;
    return dataset.Models.Select((name, m) =>
    {
        // Per-token price that reproduces the model's TRAIN spend at the router's default output allowance.
        var spend = dataset.Train.Sum(r => r.Cost[m]);
        var tokens = dataset.Train.Sum(r => (double)(r.PromptTokens + defaultOutput));
        var perMillion = (decimal)Math.Round(spend / tokens * 1_000_000, 6);
        return new ModelInfo(name, "M" + m.ToString(CultureInfo.InvariantCulture), provider, null, 1_000_000, null,
            new ModelPricing(perMillion, perMillion), ModelCapabilities.Streaming, fitted.Quality[Fit.Canonical(name)]);
    }).ToArray();
}

static void CheckReference(Dataset dataset, int rows, double gpt4Accuracy, double gpt4Cost)
{
    var m = Array.IndexOf(dataset.Models, "gpt-4-1106-preview");
    var accuracy = dataset.Test.Average(r => r.Correct[m]);
    var cost = dataset.Test.Sum(r => r.Cost[m]);
    if (dataset.Test.Count != rows || Math.Abs(accuracy - gpt4Accuracy) > 0.0005 || Math.Abs(cost - gpt4Cost) > 0.00005)
    {
        throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
            $"{dataset.Name}: expected {rows} test rows with GPT-4 at {gpt4Accuracy} / ${gpt4Cost} (data README), got {dataset.Test.Count} rows, {accuracy:0.0000} / ${cost:0.0000}."));
    }
}

static Result Single(List<Row> rows, int m) =>
    new(rows.Average(r => r.Correct[m]), rows.Sum(r => r.Cost[m]), []);

static Result Oracle(List<Row> rows)
{
    double acc = 0, cost = 0;
    foreach (var row in rows)
    {
        var best = -1;
        for (var m = 0; m < row.Correct.Length; m++)
        {
            if (row.Correct[m] > 0 && (best < 0 || row.Cost[m] < row.Cost[best]))
            {
                best = m;
            }
        }

        if (best < 0)
        {
            cost += row.Cost.Min();
        }
        else
        {
            acc += 1;
            cost += row.Cost[best];
        }
    }

    return new Result(acc / rows.Count, cost, []);
}

// RouteLLM's random router: the best model with probability p, else the cheapest, p set so the expected cost matches.
static double? RandomAt(double cost, (string Name, double Acc, double Cost) best, (string Name, double Acc, double Cost) cheap)
{
    if (cost < cheap.Cost || cost > best.Cost)
    {
        return null;
    }

    var p = (cost - cheap.Cost) / (best.Cost - cheap.Cost);
    return (p * best.Acc) + ((1 - p) * cheap.Acc);
}

// RouterBench's "zero router": the best random mix of any two single models at the same expected cost.
static double? HullAt(double cost, (string Name, double Acc, double Cost)[] single)
{
    double? bestAcc = null;
    foreach (var a in single)
    {
        if (a.Cost <= cost)
        {
            bestAcc = Math.Max(bestAcc ?? 0, a.Acc);
        }

        foreach (var b in single)
        {
            if (a.Cost < cost && b.Cost > cost)
            {
                var p = (cost - a.Cost) / (b.Cost - a.Cost);
                bestAcc = Math.Max(bestAcc ?? 0, (p * b.Acc) + ((1 - p) * a.Acc));
            }
        }
    }

    return bestAcc;
}

static string Pct(double value)
{
    var rounded = Math.Round(value * 100, 1);
    return (rounded > 0 ? "+" : rounded < 0 ? "−" : "±") + Math.Abs(rounded).ToString("0.0", CultureInfo.InvariantCulture) + "%";
}

static string Fmt(double? value) => value is double v ? v.ToString("0.0000", CultureInfo.InvariantCulture) : "n/a";

static string Short(string model) => model.Contains('/', StringComparison.Ordinal) ? model[(model.LastIndexOf('/') + 1)..] : model;

internal sealed record Result(double Accuracy, double Cost, int[] Counts);

internal sealed record Panel(
    string Title,
    (double Cost, double Acc)[] Singles,
    (double Cost, double Acc) Best,
    (double Cost, double Acc) Cheapest,
    (double Cost, double Acc) Oracle,
    List<(double Cost, double Acc)> Hybrid,
    List<(double Cost, double Acc)> CostCurve,
    (double Cost, double Acc) CostPoint,
    (double Cost, double Acc) QualityPoint);
