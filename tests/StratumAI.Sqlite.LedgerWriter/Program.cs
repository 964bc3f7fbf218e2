using System.Globalization;
using StratumAI;
using StratumAI.Sqlite;
using StratumAI.Sqlite.LedgerWriter;

// Usage: StratumAI.Sqlite.LedgerWriter <database> <first> <count>
// Appends the records numbered first .. first+count-1 (deterministic ids and contents, so a rerun replays the same records)
// and prints "committed <id>" after each append has completed, i.e. after its transaction committed.
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: StratumAI.Sqlite.LedgerWriter <database> <first> <count>");
    return 2;
}

var first = long.Parse(args[1], CultureInfo.InvariantCulture);
var count = long.Parse(args[2], CultureInfo.InvariantCulture);
await using var ledger = new SqliteCostLedger(args[0]);
for (var i = first; i < first + count; i++)
{
    var record = LedgerWriterRecords.For(i);
    await ledger.AppendAsync(record);
    Console.Out.WriteLine("committed " + record.Id.ToString("D"));
}

Console.Out.WriteLine("done");
return 0;
