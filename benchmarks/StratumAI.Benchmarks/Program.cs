using BenchmarkDotNet.Running;
using StratumAI.Benchmarks;

// dotnet run -c Release --project benchmarks/StratumAI.Benchmarks -- --filter '*'
// dotnet run -c Release --project benchmarks/StratumAI.Benchmarks -- load    (the load harness: LoadHarness.cs)
return args switch
{
    ["load", .. var rest] => await LoadHarness.RunAsync(rest),
    ["serve"] => await LoadHarness.ServeAsync(),
    _ => Run(args),
};

static int Run(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    return 0;
}
