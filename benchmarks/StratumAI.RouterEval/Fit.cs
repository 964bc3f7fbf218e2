using System.Globalization;
using System.Text;

namespace StratumAI.RouterEval;

/// <summary>Everything fitted on the train splits.</summary>
internal sealed record Fitted(
    double[] Difficulty,
    bool[] HandSet,
    double[] Tier,
    Dictionary<string, double[]> Profiles,
    Dictionary<string, double> Quality,
    TextFit Text);

/// <summary>The learned text term and how it was chosen.</summary>
internal sealed record TextFit(double[] Weights, double L2, IReadOnlyList<(double L2, double LogLoss)> Grid, double BaselineLogLoss);

internal static class Fit
{
    /// <summary>Different names of one model across the sources; the first is the canonical name.</summary>
    public static readonly Dictionary<string, string[]> Aliases = new(StringComparer.Ordinal)
    {
        ["mistralai/mixtral-8x7b-chat"] = ["mistralai/Mixtral-8x7B-Instruct-v0.1", "open-mixtral-8x7b"],
    };

    // Weights for features the public data never exercises (every value is 0 there): set by hand, documented in docs/router.md.
    private static readonly Dictionary<int, double> HandWeights = new()
    {
        [7] = 0.3,  // output_length
        [8] = 0.4,  // tools
        [9] = 0.3,  // images
        [10] = 0.3, // structured_output
        [11] = 0.3, // turns
    };

    public static string Canonical(string model)
    {
        foreach (var (name, aliases) in Aliases)
        {
            if (aliases.Contains(model, StringComparer.Ordinal))
            {
                return name;
            }
        }

        return model;
    }

    /// <summary>Index of the learned text feature in the feature vector.</summary>
    public static readonly int TextFeature = ComplexityAnalyzer.FeatureNames.Count - 1;

    public static Fitted Run(IReadOnlyList<Dataset> datasets, double l2)
    {
        var n = ComplexityAnalyzer.FeatureNames.Count;
        var text = FitText(datasets);

        // 1. Difficulty: predicts the share of a dataset's models that get the prompt wrong.
        var x = new List<double[]>();
        var y = new List<double>();
        var w = new List<double>();
        foreach (var dataset in datasets)
        {
            foreach (var row in dataset.Train)
            {
                x.Add(row.Features);
                y.Add(1 - row.Correct.Average());
                w.Add(1000.0 / dataset.Train.Count);
            }
        }

        var difficulty = Logistic.Fit(x, y, w, l2);
        var handSet = new bool[n];
        for (var j = 0; j < n; j++)
        {
            if (x.All(r => r[j] == 0) && HandWeights.TryGetValue(j, out var weight))
            {
                difficulty[j + 1] = weight;
                handSet[j] = true;
            }
        }

        // 2. Per-model profiles: features → P(correct) for each model measured in the data, pooled over the datasets it appears in.
        var profiles = new Dictionary<string, double[]>(StringComparer.Ordinal);
        var quality = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var model in datasets.SelectMany(d => d.Models).Select(Canonical).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var px = new List<double[]>();
            var py = new List<double>();
            var pw = new List<double>();
            var accuracies = new List<double>();
            foreach (var dataset in datasets)
            {
                var m = Array.FindIndex(dataset.Models, name => Canonical(name) == model);
                if (m < 0)
                {
                    continue;
                }

                accuracies.Add(dataset.Train.Average(r => r.Correct[m]));
                foreach (var row in dataset.Train)
                {
                    px.Add(row.Features);
                    py.Add(row.Correct[m]);
                    pw.Add(1000.0 / dataset.Train.Count);
                }
            }

            profiles[model] = Logistic.Fit(px, py, pw, l2);
            quality[model] = accuracies.Average();
        }

        // 3. Tier curve: catalog quality q and difficulty logit z → P(correct), for models without a profile.
        var tx = new List<double[]>();
        var ty = new List<double>();
        var tw = new List<double>();
        foreach (var dataset in datasets)
        {
            foreach (var row in dataset.Train)
            {
                var z = Logit(row.Features, difficulty);
                for (var m = 0; m < dataset.Models.Length; m++)
                {
                    var q = LogitOf(quality[Canonical(dataset.Models[m])]);
                    tx.Add([q, z, q * z]);
                    ty.Add(row.Correct[m]);
                    tw.Add(1000.0 / dataset.Train.Count / dataset.Models.Length);
                }
            }
        }

        var tier = Logistic.Fit(tx, ty, tw, l2);

        // Every row's analysis now carries the fresh text value and difficulty weights, as the shipped analyzer will.
        var weights = new DifficultyWeights(difficulty[0], difficulty[1..]);
        foreach (var dataset in datasets)
        {
            foreach (var rows in new[] { dataset.Train, dataset.Test })
            {
                for (var r = 0; r < rows.Count; r++)
                {
                    var row = rows[r];
                    var features = row.Analysis.Features with { TextScore = row.Features[TextFeature] };
                    rows[r] = row with { Analysis = new ComplexityAnalysis(features, (double[])row.Features.Clone(), weights) };
                }
            }
        }

