using System.Text;

namespace StratumAI;

/// <summary>
/// Counts the tokens of a text to embed on the high side, without the model's tokenizer: one token per two UTF-8 bytes
/// (embedding tokenizers — cl100k, SentencePiece, BERT WordPiece — produce fewer for ordinary text). Used where an
/// embedding call's usage is not known: a budget's reservation, the estimate recorded for a response without usage, and
/// the split of many inputs into requests within a token limit.
/// </summary>
internal static class EmbeddingTokenEstimator
{
    /// <summary>The high-side token count of one input; at least 1 for any input (an empty one is still one item to bill).</summary>
    public static long Count(string text) => Math.Max(1L, (Encoding.UTF8.GetByteCount(text) + 1L) / 2);

    /// <summary>The high-side token count of every input, summed.</summary>
    public static long Count(IEnumerable<string> inputs, CancellationToken cancellationToken = default)
    {
        long tokens = 0;
        foreach (var input in inputs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            tokens += input is null ? 0 : Count(input);
        }

        return tokens;
    }
}
