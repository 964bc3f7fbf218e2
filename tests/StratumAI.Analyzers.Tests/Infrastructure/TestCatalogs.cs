namespace StratumAI.Analyzers.Tests.Infrastructure;

/// <summary>A small catalog owned by these tests, so expectations do not move when the shipped catalog does.</summary>
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
            price: { input: 2.50, output: 10.00 }
            capabilities: [streaming, tools, vision, json_schema]
            aliases: [gpt-4o-2024-08-06]
          - id: gpt-4o-mini
            context_window: 128000
            price: { input: 0.15, output: 0.60 }
            capabilities: [streaming, tools, vision, json_schema]
          - id: o3-mini
            context_window: 200000
            price: { input: 1.10, output: 4.40 }
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
            name: Claude35Sonnet
            context_window: 200000
            price: { input: 3.00, output: 15.00 }
            capabilities: [streaming, tools, vision]
          - id: claude-3-haiku
            name: Claude3Haiku
            context_window: 200000
            price: { input: 0.25, output: 1.25 }
            capabilities: [streaming, tools, vision]
        """;

    public const string Groq = """
        provider:
          id: groq
          name: Groq
          dialect: openai
          base_url: https://api.groq.com/openai/v1
          api_key_env: GROQ_API_KEY
        models:
          - id: llama-3.1-8b-instant
            name: Llama31Instant
            context_window: 8192
            price: { input: 0.05, output: 0.08 }
            capabilities: [tools]
          - id: llama-3.3-70b
            name: Llama33
            context_window: 131072
            price: { input: 0.59, output: 0.79 }
            capabilities: [streaming, tools, json_schema]
        """;

    public static (string Path, string Text)[] Defaults =>
    [
        ("/catalog/anthropic.yaml", Anthropic),
        ("/catalog/groq.yaml", Groq),
        ("/catalog/openai.yaml", OpenAI),
    ];
}
