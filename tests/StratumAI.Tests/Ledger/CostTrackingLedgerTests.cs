using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using StratumAI.Testing;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.Ledger;

public sealed class CostTrackingLedgerTests
{
    private const string TextFixture = "openai/chat__vercel-ai-openai__openai-text.json";
    private const string StreamFixture = "openai/stream__vercel-ai-openai__openai-text.chunks.txt";

    private static ModelInfo Nano(FakeProviderServer server) => Model("gpt-4.1-nano", Provider("openai", server.V1()), Gpt41NanoPricing);

    [Fact]
    public async Task RecordedResponsesAndStream_EveryTrackerRecordIsInTheLedgerWhenTheCallReturns()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(TextFixture));
        server.EnqueueFixture(Fixture(StreamFixture));
        using var stratum = ClientFor(server, "openai");
        var tracker = new CostTracker();
        var ledger = new InMemoryCostLedger();
        using var client = stratum.GetChatClient(Nano(server)).AsBuilder().UseStratumCostTracking(tracker, o => o.Ledger = ledger).Build();

        await client.GetResponseAsync("hi");
        Assert.Equal(1, ledger.Count);
        await foreach (var update in client.GetStreamingResponseAsync("hi"))
        {
            Assert.Equal(1, ledger.Count);
        }

        Assert.Equal(2, ledger.Count);
        Assert.Equal(tracker.History.Select(r => r.Id), (await ledger.GetRecordsAsync()).Select(r => r.Id));

        // gpt-4.1-nano: 0.0001468 for the response + 0.0001216 for the stream (see CostTrackingTests).
        Assert.Equal(0.0002684m, (await ledger.GetTotalAsync()).Cost);
        Assert.Equal(tracker.GetTotal(), await ledger.GetTotalAsync());
    }

    [Fact]
    public async Task SlowLedger_TheCallDoesNotReturnBeforeTheAppendCompletes()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(TextFixture));
        using var stratum = ClientFor(server, "openai");
        var ledger = new GatedLedger();
        using var client = stratum.GetChatClient(Nano(server)).AsBuilder().UseStratumCostTracking(new CostTracker(), o => o.Ledger = ledger).Build();

        var call = client.GetResponseAsync("hi");
        var appending = await ledger.Started.Task;

        Assert.False(call.IsCompleted);
        Assert.Equal(0, ledger.Inner.Count);
        ledger.Release.SetResult();
        await call;
        Assert.Equal(appending.Id, Assert.Single(await ledger.Inner.GetRecordsAsync()).Id);
    }

    [Fact]
    public async Task SlowLedger_AStreamDoesNotReportItsEndBeforeTheAppendCompletes()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(StreamFixture));
        using var stratum = ClientFor(server, "openai");
        var ledger = new GatedLedger();
        using var client = stratum.GetChatClient(Nano(server)).AsBuilder().UseStratumCostTracking(new CostTracker(), o => o.Ledger = ledger).Build();
        await using var stream = client.GetStreamingResponseAsync("hi").GetAsyncEnumerator();

        var end = Task.CompletedTask;
        while (true)
        {
            var next = stream.MoveNextAsync().AsTask();
            if (ledger.Started.Task.IsCompleted || await Task.WhenAny(next, ledger.Started.Task) == ledger.Started.Task)
            {
                end = next;
                break;
            }

            Assert.True(await next, "the stream ended before its record was appended");
        }

        Assert.False(end.IsCompleted);
        ledger.Release.SetResult();
        Assert.False(await (Task<bool>)end);
        Assert.Equal(1, ledger.Inner.Count);
    }

    [Fact]
    public async Task CallersCancellation_IsNotPassedToTheAppendOfABilledCall()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(TextFixture));
        using var stratum = ClientFor(server, "openai");
        var ledger = new GatedLedger();
        ledger.Release.SetResult();
        using var client = stratum.GetChatClient(Nano(server)).AsBuilder().UseStratumCostTracking(new CostTracker(), o => o.Ledger = ledger).Build();
        using var cts = new CancellationTokenSource();

        await client.GetResponseAsync("hi", cancellationToken: cts.Token);

        Assert.False(ledger.LastToken.CanBeCanceled);
        Assert.Equal(1, ledger.Inner.Count);
    }

    [Fact]
    public async Task FailingLedger_ThrowsCostLedgerExceptionWithTheRecordAndTheResponse_AndTheTrackerKeepsTheRecord()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(TextFixture));
        using var stratum = ClientFor(server, "openai");
        var tracker = new CostTracker();
        var failure = new IOException("disk full");
        using var client = stratum.GetChatClient(Nano(server)).AsBuilder().UseStratumCostTracking(tracker, o => o.Ledger = new FailingLedger(failure)).Build();

        var ex = await Assert.ThrowsAsync<CostLedgerException>(() => client.GetResponseAsync("hi"));

        Assert.Same(failure, ex.InnerException);
        var record = Assert.Single(tracker.History);
        Assert.Same(record, ex.Record);
        Assert.Equal(0.0001468m, ex.Record!.Total);
        Assert.NotNull(ex.Response);
        Assert.Equal(363, ex.Response!.Usage!.OutputTokenCount);
        Assert.Null(ex.CallException);
        Assert.Contains(record.Id.ToString("D"), ex.Message, StringComparison.Ordinal);
        Assert.IsNotAssignableFrom<StratumException>(ex);
    }

    [Fact]
    public async Task FailingLedger_OnAFinishedStream_SurfacesFromTheEnumeration()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(StreamFixture));
        using var stratum = ClientFor(server, "openai");
        var tracker = new CostTracker();
        using var client = stratum.GetChatClient(Nano(server)).AsBuilder().UseStratumCostTracking(tracker, o => o.Ledger = new FailingLedger(new IOException("disk full"))).Build();
        var updates = 0;

        var ex = await Assert.ThrowsAsync<CostLedgerException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("hi"))
            {
                updates++;
            }
        });

        Assert.True(updates > 0);
        Assert.Equal(CostOutcome.Succeeded, ex.Record!.Outcome);
        Assert.Equal(0.0001216m, ex.Record.Total);
        Assert.Same(ex.Record, Assert.Single(tracker.History));
    }

    [Fact]
    public async Task FailedCallWithBilledUsage_IsInTheLedgerAndTheCallsExceptionSurfacesUnchanged()
    {
        var usage = new UsageDetails { InputTokenCount = 4_000, OutputTokenCount = 100 };
        var callError = new StratumProviderUnavailableException("cut") { UsageSoFar = usage };
        var ledger = new InMemoryCostLedger();
        using var client = new ThrowingChatClient(Model("gpt-4o", Provider("openai"), Gpt4oPricing), callError)
            .AsBuilder().UseStratumCostTracking(new CostTracker(), o => o.Ledger = ledger).Build();

        Assert.Same(callError, await Assert.ThrowsAsync<StratumProviderUnavailableException>(() => client.GetResponseAsync("hi")));
        Assert.Same(callError, await Assert.ThrowsAsync<StratumProviderUnavailableException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("hi"))
            {
                Assert.NotNull(update);
            }
        }));

        // gpt-4o: 4,000 × $2.50/1M + 100 × $10/1M = 0.01 + 0.001, once per call.
        var records = await ledger.GetRecordsAsync();
        Assert.Equal(2, records.Count);
        Assert.All(records, r => Assert.Equal(CostOutcome.Failed, r.Outcome));
        Assert.Equal(0.022m, (await ledger.GetTotalAsync()).Cost);
    }

    [Fact]
    public async Task FailedCallWithUsage_AndAFailingLedger_CarriesTheCallsOwnException()
    {
        var usage = new UsageDetails { InputTokenCount = 2_000, OutputTokenCount = 0 };
        var callError = new StratumServerErrorException("boom") { UsageSoFar = usage, ModelId = "gpt-4o" };
        var model = Model("gpt-4o", Provider("openai"), Gpt4oPricing);
        using var client = new ThrowingChatClient(model, callError).AsBuilder().UseStratumCostTracking(new CostTracker(), o => o.Ledger = new FailingLedger(new IOException("locked"))).Build();

        var ex = await Assert.ThrowsAsync<CostLedgerException>(() => client.GetResponseAsync("hi"));

        Assert.Same(callError, ex.CallException);
        Assert.Null(ex.Response);
        Assert.Equal(CostOutcome.Failed, ex.Record!.Outcome);

        // gpt-4o: 2,000 × $2.50/1M.
        Assert.Equal(0.005m, ex.Record.Total);
    }

    [Fact]
    public async Task AbandonedStream_IsInTheLedgerOnceDisposed()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(StreamFixture));
        using var stratum = ClientFor(server, "openai");
        var ledger = new InMemoryCostLedger();
        using var client = stratum.GetChatClient(Nano(server)).AsBuilder().UseStratumCostTracking(new CostTracker(), o => o.Ledger = ledger).Build();

        await foreach (var update in client.GetStreamingResponseAsync("hi"))
        {
            break;
        }

        Assert.Equal(CostOutcome.Abandoned, Assert.Single(await ledger.GetRecordsAsync()).Outcome);
    }

    [Fact]
    public async Task ThrowingRecordedHandler_StillLetsTheRecordReachTheLedger()
    {
        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(Fixture(TextFixture));
        using var stratum = ClientFor(server, "openai");
        var tracker = new CostTracker();
        tracker.Recorded += (_, _) => throw new InvalidOperationException("handler");
        var ledger = new InMemoryCostLedger();
        using var client = stratum.GetChatClient(Nano(server)).AsBuilder().UseStratumCostTracking(tracker, o => o.Ledger = ledger).Build();

        await Assert.ThrowsAsync<InvalidOperationException>(() => client.GetResponseAsync("hi"));

        Assert.Equal(Assert.Single(tracker.History).Id, Assert.Single(await ledger.GetRecordsAsync()).Id);
    }

    [Fact]
    public void Constructor_WithoutATracker_Throws_AndWithoutALedger_RecordsInTheTrackerAlone()
    {
        using var inner = new ThrowingChatClient(Model("gpt-4o", Provider("openai"), Gpt4oPricing), new StratumException("unused"));

        Assert.Throws<ArgumentNullException>(() => new CostTrackingChatClient(inner, null!));
        Assert.Throws<ArgumentNullException>(() => inner.AsBuilder().UseStratumCostTracking((CostTracker)null!));
        using var client = new CostTrackingChatClient(inner, new CostTracker());
        Assert.Null(client.Options.Ledger);
    }

    /// <summary>Holds every append until released; records what it was asked.</summary>
    private sealed class GatedLedger : ICostLedger
    {
        public InMemoryCostLedger Inner { get; } = new();

        public TaskCompletionSource<CostRecord> Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationToken LastToken { get; private set; }

        public async ValueTask AppendAsync(CostRecord record, CancellationToken cancellationToken = default)
        {
            LastToken = cancellationToken;
            Started.TrySetResult(record);
            await Release.Task;
            await Inner.AppendAsync(record, cancellationToken);
        }

        public ValueTask<IReadOnlyList<CostRecord>> GetRecordsAsync(DateTimeOffset? since = null, DateTimeOffset? until = null, CancellationToken cancellationToken = default) =>
            Inner.GetRecordsAsync(since, until, cancellationToken);

        public ValueTask<CostTotals> GetTotalAsync(DateTimeOffset? since = null, DateTimeOffset? until = null, CancellationToken cancellationToken = default) =>
            Inner.GetTotalAsync(since, until, cancellationToken);

        public ValueTask<IReadOnlyDictionary<string, CostTotals>> GetTotalsAsync(CostGrouping groupBy, DateTimeOffset? since = null, DateTimeOffset? until = null, CancellationToken cancellationToken = default) =>
            Inner.GetTotalsAsync(groupBy, since, until, cancellationToken);
    }

    private sealed class FailingLedger(Exception failure) : ICostLedger
    {
        public ValueTask AppendAsync(CostRecord record, CancellationToken cancellationToken = default) => ValueTask.FromException(failure);

        public ValueTask<IReadOnlyList<CostRecord>> GetRecordsAsync(DateTimeOffset? since = null, DateTimeOffset? until = null, CancellationToken cancellationToken = default) =>
            ValueTask.FromException<IReadOnlyList<CostRecord>>(failure);

        public ValueTask<CostTotals> GetTotalAsync(DateTimeOffset? since = null, DateTimeOffset? until = null, CancellationToken cancellationToken = default) =>
            ValueTask.FromException<CostTotals>(failure);

        public ValueTask<IReadOnlyDictionary<string, CostTotals>> GetTotalsAsync(CostGrouping groupBy, DateTimeOffset? since = null, DateTimeOffset? until = null, CancellationToken cancellationToken = default) =>
            ValueTask.FromException<IReadOnlyDictionary<string, CostTotals>>(failure);
    }

    /// <summary>A model client whose every call fails with a given exception (a provider error that carries billed usage).</summary>
    private sealed class ThrowingChatClient(ModelInfo model, Exception error) : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromException<ChatResponse>(error);

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            if (error is not null)
            {
                throw error;
            }

            yield break;
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => serviceType == typeof(ModelInfo) ? model : null;

        public void Dispose()
        {
            // Nothing to release.
        }
    }
}
