using System.Collections.Concurrent;
using System.Net;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace StratumAI.Tests.Resilience;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that reports every timer created on it (Polly's retry waits and timeouts are timers),
/// so a test can wait until a delay has been asked for, check how long it is, and then advance exactly that far.
/// </summary>
internal sealed class ObservedTime : FakeTimeProvider
{
    private readonly Channel<TimeSpan> _created = Channel.CreateUnbounded<TimeSpan>();
    private readonly ConcurrentQueue<TimeSpan> _all = new();

    public ObservedTime()
        : base(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero))
    {
    }

    /// <summary>Every finite due time asked for so far, in order.</summary>
    public IReadOnlyList<TimeSpan> DueTimes => _all.ToArray();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        // Reported only once the timer is scheduled: a test that advances the clock on the report must not race its creation.
        // Polly's timeouts create an idle timer and arm it later through Change (CancellationTokenSource.CancelAfter).
        var timer = new ObservedTimer(base.CreateTimer(callback, state, dueTime, period), this);
        Observe(dueTime);
        return timer;
    }

    private void Observe(TimeSpan dueTime)
    {
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            _all.Enqueue(dueTime);
            _created.Writer.TryWrite(dueTime);
        }
    }

    private sealed class ObservedTimer(ITimer inner, ObservedTime owner) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            var changed = inner.Change(dueTime, period);
            owner.Observe(dueTime);
            return changed;
        }

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    /// <summary>Waits (a real 10 s at most, as a guard against a hung test) until a timer matching <paramref name="match"/> is created.</summary>
    public async Task<TimeSpan> NextTimerAsync(Func<TimeSpan, bool> match)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var due = await _created.Reader.ReadAsync(guard.Token);
            if (match(due))
            {
                return due;
            }
        }
    }

    /// <summary>Waits for a timer of exactly <paramref name="due"/>.</summary>
    public Task<TimeSpan> TimerOfAsync(TimeSpan due) => NextTimerAsync(d => d == due);
}

/// <summary>An inner chat client that plays scripted outcomes in order and records the model of each call.</summary>
internal sealed class ScriptedChatClient : IChatClient
{
    private readonly ConcurrentQueue<Func<ChatOptions?, CancellationToken, Task<ChatResponse>>> _responses = new();
    private readonly ConcurrentQueue<Func<ChatOptions?, CancellationToken, IAsyncEnumerable<ChatResponseUpdate>>> _streams = new();
    private readonly ConcurrentQueue<string?> _models = new();

    /// <summary>The <see cref="ChatOptions.ModelId"/> of every call, in order.</summary>
    public IReadOnlyList<string?> Models => _models.ToArray();

    /// <summary>The options objects received, in order (to check that they were cloned).</summary>
    public ConcurrentQueue<ChatOptions?> Options { get; } = new();

    public int Calls => _models.Count;

    public ScriptedChatClient Then(Func<ChatOptions?, CancellationToken, Task<ChatResponse>> step)
    {
        _responses.Enqueue(step);
        return this;
    }

    public ScriptedChatClient ThenAnswer(string text = "ok") => Then((o, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, text)) { ModelId = o?.ModelId }));

    public ScriptedChatClient ThenThrow(Exception error) => Then((_, _) => Task.FromException<ChatResponse>(error));

    public ScriptedChatClient ThenStream(Func<ChatOptions?, CancellationToken, IAsyncEnumerable<ChatResponseUpdate>> stream)
    {
        _streams.Enqueue(stream);
        return this;
    }

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        _models.Enqueue(options?.ModelId);
        Options.Enqueue(options);
        return _responses.TryDequeue(out var step)
            ? step(options, cancellationToken)
            : throw new InvalidOperationException("The test scripted no more responses.");
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        _models.Enqueue(options?.ModelId);
        Options.Enqueue(options);
        return _streams.TryDequeue(out var step)
            ? step(options, cancellationToken)
            : throw new InvalidOperationException("The test scripted no more streams.");
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}

internal static class Scripted
{
    public static StratumRateLimitException RateLimited(TimeSpan? retryAfter = null, string model = "gpt-4o") =>
        new("rate limited") { StatusCode = HttpStatusCode.TooManyRequests, RetryAfter = retryAfter, ModelId = model, ProviderId = "openai" };

    public static StratumServerErrorException ServerError() => new("boom") { StatusCode = HttpStatusCode.InternalServerError };

    public static StratumProviderUnavailableException Unavailable() => new("overloaded") { StatusCode = (HttpStatusCode)529 };

    /// <summary>A stream of <paramref name="texts"/>, then <paramref name="failure"/> if given.</summary>
    public static async IAsyncEnumerable<ChatResponseUpdate> Stream(
        IEnumerable<string> texts,
        Exception? failure = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var text in texts)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, text);
        }

        if (failure is not null)
        {
            throw failure;
        }
    }

    /// <summary>A stream that fails before its first update.</summary>
    public static IAsyncEnumerable<ChatResponseUpdate> FailingStream(Exception failure) => Stream([], failure);

    /// <summary>A stream that never yields until cancelled.</summary>
    public static async IAsyncEnumerable<ChatResponseUpdate> HangingStream([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        yield break;
    }

    /// <summary>Drains a stream into its texts.</summary>
    public static async Task<List<string>> ReadAllAsync(IAsyncEnumerable<ChatResponseUpdate> stream, List<string>? into = null)
    {
        var texts = into ?? [];
        await foreach (var update in stream)
        {
            texts.Add(update.Text);
        }

        return texts;
    }
}
