using System.Globalization;
using Microsoft.Extensions.Logging;

namespace StratumAI;

/// <summary>Settings of <see cref="BudgetChatClient"/>: the catalog calls are priced with, the default caller, the refusal logger and the tokens an attachment counts.</summary>
/// <remarks>The client reads the values when it is created and keeps the instance; do not change it while calls run.</remarks>
public sealed class StratumBudgetOptions
{
    /// <summary>The default of <see cref="TokensPerAttachment"/>: above what one image costs at OpenAI (high detail) or Anthropic.</summary>
    public const int DefaultTokensPerAttachment = 2_000;

    private int _tokensPerAttachment = DefaultTokensPerAttachment;

    /// <summary>The catalog a call's <see cref="Microsoft.Extensions.AI.ChatOptions.ModelId"/> is resolved in, to price its worst case.</summary>
    /// <value>
    /// Default null: the <see cref="StratumClient.Models"/> of the <see cref="StratumClient"/> below
    /// (<c>GetService&lt;StratumClient&gt;()</c>, as in a <see cref="StratumClientOptions.Pipeline"/>), else <see cref="ModelRegistry.Default"/>.
    /// </value>
    public ModelRegistry? Models { get; set; }

    /// <summary>The caller a call is charged to when its options name none (<see cref="StratumChatOptionsExtensions.WithCaller"/>).</summary>
    /// <value>Default null: such a call has no caller and only global and tag policies cover it.</value>
    public string? DefaultCaller { get; set; }

    /// <summary>Where a refused call is logged (<c>ChatBudgetRejected</c>, event 1013).</summary>
    /// <value>Default null: <c>UseStratumBudget</c> takes a logger from the pipeline's <see cref="ILoggerFactory"/> when it finds one, else nothing is logged.</value>
    public ILogger? Logger { get; set; }

    /// <summary>Tokens counted for each image, file or URL in the prompt.</summary>
    /// <value>Default <see cref="DefaultTokensPerAttachment"/>.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int TokensPerAttachment
    {
        get => _tokensPerAttachment;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _tokensPerAttachment = value;
        }
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"StratumBudgetOptions {{ TokensPerAttachment = {TokensPerAttachment}, DefaultCaller = {DefaultCaller ?? "(none)"}, Models = {(Models is null ? "(client)" : "set")} }}");
}
