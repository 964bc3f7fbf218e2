using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/StratumAI.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
