using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace StratumAI.Tests.LlmCall;

public sealed class LlmCallStreamingTests
{
    private static readonly List<ChatMessage> Messages = [new(ChatRole.User, "Tell a story.")];

    [Fact]
    public async Task StreamTextAsync_PrimaryFailsBeforeAnyText_StreamsTheFallbackAndSkipsEmptyUpdates()
    {
        using var chat = new ScriptedStreamingClient(new Dictionary<string, (string[] Texts, bool FailAfter)>
        {
            ["primary"] = ([string.Empty], true),
            ["backup"] = (["Once", string.Empty, " upon"], false),
        });

        var updates = await CollectAsync(LlmCallRunner.StreamTextAsync(chat, ["primary", "backup"], Messages, new ChatOptions { Temperature = 0.1f }, CancellationToken.None));

        Assert.Equal(["Once", " upon"], updates);
        Assert.Equal(["primary", "backup"], chat.ModelIds);
        Assert.All(chat.Temperatures, t => Assert.Equal(0.1f, t));
    }

    [Fact]
    public async Task StreamTextAsync_PrimaryFailsAfterTextReachedTheCaller_ThrowsWithoutFallingBack()
    {
        using var chat = new ScriptedStreamingClient(new Dictionary<string, (string[] Texts, bool FailAfter)>
        {
            ["primary"] = (["Once"], true),
            ["backup"] = (["Never"], false),
        });
        var received = new List<string>();

        await Assert.ThrowsAsync<StratumProviderUnavailableException>(async () =>
        {
            await foreach (var update in LlmCallRunner.StreamTextAsync(chat, ["primary", "backup"], Messages, null, CancellationToken.None))
            {
                received.Add(update);
            }
        });

        Assert.Equal(["Once"], received);
        Assert.Equal(["primary"], chat.ModelIds);
    }

    [Fact]
    public async Task StreamTextAsync_EveryModelFailsBeforeText_ThrowsListingEveryAttempt()
    {
        using var chat = new ScriptedStreamingClient(new Dictionary<string, (string[] Texts, bool FailAfter)>
        {
            ["primary"] = ([], true),
            ["backup"] = ([], true),
        });

        var ex = await Assert.ThrowsAsync<AllFallbacksFailedException>(() => CollectAsync(
            LlmCallRunner.StreamTextAsync(chat, ["primary", "backup"], Messages, null, CancellationToken.None)));

        Assert.Equal(["primary", "backup"], ex.Attempts.Select(a => a.ModelId).ToArray());
        Assert.All(ex.Attempts, a => Assert.IsType<StratumProviderUnavailableException>(a.Error));
    }

    [Fact]
    public async Task StreamTextAsync_SingleModelFails_ThrowsTheProviderErrorItself()
    {
        using var chat = new ScriptedStreamingClient(new Dictionary<string, (string[] Texts, bool FailAfter)> { ["primary"] = ([], true) });

        await Assert.ThrowsAsync<StratumProviderUnavailableException>(() => CollectAsync(
            LlmCallRunner.StreamTextAsync(chat, ["primary"], Messages, null, CancellationToken.None)));
    }

    [Fact]
    public void StreamTextAsync_NoModels_ThrowsArgumentExceptionAtOnce()
    {
        using var chat = new ScriptedStreamingClient([]);

        Assert.Throws<ArgumentException>(() => LlmCallRunner.StreamTextAsync(chat, [], Messages, null, CancellationToken.None));
    }

    private static async Task<List<string>> CollectAsync(IAsyncEnumerable<string> updates)
    {
        var list = new List<string>();
        await foreach (var update in updates)
        {
            list.Add(update);
        }

        return list;
    }

    /// <summary>Streams scripted text per model id, then optionally fails as an unavailable provider.</summary>
    private sealed class ScriptedStreamingClient(Dictionary<string, (string[] Texts, bool FailAfter)> script) : IChatClient
    {
        public List<string?> ModelIds { get; } = [];

        public List<float?> Temperatures { get; } = [];

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
            => throw new InvalidOperationException("A streaming [LlmCall] must not ask for a whole response.");

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            ModelIds.Add(options?.ModelId);
            Temperatures.Add(options?.Temperature);
            var (texts, failAfter) = script[options!.ModelId!];
            foreach (var text in texts)
            {
                await Task.Yield();
                yield return new ChatResponseUpdate(ChatRole.Assistant, text);
            }

            if (failAfter)
            {
                throw new StratumProviderUnavailableException("down") { ModelId = options.ModelId };
            }
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
