namespace StratumAI;

/// <summary>
/// The learned text term of the difficulty: one weight per hash bucket of the prompt's words, numbers (by digit count) and
/// pairs of consecutive words, fitted offline (<c>benchmarks/StratumAI.RouterEval</c>) to predict that a cheaper model gets
/// the prompt wrong. The term's value is <c>Σ weight[bucket] / √terms</c>.
/// </summary>
/// <remarks>Feature hashing keeps the table a fixed size whatever the vocabulary, and keeps a lookup to one multiply.</remarks>
internal sealed class TextWeights
{
    /// <summary>log₂ of the number of buckets.</summary>
    public const int BucketBits = 14;

    /// <summary>Number of buckets.</summary>
    public const int Buckets = 1 << BucketBits;

    public TextWeights(float[] weights)
    {
        if (weights.Length != Buckets)
        {
            throw new ArgumentException($"Expected {Buckets} text weights, got {weights.Length}.", nameof(weights));
        }

        Weights = weights;
    }

    /// <summary>One weight per bucket.</summary>
    public float[] Weights { get; }

    /// <summary>Weights stored as little-endian 16-bit integers in base 64, each times <paramref name="scale"/>.</summary>
    public static TextWeights FromBase64(string data, double scale)
    {
        var bytes = Convert.FromBase64String(data);
        var weights = new float[Buckets];
        for (var i = 0; i < weights.Length && (2 * i) + 1 < bytes.Length; i++)
        {
            weights[i] = (float)((short)(bytes[2 * i] | (bytes[(2 * i) + 1] << 8)) * scale);
        }

        return new TextWeights(weights);
    }

    /// <summary>The bucket of a term's 32-bit hash (Fibonacci hashing: the top bits of the hash times the golden ratio).</summary>
    public static int Bucket(uint hash) => (int)((hash * 2654435769u) >> (32 - BucketBits));

    /// <summary>The hash of the pair "<paramref name="first"/> then <paramref name="second"/>" (order matters).</summary>
    public static uint Pair(uint first, uint second) => ((first ^ 0x9E3779B9u) * 16777619u) ^ (second * 0x85EBCA6Bu) ^ 0x27D4EB2Fu;

    /// <summary>The hash of "a number of <paramref name="digits"/> characters" (8 and more share one).</summary>
    public static uint NumberTerm(int digits) => 0xA5A50000u | (uint)Math.Min(digits, 8);
}
