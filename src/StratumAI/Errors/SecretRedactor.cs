using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace StratumAI;

/// <summary>
/// The one sanitizer every provider-supplied string passes through on its way in, before an exception, a log line or a
/// span can hold it: the fields of an error body or stream error event, an HTML page's title, header values (request
/// id, rate limits), snippets of bodies that could not be read and parser messages that may quote them. Each dialect
/// client builds one from its configured key.
/// </summary>
/// <remarks>
/// <para>What is replaced by <see cref="Marker"/>:</para>
/// <list type="bullet">
/// <item>the configured key in any letter case, as sent and in its URL-encoded (RFC 3986 and form) and JSON-escaped forms;</item>
/// <item>any run of at least <see cref="MinEchoedRun"/> consecutive characters of one of those forms (a truncated or
/// partly masked echo), in any letter case;</item>
/// <item>whatever looks like a well-known API key, whoever it belongs to (a proxy may echo its own upstream key):
/// <c>sk-…</c> (OpenAI, Anthropic, DeepSeek, OpenRouter), <c>AIza…</c> (Google), <c>gsk_…</c> (Groq), <c>xai-…</c>
/// (xAI), a JSON Web Token (<c>eyJ….….…</c>: a Microsoft Entra ID access token), and the token after <c>Bearer</c>.</item>
/// </list>
/// <para>A configured key shorter than <see cref="MinSecretLength"/> characters is a placeholder (Ollama and local
/// servers accept any), not a secret, and is not searched for. Runs shorter than <see cref="MinEchoedRun"/> characters
/// (the last four characters some providers show) are left, since they do not disclose the key.</para>
/// <para>The work is linear in the text: one search per distinct run of the key and one non-backtracking pattern match.
/// Thread-safe; instances are immutable.</para>
/// </remarks>
internal sealed class SecretRedactor
{
    /// <summary>What a secret is replaced with.</summary>
    internal const string Marker = "***";

    /// <summary>The shortest run of the key's characters that counts as an echo of the key.</summary>
    internal const int MinEchoedRun = 12;

    /// <summary>The shortest configured key that is treated as a secret.</summary>
    internal const int MinSecretLength = 4;

    // NonBacktracking keeps the match linear whatever a hostile server sends; no lookarounds, which it does not support.
    private static readonly Regex KeyShaped = new(
        @"\b(?:sk-[a-z0-9_\-]{16,}|aiza[a-z0-9_\-]{30,}|gsk_[a-z0-9]{20,}|xai-[a-z0-9_\-]{20,}|eyj[a-z0-9_\-]{8,}\.[a-z0-9_\-]{8,}\.[a-z0-9_\-]*)|\bbearer\s{1,16}(?<token>[a-z0-9._~+/=\-]{8,})",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking | RegexOptions.ExplicitCapture);

    private readonly string[] _fragments;

    /// <summary>Creates the sanitizer for one configured key.</summary>
    /// <param name="apiKey">The key the client sends, or null when it sends none (then only key-shaped text is redacted).</param>
    public SecretRedactor(string? apiKey)
    {
        _fragments = apiKey is null || apiKey.Length < MinSecretLength ? [] : FragmentsOf(apiKey);
    }

    /// <summary>A sanitizer with no configured key: it redacts only text shaped like a well-known key.</summary>
    public static SecretRedactor KeyShapedOnly { get; } = new(null);

    /// <summary>
    /// <paramref name="text"/> with every secret replaced by <see cref="Marker"/>; the same instance when it holds none,
    /// and null for null.
    /// </summary>
    public string? Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        bool[]? hidden = null;
        foreach (var fragment in _fragments)
        {
            var start = 0;
            int found;
            while (start < text.Length && (found = text.IndexOf(fragment, start, StringComparison.OrdinalIgnoreCase)) >= 0)
            {
                Hide(ref hidden, text.Length, found, fragment.Length);
                start = found + 1;
            }
        }

        // IsMatch first: it allocates nothing, and almost no provider text (a model id, a response id) holds a key, while
        // Matches allocates a collection on every call, which telemetry made per response (issue 18).
        foreach (Match match in KeyShaped.IsMatch(text) ? KeyShaped.Matches(text) : Enumerable.Empty<Match>())
        {
            var token = match.Groups["token"];
            var secret = token.Success ? (Capture)token : match;
            Hide(ref hidden, text.Length, secret.Index, secret.Length);
        }

        return hidden is null ? text : Rebuild(text, hidden);
    }

    /// <summary>True when <paramref name="text"/> holds something <see cref="Redact"/> would hide.</summary>
    public bool Reveals(string? text) => !ReferenceEquals(Redact(text), text);

    /// <summary>
    /// <paramref name="exception"/>, to keep as an inner exception, unless its message reveals a secret (a parser's
    /// message may quote the offending text), in which case null: its message cannot be rewritten.
    /// </summary>
    public Exception? KeepIfClean(Exception? exception) =>
        exception is not null && Reveals(exception.Message) ? null : exception;

    /// <summary>The first <paramref name="maxChars"/> characters of <paramref name="text"/>, redacted before it is cut so a key cannot be split past the search.</summary>
    public string Snippet(string? text, int maxChars = 200)
    {
        var clean = Redact(text) ?? string.Empty;
        return clean.Length <= maxChars ? clean : string.Concat(clean.AsSpan(0, maxChars), "…");
    }

    private static string[] FragmentsOf(string key)
    {
        var forms = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            key,
            Uri.EscapeDataString(key),
            WebUtility.UrlEncode(key),
            JsonEncodedText.Encode(key).Value,
            key.Replace("/", "\\/", StringComparison.Ordinal),
        };

        var fragments = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var form in forms)
        {
            if (form.Length <= MinEchoedRun)
            {
                fragments.Add(form);
                continue;
            }

            // Every run of MinEchoedRun characters: together they find each longer run too, wherever the echo was cut.
            for (var i = 0; i + MinEchoedRun <= form.Length; i++)
            {
                fragments.Add(form.Substring(i, MinEchoedRun));
            }
        }

        return [.. fragments];
    }

    private static void Hide(ref bool[]? hidden, int length, int start, int count)
    {
        hidden ??= new bool[length];
        hidden.AsSpan(start, count).Fill(true);
    }

    private static string Rebuild(string text, bool[] hidden)
    {
        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (!hidden[i])
            {
                builder.Append(text[i]);
            }
            else if (i == 0 || !hidden[i - 1])
            {
                builder.Append(Marker);
            }
        }

        return builder.ToString();
    }
}
