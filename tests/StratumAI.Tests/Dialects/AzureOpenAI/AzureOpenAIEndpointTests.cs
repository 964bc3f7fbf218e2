using StratumAI.Dialects;

namespace StratumAI.Tests.Dialects.AzureOpenAI;

/// <summary>The URL of every Azure operation, from the shapes of base URL a user configures.</summary>
public sealed class AzureOpenAIEndpointTests
{
    [Theory]
    // The v1 API: the operation under /openai/v1, the deployment in the body, no api-version unless given.
    [InlineData("https://res.openai.azure.com/openai/v1", "chat/completions", "https://res.openai.azure.com/openai/v1/chat/completions")]
    [InlineData("https://res.openai.azure.com/openai/v1/", "responses", "https://res.openai.azure.com/openai/v1/responses")]
    [InlineData("https://res.openai.azure.com/openai/v1", "embeddings", "https://res.openai.azure.com/openai/v1/embeddings")]
    [InlineData("https://res.openai.azure.com/openai/v1?api-version=preview", "chat/completions", "https://res.openai.azure.com/openai/v1/chat/completions?api-version=preview")]
    // The classic API: the deployment in the path, the api-version the base URL gives or the latest GA one.
    [InlineData("https://res.openai.azure.com", "chat/completions", "https://res.openai.azure.com/openai/deployments/my-gpt4o/chat/completions?api-version=2024-10-21")]
    [InlineData("https://res.openai.azure.com/openai", "embeddings", "https://res.openai.azure.com/openai/deployments/my-gpt4o/embeddings?api-version=2024-10-21")]
    [InlineData("https://res.openai.azure.com/openai/?api-version=2024-12-01-preview", "chat/completions", "https://res.openai.azure.com/openai/deployments/my-gpt4o/chat/completions?api-version=2024-12-01-preview")]
    [InlineData("https://res.openai.azure.com/", "responses", "https://res.openai.azure.com/openai/responses?api-version=2025-04-01-preview")]
    [InlineData("https://res.openai.azure.com/openai?api-version=2025-03-01-preview", "responses", "https://res.openai.azure.com/openai/responses?api-version=2025-03-01-preview")]
    // An API Management gateway's prefix and its own query parameters are kept.
    [InlineData("https://gw.example.com/llm/openai?subscription=team-a", "chat/completions", "https://gw.example.com/llm/openai/deployments/my-gpt4o/chat/completions?subscription=team-a&api-version=2024-10-21")]
    public void For_BuildsTheOperationUrl(string baseUrl, string operation, string expected)
    {
        var endpoint = new AzureOpenAIEndpoint(new Uri(baseUrl));

        Assert.Equal(expected, endpoint.For(operation, "my-gpt4o").AbsoluteUri);
    }

    [Fact]
    public void For_EscapesTheDeploymentName()
    {
        var endpoint = new AzureOpenAIEndpoint(new Uri("https://res.openai.azure.com"));

        Assert.Equal("/openai/deployments/team%2Fgpt%204o/chat/completions", endpoint.For(AzureOpenAIEndpoint.ChatCompletions, "team/gpt 4o").AbsolutePath);
    }

    [Fact]
    public async Task ApplyCredentials_TokenWinsOverTheKey_KeyGoesInTheApiKeyHeader()
    {
        using var withKey = new HttpRequestMessage(HttpMethod.Post, "https://res.openai.azure.com/openai/v1/embeddings");
        using var withToken = new HttpRequestMessage(HttpMethod.Post, "https://res.openai.azure.com/openai/v1/embeddings");

        await AzureOpenAIEndpoint.ApplyCredentialsAsync(withKey, "k-123", null, "azure", "m", CancellationToken.None);
        await AzureOpenAIEndpoint.ApplyCredentialsAsync(withToken, "k-123", _ => ValueTask.FromResult("t-456"), "azure", "m", CancellationToken.None);

        Assert.Equal(["k-123"], withKey.Headers.GetValues("api-key"));
        Assert.Null(withKey.Headers.Authorization);
        Assert.False(withToken.Headers.Contains("api-key"));
        Assert.Equal("Bearer t-456", withToken.Headers.Authorization?.ToString());
    }

    [Fact]
    public async Task ApplyCredentials_EmptyToken_IsAnAuthenticationError()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://res.openai.azure.com/openai/v1/embeddings");

        var error = await Assert.ThrowsAsync<StratumAuthenticationException>(() =>
            AzureOpenAIEndpoint.ApplyCredentialsAsync(request, null, _ => ValueTask.FromResult(" "), "azure", "m", CancellationToken.None).AsTask());

        Assert.Equal("azure", error.ProviderId);
    }
}
