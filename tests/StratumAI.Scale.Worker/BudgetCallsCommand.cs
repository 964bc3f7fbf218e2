using System.Globalization;
using Microsoft.Extensions.AI;
using StackExchange.Redis;
using StratumAI.Postgres;
using StratumAI.Redis;

namespace StratumAI.Scale.Worker;

/// <summary>
/// <c>budget-calls</c>: one process of a fleet sharing a daily budget through Redis, calling a fake provider server and
/// recording every billed call in a PostgreSQL ledger. Runs <c>--concurrency</c> loops until <c>--calls</c> calls were
/// admitted or refused by the budget (a call refused because Redis is unreachable is retried after a pause, and does not
/// count). Prints <c>ready &lt;worst case&gt;</c>, then one line per call — <c>ok &lt;cost&gt;</c>, <c>refused</c>,
/// <c>unavailable &lt;message&gt;</c> — and <c>done</c> after the ledger was flushed.
/// </summary>
internal sealed class BudgetCallsCommand : IWorkerCommand
{
    public string Name => "budget-calls";

    public string Usage =>
        "--redis <configuration> --prefix <key prefix> --postgres <connection string> --schema <schema> --base-url <fake server /v1> "
        + "--limit <USD per day> --calls <n> --concurrency <n> [--lease-ms <ms>] [--timeout-ms <ms>] [--pause-ms <ms>] [--deadline-s <s>]";

    public async Task<int> RunAsync(string[] args, WorkerOutput output)
    {
        var arguments = new WorkerArguments(args);
        var redisOptions = ConfigurationOptions.Parse(arguments.Text("redis"));
        redisOptions.AbortOnConnectFail = false;
        redisOptions.BacklogPolicy = BacklogPolicy.FailFast;
        redisOptions.ReconnectRetryPolicy = new LinearRetry(250);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(redisOptions);
        await using var store = new RedisBudgetStore(redis, new RedisBudgetOptions
        {
            KeyPrefix = arguments.Text("prefix"),
            Lease = TimeSpan.FromMilliseconds(arguments.Int("lease-ms", 120_000)),
            OperationTimeout = TimeSpan.FromMilliseconds(arguments.Int("timeout-ms", 2_000)),
        });
        var budgets = new BudgetManager([BudgetPolicy.Daily(arguments.Decimal("limit"))], store);
        await using var ledger = new PostgresCostLedger(new PostgresCostLedgerOptions
        {
            ConnectionString = arguments.Text("postgres"),
            Schema = arguments.Text("schema"),
        });
        using var stratum = ScaleModels.ClientFor(new Uri(arguments.Text("base-url")));
        var tracker = new CostTracker();
        using var client = stratum.GetChatClient(ScaleModels.Nano(new Uri(arguments.Text("base-url"))))
            .AsBuilder()
            .UseStratumBudget(budgets)
            .UseStratumCostTracking(tracker, o => o.Ledger = ledger)
            .Build();
        var options = new ChatOptions { MaxOutputTokens = ScaleModels.MaxOutputTokens };
        var worstCase = client.GetService<BudgetChatClient>()!.Estimate([new ChatMessage(ChatRole.User, ScaleModels.Prompt)], options).Cost;
        output.Line(string.Create(CultureInfo.InvariantCulture, $"ready {worstCase}"));

        var remaining = arguments.Int("calls");
        var pause = TimeSpan.FromMilliseconds(arguments.Int("pause-ms", 0));
        var deadline = DateTime.UtcNow.AddSeconds(arguments.Int("deadline-s", 240));
        var loops = Enumerable.Range(0, arguments.Int("concurrency")).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Decrement(ref remaining) >= 0)
            {
                while (true)
                {
                    try
                    {
                        var response = await client.GetResponseAsync(ScaleModels.Prompt, options);
                        output.Line(string.Create(CultureInfo.InvariantCulture, $"ok {response.GetCost()!.Total}"));
                        break;
                    }
                    catch (BudgetExceededException)
                    {
                        output.Line("refused");
                        break;
                    }
                    catch (BudgetStoreUnavailableException ex) when (DateTime.UtcNow < deadline)
                    {
                        output.Line("unavailable " + ex.Message.ReplaceLineEndings(" "));
                        await Task.Delay(50);
                    }
                }

                if (pause > TimeSpan.Zero)
                {
                    await Task.Delay(pause);
                }
            }
        })).ToArray();
        await Task.WhenAll(loops);

        // Everything this process recorded is durable before it says so.
        await ledger.DisposeAsync();
        await store.DisposeAsync();
        output.Line(string.Create(CultureInfo.InvariantCulture, $"done {tracker.GetTotal().Calls} {tracker.GetTotal().Cost}"));
        return 0;
    }
}
