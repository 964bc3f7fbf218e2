namespace StratumAI.Tests.Errors;

public sealed class SecretRedactorTests
{
    // Not shaped like a well-known key, so only the configured-key rule can find it.
    private const string Key = "Zq81mPx7/Kc3vN0t+Wy5bHd2=";

    [Theory]
    [InlineData("exact", Key)]
    [InlineData("upper case", "ZQ81MPX7/KC3VN0T+WY5BHD2=")]
    [InlineData("lower case", "zq81mpx7/kc3vn0t+wy5bhd2=")]
    [InlineData("URL-encoded (RFC 3986)", "Zq81mPx7%2FKc3vN0t%2BWy5bHd2%3D")]
    [InlineData("URL-encoded, lower-case hex", "Zq81mPx7%2fKc3vN0t%2bWy5bHd2%3d")]
    [InlineData("first 12 characters", "Zq81mPx7/Kc3")]
    [InlineData("last 12 characters", "N0t+Wy5bHd2=")]
    [InlineData("a 14-character middle run", "mPx7/Kc3vN0t+W")]
    public void EchoOfTheConfiguredKey_IsReplacedWholly(string form, string echo)
    {
        var redactor = new SecretRedactor(Key);
        var text = $"upstream said: {echo} (end)";

        var redacted = redactor.Redact(text)!;

        Assert.True(redacted == "upstream said: *** (end)", $"{form}: {redacted}");
    }

    [Fact]
    public void JsonEscapedEchoOfTheKey_IsReplaced()
    {
        var redactor = new SecretRedactor(Key);

        Assert.Equal("echo ***", redactor.Redact("echo " + System.Text.Json.JsonEncodedText.Encode(Key).Value));
        Assert.Equal("echo ***", redactor.Redact("echo " + Key.Replace("/", "\\/", StringComparison.Ordinal)));
    }

    [Fact]
    public void RunShorterThanTheMinimum_IsKept_AsProvidersShowTheLastFourCharacters()
    {
        var redactor = new SecretRedactor(Key);

        Assert.Equal("Incorrect API key provided: Zq81****Hd2=.", redactor.Redact("Incorrect API key provided: Zq81****Hd2=."));
        var elevenCharacters = "a run 0t+Wy5bHd2= of the key";
        Assert.Same(elevenCharacters, redactor.Redact(elevenCharacters));
    }

    [Fact]
    public void TextWithoutSecrets_IsReturnedAsTheSameInstance()
    {
        var redactor = new SecretRedactor(Key);
        var text = "The model `gpt-9` does not exist or you do not have access to it.";

        Assert.Same(text, redactor.Redact(text));
        Assert.False(redactor.Reveals(text));
        Assert.Null(redactor.Redact(null));
    }

    [Theory]
    [InlineData("sk-proj-AbCdEfGhIjKlMnOpQrStUvWx1234", "***")]
    [InlineData("sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWx-1234", "***")]
    [InlineData("sk-or-v1-0123456789abcdef0123456789abcdef", "***")]
    [InlineData("AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW", "***")]
    [InlineData("gsk_AbCdEfGhIjKlMnOpQrStUvWx1234", "***")]
    [InlineData("xai-AbCdEfGhIjKlMnOpQrStUvWx1234", "***")]
    [InlineData("Authorization: Bearer some.opaque-token/123=", "Authorization: Bearer ***")]
    [InlineData("authorization: bearer abcdefgh12345678", "authorization: bearer ***")]
    [InlineData("SK-PROJ-ABCDEFGHIJKLMNOPQRSTUVWX1234", "***")]
    public void KeyShapedText_IsRedacted_WhoeverItBelongsTo(string text, string expected)
    {
        Assert.Equal(expected, SecretRedactor.KeyShapedOnly.Redact(text));
        Assert.Equal(expected, new SecretRedactor(Key).Redact(text));
    }

    [Theory]
    [InlineData("task-0123456789abcdefghijklmnop")]
    [InlineData("disk-0123456789abcdefghijklmnop")]
    [InlineData("sk-short")]
    [InlineData("invalid_request_error")]
    [InlineData("req_011CVz3qQ8xq7N2Jm4Yk1Xfa")]
    [InlineData("chatcmpl-B9MHDbslfbjfi4ovWZyQ0xFm3yAGs")]
    [InlineData("Bearer token missing")]
    public void OrdinaryProviderText_IsLeftAlone(string text)
    {
        Assert.Same(text, SecretRedactor.KeyShapedOnly.Redact(text));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("x")]
    [InlineData("abc")]
    public void PlaceholderKey_IsNotSearchedFor(string? key)
    {
        var text = "a bad request: x, abc and more";

        Assert.Same(text, new SecretRedactor(key).Redact(text));
    }

    [Fact]
    public void ShortKey_IsRedactedOnlyWhole()
    {
        var redactor = new SecretRedactor("ollama");

        Assert.Equal("key *** refused", redactor.Redact("key OLLAMA refused"));
        Assert.Equal("key olla refused", redactor.Redact("key olla refused"));
    }

    [Fact]
    public void SnippetIsRedactedBeforeItIsCut_SoTheCutCannotSplitTheKeyPastTheSearch()
    {
        var redactor = new SecretRedactor(Key);
        var text = new string('a', 190) + Key + " tail";

        var snippet = redactor.Snippet(text, 200);

        Assert.Equal(new string('a', 190) + "*** tail", snippet);
    }

    [Fact]
    public void InnerExceptionQuotingTheKey_IsDropped_OthersAreKept()
    {
        var redactor = new SecretRedactor(Key);
        var quoting = new FormatException("unexpected token " + Key);
        var clean = new FormatException("unexpected end of data");

        Assert.Null(redactor.KeepIfClean(quoting));
        Assert.Same(clean, redactor.KeepIfClean(clean));
    }

    [Fact]
    public void HostileInput_IsHandledInOnePass()
    {
        // Long runs that would make a backtracking pattern quadratic: they finish, and every key-shaped run is hidden.
        var redactor = new SecretRedactor(Key);
        var text = "Bearer " + new string(' ', 10) + string.Concat(Enumerable.Repeat("sk-", 50_000)) + new string(' ', 200_000) + "bearer";

        var redacted = redactor.Redact(text)!;

        Assert.StartsWith("Bearer ", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-sk-", redacted, StringComparison.Ordinal);
    }
}
