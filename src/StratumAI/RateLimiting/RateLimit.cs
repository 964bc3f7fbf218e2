using System.Globalization;

namespace StratumAI;

/// <summary>
/// A provider's rate limit: at most <see cref="Requests"/> requests and <see cref="Tokens"/> tokens in any
/// <see cref="Window"/> (a minute for the limits providers publish). Immutable, compared by value.
/// </summary>
/// <remarks>
/// Where a limit comes from, how a call's tokens are counted and what "in any window" guarantees are in docs/scale.md
/// ("Rate limits"). A limit with neither requests nor tokens limits nothing.
/// </remarks>
public sealed record RateLimit
{
    /// <summary>Creates a limit.</summary>
    /// <param name="requests">Requests allowed per window, or null for no request limit.</param>
    /// <param name="tokens">Tokens (prompt estimate plus the requested maximum output) allowed per window, or null for no token limit.</param>
    /// <param name="window">The window; one minute for the per-minute limits providers publish.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count is not positive, or the window is not positive.</exception>
    public RateLimit(int? requests, long? tokens, TimeSpan window)
    {
        if (requests is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(requests), requests, "A request limit must be positive (null for none).");
        }

        if (tokens is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(tokens), tokens, "A token limit must be positive (null for none).");
        }

        if (window <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, "The window must be positive.");
        }

        Requests = requests;
        Tokens = tokens;
        Window = window;
    }

    /// <summary>Requests allowed per <see cref="Window"/>, or null for no request limit.</summary>
    public int? Requests { get; }

    /// <summary>Tokens allowed per <see cref="Window"/>, or null for no token limit.</summary>
    public long? Tokens { get; }

    /// <summary>The window the counts apply to.</summary>
    public TimeSpan Window { get; }

    /// <summary>A per-minute limit, as providers publish them (and as the catalog's <c>rate_limits</c> states them).</summary>
    /// <param name="requestsPerMinute">Requests per minute, or null.</param>
    /// <param name="tokensPerMinute">Tokens per minute, or null.</param>
    /// <returns>The limit.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A count is not positive.</exception>
    public static RateLimit PerMinute(int? requestsPerMinute, long? tokensPerMinute = null) => new(requestsPerMinute, tokensPerMinute, TimeSpan.FromMinutes(1));

    /// <inheritdoc />
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{(Requests is { } r ? r.ToString(CultureInfo.InvariantCulture) : "-")} requests / {(Tokens is { } t ? t.ToString(CultureInfo.InvariantCulture) : "-")} tokens per {Window.TotalSeconds} s");
}
