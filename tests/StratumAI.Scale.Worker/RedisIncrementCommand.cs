using System.Globalization;
using StackExchange.Redis;

namespace StratumAI.Scale.Worker;

/// <summary>
/// <c>redis-incr &lt;configuration&gt; &lt;key&gt; &lt;times&gt;</c>: increments a Redis key that many times and prints
/// <c>value &lt;n&gt;</c> after each increment, then <c>done</c>. The smallest check that several worker processes reach one
/// Redis (and the template of a command).
/// </summary>
internal sealed class RedisIncrementCommand : IWorkerCommand
{
    public string Name => "redis-incr";

    public string Usage => "<configuration> <key> <times>";

    public async Task<int> RunAsync(string[] args, WorkerOutput output)
    {
        if (args.Length != 3)
        {
            Console.Error.WriteLine("usage: redis-incr " + Usage);
            return 2;
        }

        await using var redis = await ConnectionMultiplexer.ConnectAsync(args[0]);
        var database = redis.GetDatabase();
        var times = int.Parse(args[2], CultureInfo.InvariantCulture);
        for (var i = 0; i < times; i++)
        {
            var value = await database.StringIncrementAsync(args[1]);
            output.Line(string.Create(CultureInfo.InvariantCulture, $"value {value}"));
        }

        output.Line("done");
        return 0;
    }
}
