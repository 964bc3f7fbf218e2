using System.Globalization;
using System.Text;

namespace StratumAI.Catalog;

/// <summary>
/// Writes a <see cref="CatalogFile"/> in the catalog's YAML format, so that <see cref="CatalogParser"/>
/// reads back the same records. Used to refresh the default catalog from LiteLLM.
/// </summary>
/// <remarks>
/// Optional values are written only when set; <c>name</c> only when it differs from the name derived
/// from the id, and <c>type_name</c> only when it differs from the one derived from the provider name.
/// Prices are written without trailing zeros. Text that YAML could read as something else is double-quoted.
/// Thread-safe.
/// </remarks>
public static class CatalogYamlWriter
{
    /// <summary>Writes one catalog file as YAML text (LF line endings).</summary>
    /// <param name="file">The file to write.</param>
    /// <param name="headerComment">Optional comment lines written first, each prefixed with <c># </c>.</param>
    /// <returns>The YAML text.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="file"/> is null.</exception>
    /// <exception cref="ArgumentException">The file has no provider.</exception>
    public static string Write(CatalogFile file, string? headerComment = null)
    {
        if (file is null)
        {
            throw new ArgumentNullException(nameof(file));
        }

        var provider = file.Provider ?? throw new ArgumentException("A catalog file needs a provider block to be written.", nameof(file));
        var builder = new StringBuilder(256 + (file.Models.Count * 320));
        if (!string.IsNullOrEmpty(headerComment))
        {
            foreach (var line in headerComment!.Replace("\r\n", "\n").Split('\n'))
            {
                builder.Append(line.Length == 0 ? "#" : "# ").Append(line).Append('\n');
            }
        }

        builder.Append("provider:\n");
        Line(builder, 1, "id", provider.Id);
        if (!file.ProviderIsReference)
        {
            Line(builder, 1, "name", provider.Name);
            if (!string.Equals(provider.TypeName, CatalogNames.DeriveTypeName(provider.Name), StringComparison.Ordinal))
            {
                Line(builder, 1, "type_name", provider.TypeName);
            }

            Line(builder, 1, "dialect", provider.Dialect);
            Line(builder, 1, "base_url", provider.BaseUrl);
            Line(builder, 1, "api_key_env", provider.ApiKeyEnv);
            if (provider.AllowInsecureHttp)
            {
                Line(builder, 1, "allow_insecure_http", "true", raw: true);
            }

            RateLimits(builder, 1, provider.RateLimits);
        }

        if (file.Models.Count == 0)
        {
            builder.Append("models: []\n");
            return builder.ToString();
        }

        builder.Append("models:\n");
        foreach (var model in file.Models)
        {
            builder.Append("  - id: ").Append(Scalar(model.Id)).Append('\n');
            if (!string.Equals(model.EnumName, CatalogNames.DeriveEnumName(model.Id), StringComparison.Ordinal))
            {
                Line(builder, 2, "name", model.EnumName);
            }

            Line(builder, 2, "dialect", model.Dialect);
            Line(builder, 2, "context_window", model.ContextWindow.ToString(CultureInfo.InvariantCulture), raw: true);
            if (model.MaxOutputTokens is int maxOutput)
            {
                Line(builder, 2, "max_output_tokens", maxOutput.ToString(CultureInfo.InvariantCulture), raw: true);
            }

            if (model.Dimensions is int dimensions)
            {
                Line(builder, 2, "dimensions", dimensions.ToString(CultureInfo.InvariantCulture), raw: true);
            }

            RateLimits(builder, 2, model.RateLimits);

            var price = model.Price;
            builder.Append("    price:\n");
            Price(builder, 3, "input", price.Input);
            Price(builder, 3, "output", price.Output);
            Price(builder, 3, "cached_input", price.CachedInput);
            Price(builder, 3, "cache_write", price.CacheWrite);
            Price(builder, 3, "cache_write_1h", price.CacheWrite1h);
            Price(builder, 3, "reasoning", price.Reasoning);
            Price(builder, 3, "audio_input", price.AudioInput);
            Price(builder, 3, "audio_output", price.AudioOutput);
            if (price.Tiers.Count > 0)
            {
                builder.Append("      tiers:\n");
                foreach (var tier in price.Tiers)
                {
                    builder.Append("        - above_input_tokens: ").Append(tier.AboveInputTokens.ToString(CultureInfo.InvariantCulture)).Append('\n');
                    Price(builder, 5, "input", tier.Input);
                    Price(builder, 5, "output", tier.Output);
                    Price(builder, 5, "cached_input", tier.CachedInput);
                    Price(builder, 5, "cache_write", tier.CacheWrite);
                    Price(builder, 5, "cache_write_1h", tier.CacheWrite1h);
                }
            }

            ServiceTier(builder, "flex", price.Flex);
            ServiceTier(builder, "priority", price.Priority);
            ServiceTier(builder, "batch", price.Batch);

            List(builder, "capabilities", model.Capabilities);
            if (model.Quality is decimal quality)
            {
                Line(builder, 2, "quality", Number(quality), raw: true);
            }

            List(builder, "aliases", model.Aliases);
            Line(builder, 2, "deprecated_on", model.DeprecatedOn, raw: model.DeprecatedOn is not null && IsDate(model.DeprecatedOn));
            Line(builder, 2, "replacement", model.Replacement);
        }

        return builder.ToString();
    }

