using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace StratumAI.Testing.Tests;

/// <summary>Edge cases of the YAML-to-JSON conversion, through cassettes written on the fly.</summary>
public sealed class CassetteConversionTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("stratum-cassette-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text, new UTF8Encoding(false));
        return path;
    }

    private const string Cassette = """
        interactions:
        - request:
            headers:
              content-type:
              - application/json
            method: post
            parsed_body:
              stream: true
              n: 1
              temperature: 0.7
            uri: https://api.example.com/v1/chat/completions?api-version=1
          response:
            headers:
              content-type:
              - application/json
              x-multi:
              - one
              - two
            parsed_body:
              plain_yes: yes
              quoted_yes: 'yes'
              quoted_int: '123'
              double_quoted_float: "1.5"
              tiny: 1.0e-06
              negative: -3
              big: 12345678901234567890
              hex: 0x1F
              underscored: 1_000
              tilde: ~
              empty:
              null_word: null
              inf: .inf
              text: hello world
              date_like: 2025-08-20
              multiline: |-
                line one
                line two
              folded: >-
                folded
                text
              list: [1, 'a', false, 2.50]
              nested:
                empty_list: []
                empty_map: {}
            status:
              code: 418
              message: I'm a teapot
        version: 1
        """;

    [Fact]
    public void Load_PlainScalars_FollowYaml11TypesAndQuotedScalarsStayStrings()
    {
        var exchange = Assert.Single(FixtureLoader.Load(Write("types.yaml", Cassette)));
        using var document = JsonDocument.Parse(exchange.Response.Body);
        var body = document.RootElement;

        Assert.Equal(418, exchange.Response.StatusCode);
        Assert.Equal(JsonValueKind.True, body.GetProperty("plain_yes").ValueKind);
        Assert.Equal("yes", body.GetProperty("quoted_yes").GetString());
        Assert.Equal("123", body.GetProperty("quoted_int").GetString());
        Assert.Equal("1.5", body.GetProperty("double_quoted_float").GetString());
        Assert.Equal(1.0e-06, body.GetProperty("tiny").GetDouble());
        Assert.Equal(-3, body.GetProperty("negative").GetInt32());
        Assert.Equal("12345678901234567890", body.GetProperty("big").GetRawText());
        Assert.Equal(31, body.GetProperty("hex").GetInt32());
        Assert.Equal(1000, body.GetProperty("underscored").GetInt32());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("tilde").ValueKind);
        Assert.Equal(JsonValueKind.Null, body.GetProperty("empty").ValueKind);
        Assert.Equal(JsonValueKind.Null, body.GetProperty("null_word").ValueKind);
        Assert.Equal(".inf", body.GetProperty("inf").GetString());
        Assert.Equal("hello world", body.GetProperty("text").GetString());
        Assert.Equal("2025-08-20", body.GetProperty("date_like").GetString());
        Assert.Equal("line one\nline two", body.GetProperty("multiline").GetString());
        Assert.Equal("folded text", body.GetProperty("folded").GetString());
        Assert.Equal("[1,\"a\",false,2.50]", body.GetProperty("list").GetRawText());
        Assert.Equal("{\"empty_list\":[],\"empty_map\":{}}", body.GetProperty("nested").GetRawText());
        Assert.Equal(["one", "two"], exchange.Response.Headers.Where(h => h.Key == "x-multi").Select(h => h.Value));
    }

    [Fact]
    public void Load_RequestParsedBody_KeepsOrderAndTypesAndUppercasesMethod()
    {
        var request = Assert.Single(FixtureLoader.Load(Write("request.yaml", Cassette))).Request!;

        Assert.Equal("POST", request.Method);
        Assert.Equal("/v1/chat/completions?api-version=1", request.PathAndQuery);
        Assert.Equal("api.example.com", request.Host);
        Assert.Equal("{\"stream\":true,\"n\":1,\"temperature\":0.7}", request.Body);
    }

    [Fact]
    public void Load_VcrBinaryGzipBody_IsDecompressed()
    {
        var json = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\"}";
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(json));
        }

        var base64 = Convert.ToBase64String(compressed.ToArray());
        var path = Write("gzip.yaml", $$"""
            interactions:
            - request:
                body: null
                headers: {}
                method: GET
                uri: https://api.example.com/v1/models
              response:
                body:
                  string: !!binary |
                    {{base64}}
                headers:
                  Content-Encoding:
                  - gzip
                  Content-Type:
                  - application/json
                status:
                  code: 200
                  message: OK
            version: 1
            """);

        var exchange = Assert.Single(FixtureLoader.Load(path));

        Assert.Equal(json, exchange.Response.BodyText);
        Assert.Null(exchange.Request!.Body);
        Assert.Equal("/v1/models", exchange.Request.PathAndQuery);
    }

    [Fact]
    public void Load_CassetteWithoutInteractions_ThrowsInvalidData()
    {
        var error = Assert.Throws<InvalidDataException>(() => FixtureLoader.Load(Write("empty.yaml", "version: 1\n")));

        Assert.Contains("interactions", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ChunksFileWithInvalidLine_ThrowsInvalidDataNamingTheLine()
    {
        var error = Assert.Throws<InvalidDataException>(
            () => FixtureLoader.Load(Write("bad.chunks.txt", "{\"object\":\"chat.completion.chunk\"}\n{not json\n")));

        Assert.Contains("line 2", error.Message, StringComparison.Ordinal);
    }
}
