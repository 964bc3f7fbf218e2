using BenchmarkDotNet.Running;
using StratumAI.Benchmarks;

// dotnet run -c Release --project benchmarks/StratumAI.Benchmarks -- --filter '*'
// dotnet run -c Release --project benchmarks/StratumAI.Benchmarks -- load    (the load harness: LoadHarness.cs)
// dotnet run -c Release --project benchmarks/StratumAI.Benchmarks -- budgets (reservations per second at 1,000 callers: SharedBudgetHarness.cs)
return args switch
{
    ["load", .. var rest] => await LoadHarness.RunAsync(rest),
    ["serve"] => await LoadHarness.ServeAsync(),
    ["budgets", .. var rest] => await SharedBudgetHarness.RunAsync(rest),
    _ => Run(args),
};

static int Run(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    return 0;
}
