using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;
using static StratumAI.Tests.TestCatalog;

namespace StratumAI.Tests.Budgets;

/// <summary>Counting a prompt for a reservation: linear, bounded and cancellable, since it runs before anything is sent.</summary>
public sealed class BudgetTokenCountingTests
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Estimate_OfAMultiMegabyteRunWithoutSpaces_CompletesOnTheHighSide()
    {
        // The old counter was quadratic in such a run (128 KB: seconds; 5 MB: not finished in 14 minutes), and "<|" sent the
        // whole text through the tokenizer's own path. The wait is generous: the test can only fail by not finishing.
        var text = new string('a', 5_000_000) + "<|";
        var model = Model("gpt-4o", Provider("openai"), Gpt4oPricing);
        using var client = new BudgetChatClient(new ScriptedChatClient(model), new BudgetManager([]));

        var estimate = await Task.Run(() => client.Estimate([new ChatMessage(ChatRole.User, text)], new ChatOptions { MaxOutputTokens = 10 }))
            .WaitAsync(TimeSpan.FromMinutes(3));

        // 5,000,000 letters in one piece count as their bytes (the exact count is about an eighth): an upper bound.
        Assert.True(estimate.TokenizerCounted);
        Assert.InRange(estimate.InputTokens, 5_000_000, Encoding.UTF8.GetByteCount(text) + PromptTokenEstimator.RequestOverhead + PromptTokenEstimator.MessageOverhead);
    }

    [Fact]
    public async Task CancelledCall_StopsWhileCountingThePrompt_BeforeTheBudgetDecides()
    {
        var model = Model("gpt-4o", Provider("openai"), Gpt4oPricing);
        var inner = new ScriptedChatClient(model);

        // The limit would refuse the call; a cancelled caller hears about its cancellation, from the count, first.
        var budgets = new BudgetManager([BudgetPolicy.Daily(0.0000001m)], new FakeTimeProvider(Noon));
        using var client = inner.AsBuilder().UseStratumBudget(budgets).Build();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var prompt = new string('z', 10_000);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetResponseAsync(prompt, cancellationToken: cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync(prompt, cancellationToken: cancelled.Token))
            {
                Assert.Fail("A cancelled stream yields nothing.");
            }
        });
        Assert.Throws<OperationCanceledException>(() => client.GetService<BudgetChatClient>()!.Estimate([new ChatMessage(ChatRole.User, prompt)], null, cancelled.Token));

        Assert.Equal(0, inner.Calls);
        Assert.Equal((0m, 0m), (budgets.GetStatus(budgets.Policies[0]).Spent, budgets.GetStatus(budgets.Policies[0]).Reserved));
    }
}
