using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace StratumAI;

/// <summary>
/// Wraps a dialect client for one catalog model: refuses a certainly invalid request before it is sent
/// (<see cref="RequestValidator"/>), applies the call timeout and attaches the call's cost and <see cref="ModelInfo"/> to
/// every response (and to the streaming update that carries usage). Every attempt at a catalog model passes here once, so
/// this is where an attempt's cost is priced (<see cref="CallCosts"/>) and added to its <see cref="StratumCallContext.CostSoFar"/>:
/// the one place, whatever middleware the pipeline has.
/// </summary>
internal sealed class StratumModelChatClient : DelegatingChatClient
{
    private readonly ModelInfo _model;
    private readonly TimeSpan _timeout;
    private readonly RequestValidator.Rules? _rules;

    public StratumModelChatClient(IChatClient innerClient, ModelInfo model, TimeSpan timeout, bool validate = true)
        : base(innerClient)
    {
        _model = model;
        _timeout = timeout;
        _rules = validate ? RequestValidator.RulesFor(model) : null;
    }

    public ModelInfo Model => _model;

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Validate(messages, options);
        using var timeout = CreateTimeout(cancellationToken);
        ChatResponse response;
        try
        {
            response = await base.GetResponseAsync(messages, options, timeout?.Token ?? cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (timeout is not null && timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw TimedOut(ex);
        }
        catch (StratumException ex) when (ex.UsageSoFar is { } billed)
        {
            options.GetCallContext()?.AddCost(CallCosts.Price(_model, billed)!.Total);
            throw;
        }

        response.AdditionalProperties ??= [];
        response.AdditionalProperties[StratumUsageKeys.ModelInfo] = _model;
        if (CallCosts.Price(_model, response.Usage) is { } cost)
        {
            response.AdditionalProperties[StratumUsageKeys.Cost] = cost;
            options.GetCallContext()?.AddCost(cost.Total);
        }

        return response;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Validate(messages, options);
        using var timeout = CreateTimeout(cancellationToken);
        var enumerator = base.GetStreamingResponseAsync(messages, options, timeout?.Token ?? cancellationToken).GetAsyncEnumerator(timeout?.Token ?? cancellationToken);
        await using var enumeratorScope = enumerator.ConfigureAwait(false);
        var context = options.GetCallContext();
        var added = 0m;
        var first = true;
        while (true)
        {
            ChatResponseUpdate update;
            try
            {
                if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                {
                    yield break;
                }

                update = enumerator.Current;
            }
            catch (OperationCanceledException ex) when (timeout is not null && timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw TimedOut(ex);
            }
            catch (StratumException ex) when (ex.UsageSoFar is { } billed && context is not null)
            {
                // What the provider billed supersedes the usage updates seen so far (as cost tracking records it).
                context.AddCost(Math.Max(0m, CallCosts.Price(_model, billed)!.Total - added));
                throw;
            }

            if (first)
            {
                update.AdditionalProperties ??= [];
                update.AdditionalProperties[StratumUsageKeys.ModelInfo] = _model;
                first = false;
            }

            // An index loop: foreach over IList<AIContent> boxes an enumerator on every update of the stream.
            var contents = update.Contents;
            for (var i = 0; i < contents.Count; i++)
            {
                if (contents[i] is UsageContent usage)
                {
                    var cost = CallCosts.Price(_model, usage.Details)!;
                    update.AdditionalProperties ??= [];
                    update.AdditionalProperties[StratumUsageKeys.Cost] = cost;
                    context?.AddCost(cost.Total);
                    added += cost.Total;
                }
            }

            yield return update;
        }
    }

    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is null && serviceType == typeof(ModelInfo))
        {
            return _model;
        }

        return base.GetService(serviceType, serviceKey);
    }

    private void Validate(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (_rules is not null)
        {
            RequestValidator.Validate(_model, _rules, messages, options);
        }
    }

    private CancellationTokenSource? CreateTimeout(CancellationToken cancellationToken)
    {
        if (_timeout == Timeout.InfiniteTimeSpan || _timeout <= TimeSpan.Zero)
        {
            return null;
        }

        var source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        source.CancelAfter(_timeout);
        return source;
    }

    private StratumTimeoutException TimedOut(Exception inner) =>
        new($"The call to model '{_model}' did not finish within {_timeout.ToString("c", CultureInfo.InvariantCulture)} (StratumClientOptions.Timeout).", inner)
        {
            ProviderId = _model.Provider.Id,
            ModelId = _model.Id,
            Timeout = _timeout,
        };
}
