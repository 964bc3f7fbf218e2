using System.Globalization;
using System.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace StratumAI.Testing.Fixtures;

/// <summary>
/// Reads VCR-style YAML cassettes: pydantic-ai's (JSON bodies as YAML under <c>parsed_body</c>,
/// other bodies under <c>body.string</c>), vcrpy's as used by crewAI, Mirascope and openllmetry (raw bodies
/// under <c>body.string</c> or <c>body</c>; vcrpy's older httpx layout keeps the response body under
/// <c>content</c> and the status under <c>status_code</c>), and Ruby VCR's (<c>http_interactions</c>,
/// bodies under <c>body.string</c> or <c>body.base64_string</c>, each header value a list).
/// </summary>
internal static class VcrCassetteReader
{
    public static IReadOnlyList<RecordedExchange> Read(string text, string sourcePath)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            throw new InvalidDataException($"'{sourcePath}' is not valid YAML: {ex.Message}", ex);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new InvalidDataException($"'{sourcePath}' is not a VCR cassette: the document is not a mapping.");
        }

        // vcrpy and pydantic-ai write 'interactions'; Ruby's VCR writes 'http_interactions'.
        if ((Child(root, "interactions") ?? Child(root, "http_interactions")) is not YamlSequenceNode interactions)
        {
            throw new InvalidDataException($"'{sourcePath}' is not a VCR cassette: it has no 'interactions' or 'http_interactions' list.");
        }

        var exchanges = new List<RecordedExchange>(interactions.Children.Count);
        foreach (var node in interactions.Children)
        {
            var index = exchanges.Count;
            if (node is not YamlMappingNode interaction
                || Child(interaction, "request") is not YamlMappingNode request
                || Child(interaction, "response") is not YamlMappingNode response)
            {
                throw new InvalidDataException($"'{sourcePath}': interaction {index} lacks a 'request' or 'response' mapping.");
            }

            exchanges.Add(new RecordedExchange(ReadRequest(request, sourcePath, index), ReadResponse(response, sourcePath, index), sourcePath, index));
        }

        return exchanges;
    }

    private static RecordedRequest ReadRequest(YamlMappingNode request, string sourcePath, int index)
    {
        var method = (Scalar(request, "method") ?? "GET").ToUpperInvariant();
        var uri = Scalar(request, "uri") ?? throw new InvalidDataException($"'{sourcePath}': interaction {index} request has no 'uri'.");
        var (host, pathAndQuery) = UriParts.Split(uri);
        var headers = ReadHeaders(Child(request, "headers"));

        string? body;
        if (Child(request, "parsed_body") is { } parsed)
        {
            body = Encoding.UTF8.GetString(YamlJson.ToJsonBytes(parsed));
        }
        else
        {
            var bytes = BodyBytes(Child(request, "body"));
            // Ruby's VCR records a request without a body as an empty string.
            body = bytes is null || bytes.Length == 0 ? null : Encoding.UTF8.GetString(bytes);
        }

        return new RecordedRequest(method, pathAndQuery, host, headers, body);
    }

    private static RecordedResponse ReadResponse(YamlMappingNode response, string sourcePath, int index)
    {
        // 'status: {code, message}' (vcrpy, Ruby VCR), 'status: 200', or vcrpy's older httpx layout 'status_code: 200'.
        var statusNode = Child(response, "status") ?? Child(response, "status_code");
        var codeText = statusNode is YamlMappingNode status ? Scalar(status, "code") : (statusNode as YamlScalarNode)?.Value;
        if (!int.TryParse(codeText, NumberStyles.None, CultureInfo.InvariantCulture, out var statusCode))
        {
            throw new InvalidDataException($"'{sourcePath}': interaction {index} response has no numeric 'status.code'.");
        }

        var headers = ReadHeaders(Child(response, "headers"));
        var contentType = HeaderList.First(headers, "content-type");
        byte[] body;
        if (Child(response, "parsed_body") is { } parsed)
        {
            body = YamlJson.ToJsonBytes(parsed);
            contentType ??= "application/json";
        }
        else
        {
            body = BodyBytes(Child(response, "body") ?? Child(response, "content")) ?? [];
            body = ContentCoding.Decode(body, HeaderList.First(headers, "content-encoding"));
        }

        return new RecordedResponse(statusCode, headers, body, contentType);
    }

    /// <summary>
    /// A body is either a scalar, or a mapping with a <c>string</c> scalar (vcrpy, Ruby VCR), possibly tagged
    /// <c>!!binary</c>, or with a <c>base64_string</c> scalar (Ruby VCR, for bytes that are not valid text).
    /// </summary>
    private static byte[]? BodyBytes(YamlNode? node)
    {
        if (node is YamlMappingNode mapping)
        {
            if (Child(mapping, "base64_string") is YamlScalarNode base64)
            {
                // Convert.FromBase64String skips the line breaks Ruby's encoder inserts.
                return Convert.FromBase64String(base64.Value ?? string.Empty);
            }

            node = Child(mapping, "string");
        }

        if (node is not YamlScalarNode scalar)
        {
            return null;
        }

        if (!scalar.Tag.IsEmpty && !scalar.Tag.IsNonSpecific && scalar.Tag.Value == "tag:yaml.org,2002:binary")
        {
            return Convert.FromBase64String(scalar.Value ?? string.Empty);
        }

        if (scalar.Style == ScalarStyle.Plain && (scalar.Value is null || scalar.Value is "null" or "~"))
        {
            return null;
        }

        return Encoding.UTF8.GetBytes(scalar.Value ?? string.Empty);
    }

    private static List<KeyValuePair<string, string>> ReadHeaders(YamlNode? node)
    {
        var headers = new List<KeyValuePair<string, string>>();
        if (node is not YamlMappingNode mapping)
        {
            return headers;
        }

        foreach (var pair in mapping.Children)
        {
            var name = (pair.Key as YamlScalarNode)?.Value;
            if (string.IsNullOrEmpty(name))
            {
                continue;
            }

            switch (pair.Value)
            {
                case YamlSequenceNode values:
                    foreach (var value in values.Children)
                    {
                        headers.Add(new(name, (value as YamlScalarNode)?.Value ?? string.Empty));
                    }

                    break;
                case YamlScalarNode value:
                    headers.Add(new(name, value.Value ?? string.Empty));
                    break;
                default:
                    break;
            }
        }

        return headers;
    }

    private static YamlNode? Child(YamlMappingNode mapping, string key)
        => mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static string? Scalar(YamlMappingNode mapping, string key) => (Child(mapping, key) as YamlScalarNode)?.Value;
}
