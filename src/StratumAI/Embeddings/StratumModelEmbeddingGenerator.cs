using System.Globalization;
using Microsoft.Extensions.AI;

namespace StratumAI;

/// <summary>
/// Wraps a dialect's embedding generator for one catalog embedding model: applies the call timeout and attaches the call's
/// exact cost (<see cref="CallCosts"/>, from the usage the provider reported) and <see cref="ModelInfo"/> to every result,
/// as <see cref="StratumModelChatClient"/> does for chat. A result without usage gets no cost: its cost is unknown, and the
/// money middleware charge a flagged estimate for it rather than take it as free.
/// </summary>
internal sealed class StratumModelEmbeddingGenerator : DelegatingEmbeddingGenerator<string, Embedding<float>>
{
    private readonly ModelInfo _model;
    private readonly TimeSpan _timeout;

    public StratumModelEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> innerGenerator, ModelInfo model, TimeSpan timeout)
        : base(innerGenerator)
    {
        _model = model;
        _timeout = timeout;
    }

    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        using var timeout = _timeout == Timeout.InfiniteTimeSpan || _timeout <= TimeSpan.Zero ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout?.CancelAfter(_timeout);
        GeneratedEmbeddings<Embedding<float>> result;
        try
        {
            result = await base.GenerateAsync(values, options, timeout?.Token ?? cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (timeout is not null && timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new StratumTimeoutException(
                $"The call to model '{_model}' did not finish within {_timeout.ToString("c", CultureInfo.InvariantCulture)} (StratumClientOptions.Timeout).", ex)
            {
                ProviderId = _model.Provider.Id,
                ModelId = _model.Id,
                Timeout = _timeout,
            };
        }

        result.AdditionalProperties ??= [];
        result.AdditionalProperties[StratumUsageKeys.ModelInfo] = _model;
        if (CallCosts.Price(_model, result.Usage) is { } cost)
        {
            result.AdditionalProperties[StratumUsageKeys.Cost] = cost;
        }

        return result;
    }

    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType == typeof(ModelInfo) ? _model : base.GetService(serviceType, serviceKey);
    }
}
