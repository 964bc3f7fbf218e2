using System.Globalization;
using System.IO.Compression;
using StratumAI.Testing;

namespace StratumAI.EndToEnd.Tests;

/// <summary>
/// Packs StratumAI once, then builds fresh console projects against the package from a local
/// folder feed — the path a user takes with `dotnet add package StratumAI`.
/// </summary>
public sealed class PackageFixture : IAsyncLifetime
{
    public string WorkDir { get; } = Path.Combine(Path.GetTempPath(), "stratum-e2e-" + Guid.NewGuid().ToString("N")[..8]);

    public string Feed => Path.Combine(WorkDir, "feed");

    // A version no earlier run used, so NuGet's global cache never serves a stale package.
    public string Version { get; } = "0.1.0-e2e." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);

    public string PackageFile => Path.Combine(Feed, $"StratumAI.{Version}.nupkg");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Feed);
        var project = Path.Combine(RepoPaths.Root, "src", "StratumAI", "StratumAI.csproj");
        var result = await ProcessRunner.RunAsync(
            "dotnet", $"pack \"{project}\" -c Release -o \"{Feed}\" -p:Version={Version}", RepoPaths.Root, timeout: TimeSpan.FromMinutes(8));
        Assert.True(result.ExitCode == 0, "dotnet pack failed:\n" + result);
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(WorkDir, recursive: true);
        }
        catch (IOException)
        {
            // A consumer build server may still hold a file; the temp folder is cleaned by the OS.
        }

        return Task.CompletedTask;
    }

    /// <summary>Copies the consumer template into a new folder wired to the local feed.</summary>
    /// <param name="name">The project's name and folder.</param>
    /// <param name="modelsYaml">The consumer's own catalog file, or null for the template's.</param>
    /// <param name="program">The template file copied as the consumer's Program.cs.</param>
    public string CreateConsumer(string name, string? modelsYaml = null, string program = "Program.cs")
    {
        var dir = Path.Combine(WorkDir, name);
        Directory.CreateDirectory(dir);
        var template = Path.Combine(AppContext.BaseDirectory, "Consumer");
        File.WriteAllText(
            Path.Combine(dir, name + ".csproj"),
            File.ReadAllText(Path.Combine(template, "Consumer.csproj.template")).Replace("$STRATUM_VERSION$", Version, StringComparison.Ordinal));
        File.Copy(Path.Combine(template, program), Path.Combine(dir, "Program.cs"));
        File.WriteAllText(Path.Combine(dir, "models.yaml"), modelsYaml ?? File.ReadAllText(Path.Combine(template, "models.yaml")));
        // Only the local feed: StratumAI comes from it, and its dependencies are already in the global packages folder,
        // restored with the solution. No package source on the network is asked, so the test reaches no remote host.
        File.WriteAllText(Path.Combine(dir, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="stratum-local" value="{Feed}" />
              </packageSources>
            </configuration>
            """);
        return dir;
    }
}

public sealed partial class PackagedConsumerTests(PackageFixture package) : IClassFixture<PackageFixture>
{
    [Fact]
    public void Package_HoldsRuntimeGeneratorDependenciesCatalogAndBuildFiles()
    {
        using var zip = ZipFile.OpenRead(package.PackageFile);
        var entries = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);

        Assert.Contains("lib/net8.0/StratumAI.dll", entries);
        Assert.Contains("lib/net10.0/StratumAI.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/StratumAI.Generator.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/StratumAI.Catalog.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/YamlDotNet.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/StratumAI.Analyzers.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/StratumAI.Analyzers.CodeFixes.dll", entries);
        // Code fixes need Workspaces, which the IDE supplies; a copy in the package would clash with it.
        Assert.DoesNotContain(entries, e => e.StartsWith("analyzers/dotnet/cs/Microsoft.CodeAnalysis.Workspaces", StringComparison.Ordinal));
        Assert.Contains("buildTransitive/StratumAI.props", entries);
        Assert.Contains("buildTransitive/StratumAI.targets", entries);
        Assert.Contains("catalog/openai.yaml", entries);
        Assert.Contains("catalog/anthropic.yaml", entries);
        // The compiler brings Roslyn; shipping our own copy would break loading in other hosts.
        Assert.DoesNotContain(entries, e => e.StartsWith("analyzers/dotnet/cs/Microsoft.CodeAnalysis", StringComparison.Ordinal));
    }

    [Fact]
    public void Package_HasItsReadmeAndRepository()
    {
        using var zip = ZipFile.OpenRead(package.PackageFile);
        var nuspec = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using var reader = new StreamReader(nuspec.Open());
        var text = reader.ReadToEnd();

        // nuget.org shows the readme on the package page; without it the page is empty.
        Assert.Contains("<readme>README.md</readme>", text, StringComparison.Ordinal);
        Assert.Contains(zip.Entries, e => e.FullName == "README.md" && e.Length > 0);
        Assert.Contains("<repository type=\"git\" url=\"https://github.com/stratum-ai/stratumai\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FreshConsumer_BuildsAgainstPackage_AndRunsAgainstFakeServer()
    {
        var dir = package.CreateConsumer("GoodConsumer");
        var build = await ProcessRunner.RunAsync("dotnet", "build -c Release", dir, timeout: TimeSpan.FromMinutes(6));
        Assert.True(build.ExitCode == 0, "consumer build failed:\n" + build);
        // Its [LlmCall] has no fallback: reported, as a warning by default.
        Assert.Matches(@"Program\.cs\(27,\d+\): warning STRAT108", build.Output);

        await using var server = await FakeProviderServer.StartAsync();
        server.EnqueueFixture(RepoPaths.Fixture("openai", "chat__pydantic-ai__test_openai_instructions.yaml"));
        server.EnqueueFixture(RepoPaths.Fixture("openai", "chat__pydantic-ai__test_openai_instructions.yaml"));
        server.EnqueueFixture(RepoPaths.Fixture("openai", "chat__pydantic-ai__test_openai_instructions.yaml"));

        var run = await ProcessRunner.RunAsync(
            "dotnet", "run -c Release --no-build", dir,
            new Dictionary<string, string> { ["FAKE_BASE_URL"] = server.BaseUri.ToString() },
            TimeSpan.FromMinutes(2));
        Assert.True(run.ExitCode == 0, "consumer run failed:\n" + run);

        Assert.Contains("LLMCALL: The capital of France is Paris.", run.Output, StringComparison.Ordinal);
        Assert.Contains("ACME: The capital of France is Paris.", run.Output, StringComparison.Ordinal);
        Assert.Contains("ACME-MODEL: acme-chat-1 acme", run.Output, StringComparison.Ordinal);
        // 24 input tokens at $0.40/M + 8 output tokens at $1.60/M, exactly.
        Assert.Contains("ACME-COST: 0.0000224", run.Output, StringComparison.Ordinal);
        Assert.Contains("DIRECT: The capital of France is Paris. | gpt-4o-mini", run.Output, StringComparison.Ordinal);

        // What the generated method sent: the catalog's model id, the system message and the formatted prompt.
        Assert.Equal(3, server.ReceivedRequests.Count);
        var first = server.ReceivedRequests[0];
        Assert.EndsWith("/v1/chat/completions", first.Path, StringComparison.Ordinal);
        Assert.Contains("\"model\":\"gpt-4o\"", first.Body, StringComparison.Ordinal);
        Assert.Contains("What is the capital of France?", first.Body, StringComparison.Ordinal);
        Assert.Contains("You are a helpful assistant.", first.Body, StringComparison.Ordinal);
        Assert.EndsWith("/acme/v1/chat/completions", server.ReceivedRequests[1].Path, StringComparison.Ordinal);
        Assert.Contains("\"model\":\"acme-chat-1\"", server.ReceivedRequests[1].Body, StringComparison.Ordinal);
        Assert.Contains("\"model\":\"gpt-4o-mini\"", server.ReceivedRequests[2].Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FreshConsumer_EveryReturnType_RunsAgainstFakeServerWithFallbacksAndStructuredOutput()
    {
        var dir = package.CreateConsumer("ReturnTypesConsumer", program: "ReturnTypes.cs");
        var build = await ProcessRunner.RunAsync("dotnet", "build -c Release", dir, timeout: TimeSpan.FromMinutes(6));
        Assert.True(build.ExitCode == 0, "consumer build failed:\n" + build);

        const string chat = "chat__pydantic-ai__test_openai_instructions.yaml";
        const string json = "json__crewai__test_openai_response_format_with_pydantic_model.yaml";
        await using var server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeResponse.Status(503));
        server.EnqueueFixture(RepoPaths.Fixture("openai", chat));
        server.EnqueueFixture(RepoPaths.Fixture("openai", chat));
        server.EnqueueFixture(RepoPaths.Fixture("openai", chat));
        server.EnqueueFixture(RepoPaths.Fixture("openai", "stream__vercel-ai-openai__openai-text.chunks.txt"));
        server.EnqueueFixture(RepoPaths.Fixture("openai", json));
        server.Enqueue(FakeResponse.Status(503));
        server.EnqueueFixture(RepoPaths.Fixture("openai", json));

        var run = await ProcessRunner.RunAsync(
            "dotnet", "run -c Release --no-build", dir,
            new Dictionary<string, string> { ["FAKE_BASE_URL"] = server.BaseUri.ToString() },
            TimeSpan.FromMinutes(2));
        Assert.True(run.ExitCode == 0, "consumer run failed:\n" + run);

        Assert.Contains("TEXT: The capital of France is Paris.", run.Output, StringComparison.Ordinal);
        Assert.Contains("VALUETEXT: The capital of France is Paris.", run.Output, StringComparison.Ordinal);
        Assert.Matches(@"RESPONSE: The capital of France is Paris\. \| tokens \d+", run.Output);
        Assert.Matches("STREAM: several \\| .+", run.Output);
        Assert.Contains("OBJECT: Paris 0.99", run.Output, StringComparison.Ordinal);

        // 94 input and 11 output tokens of gpt-4o-mini (0.15 and 0.60 USD per million), after gpt-4o answered 503.
        Assert.Contains("RESULT: Paris | model gpt-4o-mini | attempts gpt-4o=StratumProviderUnavailableException,gpt-4o-mini=ok | cost 0.0000207", run.Output, StringComparison.Ordinal);

        var models = server.ReceivedRequests.Select(r => System.Text.Json.Nodes.JsonNode.Parse(r.Body)!["model"]!.ToString()).ToArray();
        Assert.Equal(["gpt-4o", "gpt-4o-mini", "gpt-4o", "gpt-4o", "gpt-4o", "gpt-4o", "gpt-4o", "gpt-4o-mini"], models);

        // Structured calls send the compile-time schema; the object parameter travels as JSON.
        var structured = System.Text.Json.Nodes.JsonNode.Parse(server.ReceivedRequests[5].Body)!;
        Assert.Equal("AnswerResponse", structured["response_format"]!["json_schema"]!["name"]!.ToString());
        Assert.Equal(
            "Answer {\"text\":\"What is the capital of France?\",\"rules\":[\"Be concise.\"]}",
            structured["messages"]![0]!["content"]!.ToString());
    }

    [Fact]
    public async Task BrokenCatalog_FailsBuildWithDiagnosticAtFileLineAndColumn()
    {
        const string broken = """
            provider:
              id: acme
              name: Acme
              dialect: openai
              base_url: https://llm.acme.example/v1
            models:
              - id: acme-chat-1
                context_window: 32000
                price:
                  input: -0.40
                  output: 1.60
            """;
        var dir = package.CreateConsumer("BrokenConsumer", broken);
        var build = await ProcessRunner.RunAsync("dotnet", "build -c Release", dir, timeout: TimeSpan.FromMinutes(6));

        Assert.NotEqual(0, build.ExitCode);
        // The negative price, reported at its own line and column of the user's file.
        Assert.Contains("models.yaml(10,14): error STRAT004", build.Output, StringComparison.Ordinal);
        // A diagnostic, not a generator crash.
        Assert.DoesNotContain("CS8785", build.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("CS8784", build.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EditorConfigSeverityError_TurnsMissingFallbackWarningIntoABuildError()
    {
        // The consumer's [LlmCall] has no fallback: STRAT108 is a warning by default (the good consumer builds),
        // and a user who wants every call to have one raises it to an error in .editorconfig.
        var dir = package.CreateConsumer("StrictConsumer");
        File.WriteAllText(Path.Combine(dir, ".editorconfig"), """
            root = true

            [*.cs]
            dotnet_diagnostic.STRAT108.severity = error
            """);
        var build = await ProcessRunner.RunAsync("dotnet", "build -c Release", dir, timeout: TimeSpan.FromMinutes(6));

        Assert.NotEqual(0, build.ExitCode);
        Assert.Matches(@"Program\.cs\(27,\d+\): error STRAT108", build.Output);
    }
}
