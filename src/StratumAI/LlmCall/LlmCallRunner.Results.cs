using Microsoft.Extensions.AI;

namespace StratumAI;

/// <summary>Structured output (<c>Task&lt;T&gt;</c>) and <c>Task&lt;LlmResult&lt;T&gt;&gt;</c> methods.</summary>
public static partial class LlmCallRunner
{
    /// <summary>
    /// The <see cref="ChatOptions.AdditionalProperties"/> key under which generated code passes the attribute's
    /// <see cref="LlmCallAttribute.CacheSeconds"/> as a <see cref="TimeSpan"/>: the response cache keeps the answer that long.
    /// </summary>
    public const string CacheTtlKey = "stratum.cache.ttl";

    /// <summary>
    /// Calls the first model (and, when it fails in a way another model can fix, each next model in order) asking for JSON
    /// that follows <paramref name="output"/>'s schema, and reads the answer into <typeparamref name="T"/>.
    /// </summary>
    /// <typeparam name="T">The method's result type.</typeparam>
    /// <param name="client">The client to call through.</param>
    /// <param name="models">The primary model, then the fallbacks, in the order to try them.</param>
    /// <param name="messages">The formatted messages.</param>
    /// <param name="options">Per-call options, or null; the response format is set on a copy.</param>
    /// <param name="output">The schema and the generated metadata of <typeparamref name="T"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The value read from the first answer; never null.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="models"/> is empty.</exception>
    /// <exception cref="LlmCallFallbacksFailedException">Every model failed in a way a fallback may fix; every attempt is listed.</exception>
    /// <exception cref="StratumModelNotFoundException">A model id string names no model of <see cref="StratumClient.Models"/>.</exception>
    /// <exception cref="StratumInvalidResponseException">The answer is not JSON that matches <typeparamref name="T"/>.</exception>
    /// <exception cref="StratumException">A call failed in a way no fallback can fix.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<T> GetObjectAsync<T>(StratumClient client, IReadOnlyList<LlmCallTarget> models, IList<ChatMessage> messages, ChatOptions? options, LlmCallOutput<T> output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        var result = await GetResultAsync(client, models, messages, options, output, cancellationToken).ConfigureAwait(false);
        return result.Value;
    }

    /// <summary>
    /// Calls an <see cref="IChatClient"/> with each model in turn (its id in <see cref="ChatOptions.ModelId"/>) asking for JSON
    /// that follows <paramref name="output"/>'s schema, and reads the first answer into <typeparamref name="T"/>.
    /// </summary>
    /// <typeparam name="T">The method's result type.</typeparam>
    /// <param name="client">The chat client.</param>
    /// <param name="models">The primary model, then the fallbacks, in the order to try them.</param>
    /// <param name="messages">The formatted messages.</param>
    /// <param name="options">Per-call options, or null; the response format is set on a copy.</param>
    /// <param name="output">The schema and the generated metadata of <typeparamref name="T"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The value read from the first answer; never null.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="models"/> is empty or holds an empty target.</exception>
    /// <exception cref="LlmCallFallbacksFailedException">Every model failed in a way a fallback may fix; every attempt is listed.</exception>
    /// <exception cref="StratumInvalidResponseException">The answer is not JSON that matches <typeparamref name="T"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<T> GetObjectAsync<T>(IChatClient client, IReadOnlyList<LlmCallTarget> models, IList<ChatMessage> messages, ChatOptions? options, LlmCallOutput<T> output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        var result = await GetResultAsync(client, models, messages, options, output, cancellationToken).ConfigureAwait(false);
        return result.Value;
    }

    /// <summary>Calls the models like <c>GetTextAsync</c> and returns the text with the model that answered, usage, cost and every attempt.</summary>
    /// <param name="client">The client to call through.</param>
    /// <param name="models">The primary model, then the fallbacks, in the order to try them.</param>
    /// <param name="messages">The formatted messages.</param>
    /// <param name="options">Per-call options, or null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The result; its value is the answer's text, never empty.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="models"/> is empty.</exception>
    /// <exception cref="LlmCallFallbacksFailedException">Every model failed in a way a fallback may fix; every attempt is listed.</exception>
    /// <exception cref="StratumModelNotFoundException">A model id string names no model of <see cref="StratumClient.Models"/>.</exception>
    /// <exception cref="StratumEmptyResponseException">A model answered without text.</exception>
    /// <exception cref="StratumException">A call failed in a way no fallback can fix.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static Task<LlmResult<string>> GetResultAsync(StratumClient client, IReadOnlyList<LlmCallTarget> models, IList<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
        => CallAsync(Through(client, messages), models, options, null, static (response, attempt) => TextOf(response, attempt.Id, attempt.Id, attempt.ProviderId), cancellationToken);

    /// <summary>Calls an <see cref="IChatClient"/> like <c>GetTextAsync</c> and returns the text with the model that answered, usage, cost and every attempt.</summary>
    /// <param name="client">The chat client.</param>
    /// <param name="models">The primary model, then the fallbacks, in the order to try them.</param>
    /// <param name="messages">The formatted messages.</param>
    /// <param name="options">Per-call options, or null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The result; its value is the answer's text, never empty.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="models"/> is empty or holds an empty target.</exception>
    /// <exception cref="LlmCallFallbacksFailedException">Every model failed in a way a fallback may fix; every attempt is listed.</exception>
    /// <exception cref="StratumEmptyResponseException">A model answered without text.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static Task<LlmResult<string>> GetResultAsync(IChatClient client, IReadOnlyList<LlmCallTarget> models, IList<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
        => CallAsync(Through(client, messages), models, options, null, static (response, attempt) => TextOf(response, attempt.Id, attempt.Id, attempt.ProviderId), cancellationToken);

    /// <summary>Calls the models like <c>GetObjectAsync</c> and returns the value with the model that answered, usage, cost and every attempt.</summary>
    /// <typeparam name="T">The structured result type.</typeparam>
    /// <param name="client">The client to call through.</param>
    /// <param name="models">The primary model, then the fallbacks, in the order to try them.</param>
    /// <param name="messages">The formatted messages.</param>
    /// <param name="options">Per-call options, or null; the response format is set on a copy.</param>
    /// <param name="output">The schema and the generated metadata of <typeparamref name="T"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The result; its value is never null.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="models"/> is empty.</exception>
    /// <exception cref="LlmCallFallbacksFailedException">Every model failed in a way a fallback may fix; every attempt is listed.</exception>
    /// <exception cref="StratumModelNotFoundException">A model id string names no model of <see cref="StratumClient.Models"/>.</exception>
    /// <exception cref="StratumInvalidResponseException">The answer is not JSON that matches <typeparamref name="T"/>.</exception>
    /// <exception cref="StratumException">A call failed in a way no fallback can fix.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static Task<LlmResult<T>> GetResultAsync<T>(StratumClient client, IReadOnlyList<LlmCallTarget> models, IList<ChatMessage> messages, ChatOptions? options, LlmCallOutput<T> output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        return CallAsync(Through(client, messages), models, options, output.Format, (response, attempt) => output.Parse(response, attempt.Id, attempt.ProviderId), cancellationToken);
    }

    /// <summary>Calls an <see cref="IChatClient"/> like <c>GetObjectAsync</c> and returns the value with the model that answered, usage, cost and every attempt.</summary>
    /// <typeparam name="T">The structured result type.</typeparam>
    /// <param name="client">The chat client.</param>
    /// <param name="models">The primary model, then the fallbacks, in the order to try them.</param>
    /// <param name="messages">The formatted messages.</param>
    /// <param name="options">Per-call options, or null; the response format is set on a copy.</param>
    /// <param name="output">The schema and the generated metadata of <typeparamref name="T"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The result; its value is never null.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="models"/> is empty or holds an empty target.</exception>
    /// <exception cref="LlmCallFallbacksFailedException">Every model failed in a way a fallback may fix; every attempt is listed.</exception>
    /// <exception cref="StratumInvalidResponseException">The answer is not JSON that matches <typeparamref name="T"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static Task<LlmResult<T>> GetResultAsync<T>(IChatClient client, IReadOnlyList<LlmCallTarget> models, IList<ChatMessage> messages, ChatOptions? options, LlmCallOutput<T> output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        return CallAsync(Through(client, messages), models, options, output.Format, (response, attempt) => output.Parse(response, attempt.Id, attempt.ProviderId), cancellationToken);
    }

    /// <summary>One model about to be called: its id, provider and catalog entry (when known).</summary>
    private readonly record struct Target(string Id, string? ProviderId, ModelInfo? Model);

    /// <summary>How to call one model: resolve the target, then send.</summary>
    private sealed class Sender(Func<LlmCallTarget, Target> resolve, Func<Target, ChatOptions, CancellationToken, Task<ChatResponse>> send)
    {
        public Func<LlmCallTarget, Target> Resolve { get; } = resolve;

        public Func<Target, ChatOptions, CancellationToken, Task<ChatResponse>> Send { get; } = send;
    }

    private static Sender Through(StratumClient client, IList<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(messages);
        return new Sender(
            target =>
            {
                var model = Resolve(client, target);
                return new Target(model.Id, model.Provider.Id, model);
            },
            (target, options, token) => client.GetResponseAsync(target.Model!, messages, options, token));
    }

    private static Sender Through(IChatClient client, IList<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(messages);
        return new Sender(
            target =>
            {
                var id = target.ToString();
                if (id.Length == 0)
                {
                    throw new ArgumentException("A model target is empty (default(LlmCallTarget)).", nameof(target));
                }

                var model = target.Model ?? (ModelRegistry.Default.TryGet(id, out var known) ? known : null);
                return new Target(id, model?.Provider.Id, model);
            },
            (target, options, token) =>
            {
                options.ModelId = target.Id;
                return client.GetResponseAsync(messages, options, token);
            });
    }

    private static async Task<LlmResult<TValue>> CallAsync<TValue>(
        Sender sender,
        IReadOnlyList<LlmCallTarget> models,
        ChatOptions? options,
        ChatResponseFormat? format,
        Func<ChatResponse, Target, TValue> read,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(models);
        if (models.Count == 0)
        {
            throw new ArgumentException("An [LlmCall] method needs at least one model.", nameof(models));
        }

        var attempts = new List<LlmResultAttempt>(models.Count);
        List<LlmCallAttempt>? failures = null;
        foreach (var model in models)
        {
            var target = sender.Resolve(model);

            // Each attempt gets its own options copy: a provider client may adjust them, and the caller's stay untouched.
            var attemptOptions = options?.Clone() ?? new ChatOptions();
            if (format is not null)
            {
                attemptOptions.ResponseFormat = format;
            }

            var started = TimeProvider.System.GetTimestamp();
            try
            {
                var response = await sender.Send(target, attemptOptions, cancellationToken).ConfigureAwait(false);
                var value = read(response, target);
                attempts.Add(new LlmResultAttempt(target.Id, target.ProviderId, null, TimeProvider.System.GetElapsedTime(started)));
                var answered = response.GetModelInfo() ?? target.Model;
                return new LlmResult<TValue>(value, response, answered?.Id ?? target.Id, answered?.Provider.Id ?? target.ProviderId, answered, attempts);
            }
            catch (StratumException ex) when (models.Count > 1 && CanFallBack(ex))
            {
                attempts.Add(new LlmResultAttempt(target.Id, target.ProviderId, ex, TimeProvider.System.GetElapsedTime(started)));
                (failures ??= new List<LlmCallAttempt>(models.Count)).Add(new LlmCallAttempt(target.Id, target.ProviderId, ex));
            }
        }

        throw new LlmCallFallbacksFailedException(failures!);
    }
}
