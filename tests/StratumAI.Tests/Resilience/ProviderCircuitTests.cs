using Microsoft.Extensions.Time.Testing;
using Polly.CircuitBreaker;

namespace StratumAI.Tests.Resilience;

/// <summary>The lock-free breaker that replaced Polly's (issue 18): Polly's rules, checked one by one.</summary>
public sealed class ProviderCircuitTests
{
    private static readonly Exception Failure = new StratumProviderUnavailableException("503");

    private static (ProviderCircuit Circuit, FakeTimeProvider Time, List<TimeSpan> Opened) Create(double ratio = 0.5, int minimum = 4)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));
        var opened = new List<TimeSpan>();
        var circuit = new ProviderCircuit(ratio, minimum, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(20), time, (d, _) => { lock (opened) { opened.Add(d); } });
        return (circuit, time, opened);
    }

    private static void Call(ProviderCircuit circuit, bool fail)
    {
        Assert.Null(circuit.TryEnter(out var trial));
        circuit.Record(fail, trial, fail ? Failure : null);
    }

    [Fact]
    public void OpensOnlyWhenTheWindowHasTheMinimumThroughputAndTheFailureRatio()
    {
        var (circuit, _, opened) = Create(ratio: 0.5, minimum: 4);
        Call(circuit, fail: true);
        Call(circuit, fail: true);
        Call(circuit, fail: true);
        Assert.Equal(CircuitState.Closed, circuit.State); // 3 calls: under the minimum throughput

        Call(circuit, fail: false);
        Assert.Equal(CircuitState.Closed, circuit.State); // a success never opens it

        Call(circuit, fail: true);                         // 4 of 5 failed
        Assert.Equal(CircuitState.Open, circuit.State);
        Assert.Equal([TimeSpan.FromSeconds(20)], opened);
    }

    [Fact]
    public void FailuresOlderThanTheSamplingDuration_NoLongerCount()
    {
        var (circuit, time, _) = Create(ratio: 0.5, minimum: 4);
        for (var i = 0; i < 3; i++)
        {
            Call(circuit, fail: true);
        }

        time.Advance(TimeSpan.FromSeconds(31));
        Call(circuit, fail: true);
        Assert.Equal(CircuitState.Closed, circuit.State);
    }

    [Fact]
    public void Open_RefusesWithTheTimeLeft_ThenLetsExactlyOneTrialThrough_WhoseSuccessCloses()
    {
        var (circuit, time, _) = Create(minimum: 2);
        Call(circuit, fail: true);
        Call(circuit, fail: true);

        time.Advance(TimeSpan.FromSeconds(5));
        var refused = circuit.TryEnter(out _);
        Assert.IsType<BrokenCircuitException>(refused);
        Assert.Equal(TimeSpan.FromSeconds(15), refused!.RetryAfter);

        time.Advance(TimeSpan.FromSeconds(15));
        Assert.Null(circuit.TryEnter(out var trial));
        Assert.True(trial);
        Assert.Equal(CircuitState.HalfOpen, circuit.State);
        Assert.NotNull(circuit.TryEnter(out var second)); // one trial at a time
        Assert.False(second);

        circuit.Record(failed: false, isTrial: true, failure: null);
        Assert.Equal(CircuitState.Closed, circuit.State);
        Call(circuit, fail: true); // a fresh window: one failure does not reopen it
        Assert.Equal(CircuitState.Closed, circuit.State);
    }

    [Fact]
    public void AFailedTrial_OpensTheCircuitForAnotherBreak()
    {
        var (circuit, time, opened) = Create(minimum: 2);
        Call(circuit, fail: true);
        Call(circuit, fail: true);
        time.Advance(TimeSpan.FromSeconds(20));

        Assert.Null(circuit.TryEnter(out var trial));
        circuit.Record(failed: true, isTrial: trial, failure: Failure);

        Assert.Equal(CircuitState.Open, circuit.State);
        Assert.Equal(2, opened.Count);
        Assert.Equal(TimeSpan.FromSeconds(20), circuit.TryEnter(out _)!.RetryAfter);
    }

    [Fact]
    public void ConcurrentCalls_SuccessesNeverOpenIt_AndConcurrentFailuresOpenItOnce()
    {
        var (healthy, _, neverOpened) = Create(minimum: 10);
        Parallel.For(0, 20_000, new ParallelOptions { MaxDegreeOfParallelism = 16 }, i => Call(healthy, fail: i % 4 == 0));
        Assert.Equal(CircuitState.Closed, healthy.State);
        Assert.Empty(neverOpened);

        var (failing, _, opened) = Create(minimum: 10);
        Parallel.For(0, 20_000, new ParallelOptions { MaxDegreeOfParallelism = 16 }, _ =>
        {
            if (failing.TryEnter(out var trial) is null)
            {
                failing.Record(true, trial, Failure);
            }
        });
        Assert.Equal(CircuitState.Open, failing.State);
        Assert.Single(opened);
    }

    [Fact]
    public void InvalidSettings_AreRefusedWhenTheClientIsBuilt()
    {
        var time = TimeProvider.System;
        Assert.Throws<ArgumentException>(() => new ProviderCircuit(0, 10, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), time, null));
        Assert.Throws<ArgumentException>(() => new ProviderCircuit(0.5, 1, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), time, null));
        Assert.Throws<ArgumentException>(() => new ProviderCircuit(0.5, 10, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(30), time, null));
        Assert.Throws<ArgumentException>(() => new ProviderCircuit(0.5, 10, TimeSpan.FromSeconds(30), TimeSpan.FromDays(2), time, null));
    }
}
