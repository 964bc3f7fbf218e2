namespace StratumAI.Generator.Tests.Infrastructure;

/// <summary>A small default catalog owned by these tests, so baselines do not move when the shipped catalog does.</summary>
internal static class TestCatalogs
{
    public const string OpenAI = """
        provider:
          id: openai
          name: OpenAI
          dialect: openai
          base_url: https://api.openai.com/v1
          api_key_env: OPENAI_API_KEY
        models:
          - id: gpt-4o
            context_window: 128000
            max_output_tokens: 16384
            price:
              input: 2.50
              output: 10.00
              cached_input: 1.25
            capabilities: [streaming, tools, vision, json_schema]
            quality: 0.86
            aliases: [gpt-4o-2024-08-06]
          - id: gpt-4o-mini
            context_window: 128000
            max_output_tokens: 16384
            price:
              input: 0.15
              output: 0.60
              cached_input: 0.075
            capabilities: [streaming, tools]
          - id: o3-mini
            dialect: openai-responses
            context_window: 200000
            max_output_tokens: 100000
            price:
              input: 1.10
              output: 4.40
              reasoning: 4.40
            capabilities: [reasoning, tools]
            deprecated_on: 2026-06-30
            replacement: gpt-4o-mini
        """;

    public const string Anthropic = """
        provider:
          id: anthropic
          name: Anthropic
          dialect: anthropic
          base_url: https://api.anthropic.com/v1
          api_key_env: ANTHROPIC_API_KEY
        models:
          - id: claude-3-5-sonnet
            context_window: 200000
            max_output_tokens: 8192
            price:
              input: 3.00
              output: 15.00
              cached_input: 0.30
              cache_write: 3.75
              tiers:
                - above_input_tokens: 200000
                  input: 6.00
                  output: 22.50
                  cached_input: 0.60
                  cache_write: 7.50
            capabilities: [streaming, tools, vision, prompt_caching, pdf]
        """;

    public const string Ollama = """
        {
          "provider": { "id": "ollama", "name": "Ollama", "dialect": "ollama", "base_url": "http://localhost:11434" },
          "models": [
            { "id": "llama3.2:3b", "name": "Llama32", "context_window": 131072, "price": { "input": 0, "output": 0 } }
          ]
        }
        """;

    public static CatalogTestFile[] Defaults =>
    [
        new("/pkg/catalog/anthropic.yaml", Anthropic),
        new("/pkg/catalog/ollama.json", Ollama),
        new("/pkg/catalog/openai.yaml", OpenAI),
    ];

    /// <summary>The catalog shipped in the repository's <c>catalog/</c> folder, as the package feeds it.</summary>
    public static CatalogTestFile[] Shipped()
        => Directory.EnumerateFiles(TestPaths.DefaultCatalogDirectory, "*.yaml")
            .OrderBy(p => p, StringComparer.Ordinal)
            .Select(p => new CatalogTestFile(p, File.ReadAllText(p)))
            .ToArray();
}
