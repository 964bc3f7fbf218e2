using System.Globalization;
using System.Text;
using StratumAI.Routing;

namespace StratumAI.RouterEval;

/// <summary>Everything fitted on the train splits.</summary>
internal sealed record Fitted(
    double[] Difficulty,
    bool[] HandSet,
    double[] Tier,
    Dictionary<string, double[]> Profiles,
    Dictionary<string, double> Quality);

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

    public static Fitted Run(IReadOnlyList<Dataset> datasets, double l2)
    {
        var n = ComplexityAnalyzer.FeatureNames.Count;

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
        return new Fitted(difficulty, handSet, tier, profiles, quality);
    }

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
        b.AppendLine("namespace StratumAI.Routing;");
        b.AppendLine();
        b.AppendLine("internal static class RouterCoefficients");
        b.AppendLine("{");
        b.AppendLine("    /// <summary>Difficulty logit: intercept, then one weight per feature in ComplexityAnalyzer.FeatureNames order.</summary>");
        var hand = string.Join(", ", ComplexityAnalyzer.FeatureNames.Where((_, j) => fitted.HandSet[j]));
        b.AppendLine(CultureInfo.InvariantCulture, $"    /// <remarks>Set by hand (the data never has them): {hand}.</remarks>");
        b.AppendLine(CultureInfo.InvariantCulture, $"    internal static DifficultyWeights Difficulty {{ get; }} = new({D(fitted.Difficulty[0])}, [{string.Join(", ", fitted.Difficulty.Skip(1).Select(D))}]);");
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
