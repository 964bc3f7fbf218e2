using System.Text;
using System.Text.Json;
using StratumAI.Dialects;

namespace StratumAI.Tests.Dialects;

public sealed class RepeatedStringConverterTests
{
    private static string? Read(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        reader.Read();
        return new RepeatedStringConverter().Read(ref reader, typeof(string), JsonSerializerOptions.Default);
    }

    [Fact]
    public void AValueReadAgain_IsTheSameInstance()
    {
        var first = Read("\"chatcmpl-repeat-1\"");
        var second = Read("\"chatcmpl-repeat-1\"");

        Assert.Equal("chatcmpl-repeat-1", second);
        Assert.Same(first, second);
    }

    [Fact]
    public void ADifferentValue_IsReadAnew()
    {
        var first = Read("\"gpt-4o-mini-2024-07-18\"");
        var second = Read("\"gpt-4o-mini-2024-07-19\"");

        Assert.Equal("gpt-4o-mini-2024-07-19", second);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void AnEscapedValue_MatchesItsUnescapedText()
    {
        var plain = Read("\"tier/é\"");
        var escaped = Read("\"tier\\/\\u00e9\"");

        Assert.Same(plain, escaped);
    }

    [Fact]
    public void ALongValue_IsNotCachedButReadCorrectly()
    {
        var text = new string('x', 500);

        var first = Read($"\"{text}\"");
        var second = Read($"\"{text}\"");

        Assert.Equal(text, second);
        Assert.NotSame(first, second);
    }

    [Fact]
    public void ANonStringToken_IsAJsonError()
    {
        Assert.Throws<JsonException>(() => Read("42"));
    }

    [Fact]
    public void FiveAlternatingValues_AreAllReadCorrectly()
    {
        string[] values = ["a1", "b2", "c3", "d4", "e5", "a1", "c3", "e5"];

        var read = values.Select(v => Read($"\"{v}\"")).ToArray();

        Assert.Equal(values, read);
    }
}
