namespace StratumAI.RouterEval;

/// <summary>A prompt's hashed terms as sparse (bucket, count ÷ √terms) pairs: the learned text term's input.</summary>
internal sealed record SparseText(int[] Buckets, double[] Values)
{
    public static SparseText From(IReadOnlyList<int> terms)
    {
        var counts = new SortedDictionary<int, int>();
        foreach (var bucket in terms)
        {
            counts[bucket] = counts.GetValueOrDefault(bucket) + 1;
        }

        var norm = terms.Count > 0 ? 1.0 / Math.Sqrt(terms.Count) : 0;
        return new SparseText(counts.Keys.ToArray(), counts.Values.Select(c => c * norm).ToArray());
    }

    public double Dot(double[] weights)
    {
        var sum = 0.0;
        for (var k = 0; k < Buckets.Length; k++)
        {
            sum += weights[Buckets[k]] * Values[k];
        }

        return sum;
    }
}

/// <summary>
/// The learned text term: L2-regularised logistic regression over hashed terms with soft targets, solved by full-batch
/// accelerated gradient descent from zero (deterministic: fixed order, fixed step, fixed iteration count).
/// </summary>
internal static class TextModel
{
    public const int Folds = 5;

    /// <summary>Fits intercept + one weight per bucket; returns (intercept, weights).</summary>
    public static (double Intercept, double[] Weights) Fit(IReadOnlyList<SparseText> x, IReadOnlyList<double> y, IReadOnlyList<double> w, double l2, int iterations = 400)
    {
        var d = TextWeights.Buckets;
        var beta = new double[d];
        var previous = new double[d];
        var gradient = new double[d];
        double b0 = 0, b0Previous = 0;
        var totalWeight = w.Sum();

        // The loss gradient is Lipschitz with constant at most 0.25 × the weighted mean of ‖(1, x)‖², so this step is safe.
        var meanNorm = 0.0;
        for (var r = 0; r < x.Count; r++)
        {
            meanNorm += w[r] / totalWeight * (1 + x[r].Values.Sum(v => v * v));
        }

        var step = 1.0 / ((0.25 * meanNorm) + l2);
        var yBeta = new double[d];
        double yB0;
        for (var t = 0; t < iterations; t++)
        {
            // Nesterov look-ahead point.
            var momentum = t / (t + 3.0);
            for (var j = 0; j < d; j++)
            {
                yBeta[j] = beta[j] + (momentum * (beta[j] - previous[j]));
            }

            yB0 = b0 + (momentum * (b0 - b0Previous));
            Array.Clear(gradient);
            var g0 = 0.0;
            for (var r = 0; r < x.Count; r++)
            {
                var z = yB0 + x[r].Dot(yBeta);
                var g = w[r] / totalWeight * ((1.0 / (1.0 + Math.Exp(-z))) - y[r]);
                g0 += g;
                var row = x[r];
                for (var k = 0; k < row.Buckets.Length; k++)
                {
                    gradient[row.Buckets[k]] += g * row.Values[k];
                }
            }

            Array.Copy(beta, previous, d);
            b0Previous = b0;
            for (var j = 0; j < d; j++)
            {
                beta[j] = yBeta[j] - (step * (gradient[j] + (l2 * yBeta[j])));
            }

            b0 = yB0 - (step * g0);
        }

        return (b0, beta);
    }

    /// <summary>Fold of a row: a hash of its prompt, independent of the train/test bit.</summary>
    public static int FoldOf(string prompt)
    {
        var hash = 2166136261u;
        foreach (var c in prompt)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)((hash >> 7) % Folds);
    }

    /// <summary>Out-of-fold scores (each row scored by the model fitted without its fold) and the weighted log loss.</summary>
    public static (double[] Scores, double LogLoss) OutOfFold(IReadOnlyList<SparseText> x, IReadOnlyList<double> y, IReadOnlyList<double> w, IReadOnlyList<int> folds, double l2)
    {
        var scores = new double[x.Count];
        double loss = 0, weight = 0;
        for (var f = 0; f < Folds; f++)
        {
            var inFold = Enumerable.Range(0, x.Count).Where(r => folds[r] != f).ToArray();
            var (b0, beta) = Fit(inFold.Select(r => x[r]).ToArray(), inFold.Select(r => y[r]).ToArray(), inFold.Select(r => w[r]).ToArray(), l2);
            for (var r = 0; r < x.Count; r++)
            {
                if (folds[r] != f)
                {
                    continue;
                }

                scores[r] = x[r].Dot(beta);
                var p = Math.Clamp(1.0 / (1.0 + Math.Exp(-(b0 + scores[r]))), 1e-9, 1 - 1e-9);
                loss -= w[r] * ((y[r] * Math.Log(p)) + ((1 - y[r]) * Math.Log(1 - p)));
                weight += w[r];
            }
        }

        return (scores, loss / weight);
    }
}