        return new Fitted(difficulty, handSet, tier, profiles, quality, text);
    }

    /// <summary>
    /// Fits the learned text term on the train rows of every dataset: hashed terms → the share of the dataset's models other
    /// than its best that get the prompt wrong ("a cheaper model fails"). The L2 penalty is chosen by 5-fold cross-validation
    /// on train. Train rows get their out-of-fold score (so the models fitted on top never see a score fitted on their own
    /// row); test rows get the score of the model fitted on all train rows, which is the one shipped.
    /// </summary>
    private static TextFit FitText(IReadOnlyList<Dataset> datasets)
    {
        var x = new List<SparseText>();
        var y = new List<double>();
        var w = new List<double>();
        var folds = new List<int>();
        var total = datasets.Sum(d => d.Train.Count);
        foreach (var dataset in datasets)
        {
            var best = Enumerable.Range(0, dataset.Models.Length).OrderByDescending(m => dataset.Train.Average(r => r.Correct[m])).First();
            foreach (var row in dataset.Train)
            {
                x.Add(row.Text);
                var others = Enumerable.Range(0, dataset.Models.Length).Where(m => m != best);
                y.Add(TextTarget switch
                {
                    "fail" => 1 - others.Average(m => row.Correct[m]),
                    "needed" => others.Average(m => row.Correct[best] * (1 - row.Correct[m])),
                    _ => (1 + row.Correct[best] - others.Average(m => row.Correct[m])) / 2,
                });
                w.Add(TextBalanced ? (double)total / datasets.Count / dataset.Train.Count : 1);
                folds.Add(TextModel.FoldOf(row.Prompt));
            }
        }

        var mean = y.Zip(w, (a, b) => a * b).Sum() / w.Sum();
        var baseline = -y.Zip(w, (a, b) => b * ((a * Math.Log(mean)) + ((1 - a) * Math.Log(1 - mean)))).Sum() / w.Sum();
        var grid = new List<(double L2, double LogLoss)>();
        double[]? bestScores = null;
        foreach (var l2 in TextL2Grid)
        {
            var (scores, loss) = TextModel.OutOfFold(x, y, w, folds, l2);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"text term: L2 {l2}: out-of-fold log loss {loss:0.0000} (intercept only {baseline:0.0000})"));
            if (grid.Count == 0 || loss < grid.Min(g => g.LogLoss))
            {
                bestScores = scores;
            }

            grid.Add((l2, loss));
        }

        var chosen = grid.MinBy(g => g.LogLoss).L2;
        var (_, weights) = TextModel.Fit(x, y, w, chosen);
        var i = 0;
        foreach (var dataset in datasets)
        {
            foreach (var row in dataset.Train)
            {
                row.Features[TextFeature] = bestScores![i++];
            }

            foreach (var row in dataset.Test)
            {
                row.Features[TextFeature] = row.Text.Dot(weights);
            }
        }

        return new TextFit(weights, chosen, grid, baseline);
    }

    private static readonly double[] TextL2Grid = [3e-4, 1e-3, 3e-3];

    /// <summary>
    /// What the text term predicts, with c the correctness of the dataset's best model (on train) and c̄ the mean correctness of
    /// its other models: "gap" (default) = (1 + c − c̄) / 2, how much the best model is needed (0.5 when it makes no
    /// difference); "fail" = 1 − c̄, that a cheaper model fails; "needed" = mean of c·(1 − cᵢ), that the best model succeeds
    /// where a cheaper one fails.
    /// </summary>
    public static string TextTarget { get; set; } = "gap";

    /// <summary>True: each dataset weighs the same in the text fit; false (default): each train prompt weighs the same.</summary>
    public static bool TextBalanced { get; set; }

    public static string TextTargetDescription => TextTarget switch
    {
        "fail" => "1 − c̄, the share of the dataset's non-best models that fail",
        "needed" => "the share of the dataset's non-best models that fail where its best model succeeds",
        _ => "(1 + c − c̄) / 2, with c the best model's correctness and c̄ the mean of the others': how much the strong model is needed",
    } + (TextBalanced ? ", each dataset weighted equally" : ", each train prompt weighted equally");

    public static double Logit(double[] features, double[] difficulty)
    {
        var z = difficulty[0];
        for (var j = 0; j < features.Length; j++)
        {
            z += difficulty[j + 1] * features[j];
        }

        return z;
    }

    public static double LogitOf(double p)
    {
        p = Math.Clamp(p, 0.001, 0.999);
        return Math.Log(p / (1 - p));
    }

    public static string EmitCSharp(Fitted fitted, IReadOnlyList<Dataset> datasets)
    {
        static string D(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        var b = new StringBuilder();
        b.AppendLine("// <auto-generated/>");
        b.AppendLine("// Written by benchmarks/StratumAI.RouterEval from the TRAIN splits of ../shared/data/router:");
        foreach (var dataset in datasets)
        {
            b.AppendLine(CultureInfo.InvariantCulture, $"//   {dataset.Name}: {dataset.Train.Count} train rows, {dataset.Models.Length} models.");
        }

        b.AppendLine("// Coefficients only: no prompt, response or row of the data is in this file. Re-run the program to refresh it.");
        b.AppendLine("namespace StratumAI;");
        b.AppendLine();
        b.AppendLine("internal static class RouterCoefficients");
        b.AppendLine("{");
        b.AppendLine("    /// <summary>Difficulty logit: intercept, then one weight per feature in ComplexityAnalyzer.FeatureNames order.</summary>");
        var hand = string.Join(", ", ComplexityAnalyzer.FeatureNames.Where((_, j) => fitted.HandSet[j]));
        b.AppendLine(CultureInfo.InvariantCulture, $"    /// <remarks>Set by hand (the data never has them): {hand}.</remarks>");
        b.AppendLine(CultureInfo.InvariantCulture, $"    internal static DifficultyWeights Difficulty {{ get; }} = new({D(fitted.Difficulty[0])}, [{string.Join(", ", fitted.Difficulty.Skip(1).Select(D))}]);");
        b.AppendLine();
        var scale = Math.Max(fitted.Text.Weights.Max(Math.Abs), 1e-9) / short.MaxValue;
        var bytes = new byte[fitted.Text.Weights.Length * 2];
        for (var j = 0; j < fitted.Text.Weights.Length; j++)
        {
            var q = (short)Math.Round(fitted.Text.Weights[j] / scale);
            bytes[2 * j] = (byte)q;
            bytes[(2 * j) + 1] = (byte)(q >> 8);
        }

        var base64 = Convert.ToBase64String(bytes);
        b.AppendLine(CultureInfo.InvariantCulture, $"    /// <summary>The learned text term: {fitted.Text.Weights.Length} hash-bucket weights (L2 {fitted.Text.L2}), 16-bit, times the scale.</summary>");
        b.AppendLine(CultureInfo.InvariantCulture, $"    internal static TextWeights Text {{ get; }} = TextWeights.FromBase64(TextData, {D(scale)});");
        b.AppendLine();
        b.AppendLine("    private const string TextData =");
        for (var j = 0; j < base64.Length; j += 112)
        {
            var last = j + 112 >= base64.Length;
            b.AppendLine(CultureInfo.InvariantCulture, $"        \"{base64.AsSpan(j, Math.Min(112, base64.Length - j))}\"{(last ? ";" : " +")}");
        }

        b.AppendLine();
        b.AppendLine("    /// <summary>Expected accuracy of a catalog model from its quality q and the difficulty logit z.</summary>");
        b.AppendLine(CultureInfo.InvariantCulture, $"    internal static TierCurve Tier {{ get; }} = new({string.Join(", ", fitted.Tier.Select(D))});");
        b.AppendLine();
        b.AppendLine("    /// <summary>Per-model expected accuracy: intercept, then one weight per feature. Keys are model ids and aliases.</summary>");
        b.AppendLine("    internal static IReadOnlyDictionary<string, ModelProfile> Profiles { get; } = Build();");
        b.AppendLine();
        b.AppendLine("    private static Dictionary<string, ModelProfile> Build()");
        b.AppendLine("    {");
        b.AppendLine("        var profiles = new Dictionary<string, ModelProfile>(StringComparer.Ordinal);");
        foreach (var (model, beta) in fitted.Profiles)
        {
            var variable = "p" + new string(model.Where(char.IsLetterOrDigit).ToArray());
            b.AppendLine(CultureInfo.InvariantCulture, $"        var {variable} = new ModelProfile({D(beta[0])}, [{string.Join(", ", beta.Skip(1).Select(D))}]);");
            b.AppendLine(CultureInfo.InvariantCulture, $"        profiles[\"{model}\"] = {variable};");
            if (Aliases.TryGetValue(model, out var aliases))
            {
                foreach (var alias in aliases)
                {
                    b.AppendLine(CultureInfo.InvariantCulture, $"        profiles[\"{alias}\"] = {variable};");
                }
            }
        }

        b.AppendLine("        return profiles;");
        b.AppendLine("    }");
        b.AppendLine("}");
        return b.ToString();
    }
}

/// <summary>The router's quality estimator built from freshly fitted coefficients (the shipped table may be older).</summary>
internal sealed class FittedEstimator(Fitted fitted, bool useProfiles) : QualityEstimator
{
    public override double? Estimate(ModelInfo model, ComplexityAnalysis analysis)
    {
        var values = new double[analysis.Contributions.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = analysis.Contributions[i].Value;
        }

        var name = Fit.Canonical(model.Id);
        if (useProfiles && fitted.Profiles.TryGetValue(name, out var beta))
        {
            return Logistic.Predict(beta, values);
        }

        if (model.Quality is not double quality)
        {
            return null;
        }

        var q = Fit.LogitOf(quality);
        var z = Fit.Logit(values, fitted.Difficulty);
        return 1.0 / (1.0 + Math.Exp(-(fitted.Tier[0] + (fitted.Tier[1] * q) + (fitted.Tier[2] * z) + (fitted.Tier[3] * q * z))));
    }
}
