using System.Globalization;
using StratumAI.Postgres;

namespace StratumAI.Scale.Worker;

/// <summary>
/// <c>pg-ledger-append &lt;connection string&gt; &lt;schema&gt; &lt;worker&gt; &lt;count&gt; &lt;replay-of&gt;</c>: appends
/// <c>count</c> records of this worker (16 at a time, like concurrent calls) to a <see cref="PostgresCostLedger"/>, and
/// appends again the first 50 records of worker <c>replay-of</c> (which that worker appends too, from its own process);
/// prints <c>done &lt;count&gt;</c>. The records are the same in every process (<see cref="Record"/>), so a test can
/// compute what the ledger must hold.
/// </summary>
internal sealed class PostgresLedgerAppendCommand : IWorkerCommand
{
    public string Name => "pg-ledger-append";

    public string Usage => "<connection string> <schema> <worker> <count> <replay-of>";

    /// <summary>Record <paramref name="i"/> of worker <paramref name="worker"/>: id, time and cost depend only on both.</summary>
    public static CostRecord Record(int worker, int i) => new()
    {
        Id = new Guid(worker, 0x5354, 0x4c47, BitConverter.GetBytes((long)i)),
        Timestamp = new DateTimeOffset(2026, 11, 24, 0, 0, 0, TimeSpan.Zero).AddSeconds((worker * 1000) + i),
        ProviderId = "openai",
        ModelId = "gpt-4o",
        Caller = "worker-" + worker.ToString(CultureInfo.InvariantCulture),
        Tags = ["scale"],
        InputTokens = 100,
        OutputTokens = 10,
        HasUsage = true,
        Cost = new CallCost(0.0000025m * (i + 1), 0m, 0m, 0.00001m, 0m),
    };

    public async Task<int> RunAsync(string[] args, WorkerOutput output)
    {
        if (args.Length != 5)
        {
            Console.Error.WriteLine("usage: pg-ledger-append " + Usage);
            return 2;
        }

        var worker = int.Parse(args[2], CultureInfo.InvariantCulture);
        var count = int.Parse(args[3], CultureInfo.InvariantCulture);
        var replayOf = int.Parse(args[4], CultureInfo.InvariantCulture);
        await using var ledger = new PostgresCostLedger(new PostgresCostLedgerOptions { ConnectionString = args[0], Schema = args[1] });

        var records = Enumerable.Range(0, count).Select(i => Record(worker, i))
            .Concat(Enumerable.Range(0, Math.Min(50, count)).Select(i => Record(replayOf, i)))
            .ToArray();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < records.Length; i = Interlocked.Increment(ref next))
            {
                await ledger.AppendAsync(records[i]);
            }
        })));

        output.Line(string.Create(CultureInfo.InvariantCulture, $"done {records.Length}"));
        return 0;
    }
}
