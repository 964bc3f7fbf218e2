using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace StratumAI.Tests.Budgets;

/// <summary>
/// A chat client without sockets for budget tests: each call's outcome comes from <see cref="Script"/>, given the call's
/// number; it counts the calls that reached it. It attaches no cost, so middleware prices usage from <see cref="Model"/>.
/// </summary>
internal sealed class ScriptedChatClient(ModelInfo? model) : IChatClient
{
    private int _calls;

    public ModelInfo? Model { get; } = model;

    /// <summary>The outcome of call number n (from 0). Default: 100 input and 10 output tokens.</summary>
    public Func<int, Outcome> Script { get; init; } = _ => new Outcome(new UsageDetails { InputTokenCount = 100, OutputTokenCount = 10 });

    /// <summary>How many calls reached this client.</summary>
    public int Calls => Volatile.Read(ref _calls);

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var outcome = Script(Interlocked.Increment(ref _calls) - 1);
        await Task.Yield();
        if (outcome.Error is not null)
        {
            throw outcome.Error;
        }

        var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")) { Usage = outcome.Usage };
        if (outcome.CacheHit)
        {
            response.AdditionalProperties = new() { [StratumUsageKeys.CacheHit] = true };
        }

        return response;
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var outcome = Script(Interlocked.Increment(ref _calls) - 1);
        for (var i = 0; i < outcome.Updates; i++)
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, "part " + i);
        }

        if (outcome.Error is not null)
        {
            throw outcome.Error;
        }

        if (outcome.Usage is not null)
        {
            yield return new ChatResponseUpdate { Contents = [new UsageContent(outcome.Usage)] };
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(ModelInfo) ? Model : serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }

    /// <summary>What one call does: its usage (null for none), an error thrown after <see cref="Updates"/> stream updates.</summary>
    public sealed record Outcome(UsageDetails? Usage, Exception? Error = null, int Updates = 2, bool CacheHit = false);
}
