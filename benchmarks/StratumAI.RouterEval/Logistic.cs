namespace StratumAI.RouterEval;

/// <summary>Weighted L2-regularised logistic regression with soft targets, solved by Newton's method (deterministic).</summary>
internal static class Logistic
{
    /// <param name="x">Rows of features (no intercept column; one is added).</param>
    /// <param name="y">Targets in [0, 1].</param>
    /// <param name="w">Sample weights.</param>
    /// <param name="l2">Penalty on every weight but the intercept.</param>
    /// <returns>Intercept first, then one weight per feature.</returns>
    public static double[] Fit(IReadOnlyList<double[]> x, IReadOnlyList<double> y, IReadOnlyList<double> w, double l2)
    {
        var d = x[0].Length + 1;
        var beta = new double[d];
        for (var iteration = 0; iteration < 50; iteration++)
        {
            var gradient = new double[d];
            var hessian = new double[d, d];
            for (var r = 0; r < x.Count; r++)
            {
                var row = x[r];
                var z = beta[0];
                for (var j = 1; j < d; j++)
                {
                    z += beta[j] * row[j - 1];
                }

                var p = 1.0 / (1.0 + Math.Exp(-z));
                var g = w[r] * (p - y[r]);
                var h = w[r] * Math.Max(p * (1 - p), 1e-9);
                for (var a = 0; a < d; a++)
                {
                    var xa = a == 0 ? 1.0 : row[a - 1];
                    gradient[a] += g * xa;
                    for (var b = a; b < d; b++)
                    {
                        hessian[a, b] += h * xa * (b == 0 ? 1.0 : row[b - 1]);
                    }
                }
            }

            for (var a = 0; a < d; a++)
            {
                for (var b = 0; b < a; b++)
                {
                    hessian[a, b] = hessian[b, a];
                }

                if (a > 0)
                {
                    gradient[a] += l2 * beta[a];
                    hessian[a, a] += l2;
                }
                else
                {
                    hessian[a, a] += 1e-9;
                }
            }

            var step = Solve(hessian, gradient);
            var change = 0.0;
            for (var a = 0; a < d; a++)
            {
                beta[a] -= step[a];
                change = Math.Max(change, Math.Abs(step[a]));
            }

            if (change < 1e-10)
            {
                break;
            }
        }

        return beta;
    }

    public static double Predict(double[] beta, double[] row)
    {
        var z = beta[0];
        for (var j = 1; j < beta.Length; j++)
        {
            z += beta[j] * row[j - 1];
        }

        return 1.0 / (1.0 + Math.Exp(-z));
    }

    private static double[] Solve(double[,] a, double[] b)
    {
        var n = b.Length;
        var m = (double[,])a.Clone();
        var v = (double[])b.Clone();
        for (var col = 0; col < n; col++)
        {
            var pivot = col;
            for (var r = col + 1; r < n; r++)
            {
                if (Math.Abs(m[r, col]) > Math.Abs(m[pivot, col]))
                {
                    pivot = r;
                }
            }

            if (pivot != col)
            {
                for (var c = 0; c < n; c++)
                {
                    (m[col, c], m[pivot, c]) = (m[pivot, c], m[col, c]);
                }

                (v[col], v[pivot]) = (v[pivot], v[col]);
            }

            for (var r = col + 1; r < n; r++)
            {
                var f = m[r, col] / m[col, col];
                for (var c = col; c < n; c++)
                {
                    m[r, c] -= f * m[col, c];
                }

                v[r] -= f * v[col];
            }
        }

        var result = new double[n];
        for (var r = n - 1; r >= 0; r--)
        {
            var s = v[r];
            for (var c = r + 1; c < n; c++)
            {
                s -= m[r, c] * result[c];
            }

            result[r] = s / m[r, r];
        }

        return result;
    }
}