    private static void Line(StringBuilder builder, int depth, string key, string? value, bool raw = false)
    {
        if (value is null)
        {
            return;
        }

        builder.Append(' ', depth * 2).Append(key).Append(": ").Append(raw ? value : Scalar(value)).Append('\n');
    }

    private static void Price(StringBuilder builder, int depth, string key, decimal? value)
    {
        if (value is decimal price)
        {
            builder.Append(' ', depth * 2).Append(key).Append(": ").Append(Number(price)).Append('\n');
        }
    }

    private static void ServiceTier(StringBuilder builder, string key, ServiceTierPrice? tier)
    {
        if (tier is null)
        {
            return;
        }

        builder.Append("      ").Append(key).Append(":\n");
        Price(builder, 4, "input", tier.Input);
        Price(builder, 4, "output", tier.Output);
        Price(builder, 4, "cached_input", tier.CachedInput);
        Price(builder, 4, "cache_write", tier.CacheWrite);
        Price(builder, 4, "audio_input", tier.AudioInput);
    }

    private static void List(StringBuilder builder, string key, EquatableArray<string> items)
    {
        if (items.Count == 0)
        {
            return;
        }

        builder.Append("    ").Append(key).Append(": [");
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(", ");
            }

            builder.Append(Scalar(items[i]));
        }

        builder.Append("]\n");
    }

    private static string Number(decimal value)
        => (value / 1.000000000000000000000000000000000m).ToString(CultureInfo.InvariantCulture);

    // Plain when the text cannot be read as anything else (null, a boolean, a number, syntax);
    // otherwise double-quoted with escapes.
    private static string Scalar(string value)
    {
        if (IsSafePlain(value))
        {
            return value;
        }

        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\r':
                    builder.Append("\\r");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                default:
                    if (c < 0x20 || c == 0x7F)
                    {
                        builder.Append("\\x").Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        return builder.Append('"').ToString();
    }

    private static bool IsSafePlain(string value)
    {
        if (value.Length == 0 || !CatalogNames.IsAsciiLetterOrDigit(value[0]) || value[value.Length - 1] == ':')
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!CatalogNames.IsAsciiLetterOrDigit(c) && c != '-' && c != '_' && c != '.' && c != '/' && c != ':')
            {
                return false;
            }
        }

        switch (value.ToLowerInvariant())
        {
            case "null":
            case "true":
            case "false":
            case "yes":
            case "no":
            case "on":
            case "off":
            case "y":
            case "n":
                return false;
        }

        // Something a YAML reader could take for a number (or a date/time) stays quoted.
        return !decimal.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _) && !LooksLikeTime(value);
    }

    private static bool IsDate(string value)
        => DateTime.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    private static bool LooksLikeTime(string value)
    {
        foreach (var c in value)
        {
            if (!(c >= '0' && c <= '9') && c != ':' && c != '-' && c != '.')
            {
                return false;
            }
        }

        return true;
    }

    private static void RateLimits(StringBuilder builder, int depth, CatalogRateLimit? limits)
    {
        if (limits is null)
        {
            return;
        }

        builder.Append(' ', depth * 2).Append("rate_limits:\n");
        if (limits.RequestsPerMinute is int requests)
        {
            Line(builder, depth + 1, "requests_per_minute", requests.ToString(CultureInfo.InvariantCulture), raw: true);
        }

        if (limits.TokensPerMinute is long tokens)
        {
            Line(builder, depth + 1, "tokens_per_minute", tokens.ToString(CultureInfo.InvariantCulture), raw: true);
        }
    }
}
