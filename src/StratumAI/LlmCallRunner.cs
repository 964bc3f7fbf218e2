using System.ComponentModel;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace StratumAI;

/// <summary>
/// Runs the body of an <see cref="LlmCallAttribute"/> method. Called by generated code; not meant to be called by hand,
/// and its signatures are a contract with the generator.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class LlmCallRunner
{
    /// <summary>Calls a model and returns the text of its answer.</summary>
    /// <param name="client">The client to call through.</param>
    /// <param name="model">The catalog model.</param>
    /// <param name="messages">The formatted system and user messages.</param>
    /// <param name="options">Per-call options from the attribute, or null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The answer's text, never empty.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="client"/>, <paramref name="model"/> or <paramref name="messages"/> is null.</exception>
    /// <exception cref="StratumEmptyResponseException">The call succeeded but the answer holds no text.</exception>
    /// <exception cref="StratumException">The call failed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<string> GetTextAsync(StratumClient client, ModelInfo model, IList<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(messages);

        var response = await client.GetResponseAsync(model, messages, options, cancellationToken).ConfigureAwait(false);
        return TextOf(response, model.ToString(), model.Id, model.Provider.Id);
    }

    private static string TextOf(ChatResponse response, string display, string modelId, string? providerId)
    {
        var text = response.Text;
        if (string.IsNullOrEmpty(text))
        {
            var finish = response.FinishReason?.Value;
            throw new StratumEmptyResponseException(
                $"Model '{display}' answered without any text (finish reason: {finish ?? "none"}{DescribeContents(response)}). An [LlmCall] method returning string needs a text answer.")
            {
                ProviderId = providerId,
                ModelId = modelId,
                FinishReason = finish,
            };
        }

        return text;
    }

    /// <summary>
    /// Calls an <see cref="IChatClient"/> with each model in turn (its id in <see cref="ChatOptions.ModelId"/>), moving on when
    /// a call fails in a way another model can fix; returns the text of the first answer. For a type whose client is an <c>IChatClient</c>.
    /// </summary>
    /// <param name="client">The chat client.</param>
    /// <param name="models">The primary model, then the fallbacks, in the order to try them.</param>
    /// <param name="messages">The formatted system and user messages.</param>
    /// <param name="options">Per-call options from the attribute, or null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The answer's text, never empty.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="client"/>, <paramref name="models"/> or <paramref name="messages"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="models"/> is empty.</exception>
    /// <exception cref="LlmCallFallbacksFailedException">Every model failed in a way a fallback may fix; every attempt is listed.</exception>
    /// <exception cref="StratumEmptyResponseException">A model answered without text.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<string> GetTextAsync(IChatClient client, IReadOnlyList<LlmCallTarget> models, IList<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        var response = await GetResponseAsync(client, models, messages, options, requireText: true, cancellationToken).ConfigureAwait(false);
        return response.Text;
    }

    /// <summary>
    /// Calls an <see cref="IChatClient"/> with each model in turn (its id in <see cref="ChatOptions.ModelId"/>), moving on when
    /// a call fails in a way another model can fix; returns the first whole response.
    /// </summary>
    /// <param name="client">The chat client.</param>
    /// <param name="models">The primary model, then the fallbacks, in the order to try them.</param>
    /// <param name="messages">The formatted system and user messages.</param>
    /// <param name="options">Per-call options from the attribute, or null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response of the first model that answered.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="client"/>, <paramref name="models"/> or <paramref name="messages"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="models"/> is empty.</exception>
    /// <exception cref="LlmCallFallbacksFailedException">Every model failed in a way a fallback may fix; every attempt is listed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static Task<ChatResponse> GetResponseAsync(IChatClient client, IReadOnlyList<LlmCallTarget> models, IList<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
        => GetResponseAsync(client, models, messages, options, requireText: false, cancellationToken);

    private static async Task<ChatResponse> GetResponseAsync(IChatClient client, IReadOnlyList<LlmCallTarget> models, IList<ChatMessage> messages, ChatOptions? options, bool requireText, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(messages);
        if (models.Count == 0)
        {
            throw new ArgumentException("An [LlmCall] method needs at least one model.", nameof(models));
        }

        List<LlmCallAttempt>? attempts = null;
        foreach (var target in models)
        {
            var id = target.ToString();
            if (id.Length == 0)
            {
                throw new ArgumentException("A model target is empty (default(LlmCallTarget)).", nameof(models));
            }

            var providerId = target.Model?.Provider.Id;
            var attemptOptions = options?.Clone() ?? new ChatOptions();
            attemptOptions.ModelId = id;
            try
            {
                var response = await client.GetResponseAsync(messages, attemptOptions, cancellationToken).ConfigureAwait(false);
                if (requireText)
                {
                    TextOf(response, id, id, providerId);
                }

                return response;
            }
            catch (StratumException ex) when (models.Count > 1 && CanFallBack(ex))
            {
                (attempts ??= new List<LlmCallAttempt>(models.Count)).Add(new LlmCallAttempt(id, providerId, ex));
            }
        }

        throw new LlmCallFallbacksFailedException(attempts!);
    }

    /// <summary>Calls a model named by id or alias (resolved through <see cref="StratumClient.Models"/>) and returns the text of its answer.</summary>
    /// <param name="client">The client to call through.</param>
    /// <param name="modelId">The model id or alias.</param>
    /// <param name="messages">The formatted system and user messages.</param>
    /// <param name="options">Per-call options from the attribute, or null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The answer's text, never empty.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> or <paramref name="messages"/> is null.</exception>
    /// <exception cref="StratumModelNotFoundException">No catalog model has that id or alias.</exception>
    /// <exception cref="StratumEmptyResponseException">The call succeeded but the answer holds no text.</exception>
    /// <exception cref="StratumException">The call failed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static Task<string> GetTextAsync(StratumClient client, string modelId, IList<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(modelId);
        if (!client.Models.TryGet(modelId, out var model))
        {
            throw new StratumModelNotFoundException(
                $"The model '{modelId}' named by an [LlmCall] method is not in the catalog (StratumClient.Models). Check the id, or add the model to a catalog file.")
            {
                ModelId = modelId,
            };
        }

        return GetTextAsync(client, model, messages, options, cancellationToken);
    }

    /// <summary>
    /// The <see cref="ChatOptions.AdditionalProperties"/> key under which generated code passes the attribute's
    /// <see cref="LlmCallAttribute.Tags"/> (a <see cref="string"/> array), for cost grouping by middleware.
    /// </summary>
    public const string TagsKey = "stratum.tags";

    /// <summary>
    /// Calls the first model and, when it fails in a way another model can fix (<see cref="StratumProviderUnavailableException"/>,
    /// <see cref="StratumRateLimitException"/>, <see cref="StratumContextWindowExceededException"/>), each next model in order;
    /// returns the text of the first answer.
    /// </summary>
    /// <param name="client">The client to call through.</param>
    /// <param name="models">The primary model, then the fallbacks, in the order to try them.</param>
    /// <param name="messages">The formatted system and user messages.</param>
    /// <param name="options">Per-call options from the attribute, or null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The answer's text, never empty.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="client"/>, <paramref name="models"/> or <paramref name="messages"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="models"/> is empty.</exception>
    /// <exception cref="LlmCallFallbacksFailedException">Every model failed in a way a fallback may fix; every attempt is listed.</exception>
    /// <exception cref="StratumModelNotFoundException">A model id string names no model of <see cref="StratumClient.Models"/>.</exception>
    /// <exception cref="StratumEmptyResponseException">A model answered without text.</exception>
    /// <exception cref="StratumException">A call failed in a way no fallback can fix (bad key, bad request…).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<string> GetTextAsync(StratumClient client, IReadOnlyList<LlmCallTarget> models, IList<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(messages);
        return await RunAsync(
            client,
            models,
            options,
            (model, attemptOptions) => GetTextAsync(client, model, messages, attemptOptions, cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// Calls the first model and, when it fails in a way another model can fix, each next model in order; returns the
    /// first whole response (for <c>Task&lt;ChatResponse&gt;</c> methods).
    /// </summary>
    /// <param name="client">The client to call through.</param>
    /// <param name="models">The primary model, then the fallbacks, in the order to try them.</param>
    /// <param name="messages">The formatted system and user messages.</param>
    /// <param name="options">Per-call options from the attribute, or null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response of the first model that answered.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="client"/>, <paramref name="models"/> or <paramref name="messages"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="models"/> is empty.</exception>
    /// <exception cref="LlmCallFallbacksFailedException">Every model failed in a way a fallback may fix; every attempt is listed.</exception>
    /// <exception cref="StratumModelNotFoundException">A model id string names no model of <see cref="StratumClient.Models"/>.</exception>
    /// <exception cref="StratumException">A call failed in a way no fallback can fix (bad key, bad request…).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<ChatResponse> GetResponseAsync(StratumClient client, IReadOnlyList<LlmCallTarget> models, IList<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(messages);
        return await RunAsync(
            client,
            models,
            options,
            (model, attemptOptions) => client.GetResponseAsync(model, messages, attemptOptions, cancellationToken)).ConfigureAwait(false);
    }

    private static async Task<T> RunAsync<T>(StratumClient client, IReadOnlyList<LlmCallTarget> models, ChatOptions? options, Func<ModelInfo, ChatOptions?, Task<T>> call)
    {
        if (models.Count == 0)
        {
            throw new ArgumentException("An [LlmCall] method needs at least one model.", nameof(models));
        }

        List<LlmCallAttempt>? attempts = null;
        for (var i = 0; i < models.Count; i++)
        {
            var model = Resolve(client, models[i]);
            try
            {
                // Each attempt gets its own options copy: a provider client may adjust them.
                return await call(model, options?.Clone()).ConfigureAwait(false);
            }
            catch (StratumException ex) when (models.Count > 1 && CanFallBack(ex))
            {
                (attempts ??= new List<LlmCallAttempt>(models.Count)).Add(new LlmCallAttempt(model.Id, model.Provider.Id, ex));
            }
        }

        throw new LlmCallFallbacksFailedException(attempts!);
    }

    /// <summary>
    /// Streams the text of the first model's answer (for <c>IAsyncEnumerable&lt;string&gt;</c> methods). When a model fails
    /// in a way another model can fix before any text reached the caller, the next model is tried; once text has been
    /// yielded, a failure is thrown as it is (the caller already holds part of that model's answer).
    /// </summary>
    /// <param name="client">The client to call through.</param>
    /// <param name="models">The primary model, then the fallbacks, in the order to try them.</param>
    /// <param name="messages">The formatted system and user messages.</param>
    /// <param name="options">Per-call options from the attribute, or null.</param>
    /// <param name="cancellationToken">Cancels the call (combined with the token given to the enumerator).</param>
    /// <returns>The text updates, in order; updates without text are skipped.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="client"/>, <paramref name="models"/> or <paramref name="messages"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="models"/> is empty.</exception>
    /// <exception cref="LlmCallFallbacksFailedException">Every model failed before its first text, in a way a fallback may fix.</exception>
    /// <exception cref="StratumModelNotFoundException">A model id string names no model of <see cref="StratumClient.Models"/>.</exception>
    /// <exception cref="StratumException">A call failed in a way no fallback can fix, or after text was yielded.</exception>
    /// <exception cref="OperationCanceledException">The call was cancelled.</exception>
    public static IAsyncEnumerable<string> StreamTextAsync(StratumClient client, IReadOnlyList<LlmCallTarget> models, IList<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(messages);
        if (models.Count == 0)
        {
            throw new ArgumentException("An [LlmCall] method needs at least one model.", nameof(models));
        }

        return StreamAsync(
            models,
            options,
            (target, attemptOptions, token) =>
            {
                var model = Resolve(client, target);
                return (client.GetStreamingResponseAsync(model, messages, attemptOptions, token), model.Id, model.Provider.Id);
            },
            cancellationToken);
    }

    /// <summary>
    /// Streams the text of the first model's answer through a plain <see cref="IChatClient"/>, each model id set in
    /// <see cref="ChatOptions.ModelId"/>; falls back like the <see cref="StratumClient"/> overload.
    /// </summary>
    /// <param name="client">The chat client to call through.</param>
    /// <param name="models">The primary model, then the fallbacks, in the order to try them.</param>
    /// <param name="messages">The formatted system and user messages.</param>
    /// <param name="options">Per-call options from the attribute, or null.</param>
    /// <param name="cancellationToken">Cancels the call (combined with the token given to the enumerator).</param>
    /// <returns>The text updates, in order; updates without text are skipped.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="client"/>, <paramref name="models"/> or <paramref name="messages"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="models"/> is empty or holds an empty target.</exception>
    /// <exception cref="LlmCallFallbacksFailedException">Every model failed before its first text, in a way a fallback may fix.</exception>
    /// <exception cref="StratumException">A call failed in a way no fallback can fix, or after text was yielded.</exception>
    /// <exception cref="OperationCanceledException">The call was cancelled.</exception>
    public static IAsyncEnumerable<string> StreamTextAsync(IChatClient client, IReadOnlyList<LlmCallTarget> models, IList<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(messages);
        if (models.Count == 0)
        {
            throw new ArgumentException("An [LlmCall] method needs at least one model.", nameof(models));
        }

        return StreamAsync(
            models,
            options,
            (target, attemptOptions, token) =>
            {
                var id = target.ToString();
                if (id.Length == 0)
                {
                    throw new ArgumentException("A model target is empty (default(LlmCallTarget)).", nameof(models));
                }

                var withModel = attemptOptions ?? new ChatOptions();
                withModel.ModelId = id;
                return (client.GetStreamingResponseAsync(messages, withModel, token), id, target.Model?.Provider.Id);
            },
            cancellationToken);
    }

    private static async IAsyncEnumerable<string> StreamAsync(
        IReadOnlyList<LlmCallTarget> models,
        ChatOptions? options,
        Func<LlmCallTarget, ChatOptions?, CancellationToken, (IAsyncEnumerable<ChatResponseUpdate> Stream, string Id, string? ProviderId)> start,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        List<LlmCallAttempt>? attempts = null;
        for (var i = 0; i < models.Count; i++)
        {
            IAsyncEnumerator<ChatResponseUpdate>? enumerator = null;
            var started = false;
            StratumException? failure = null;
            string? id = null;
            string? providerId = null;
            try
            {
                while (true)
                {
                    bool moved;
                    try
                    {
                        if (enumerator is null)
                        {
                            // Each attempt gets its own options copy: a provider client may adjust them.
                            var attempt = start(models[i], options?.Clone(), cancellationToken);
                            (id, providerId) = (attempt.Id, attempt.ProviderId);
                            enumerator = attempt.Stream.GetAsyncEnumerator(cancellationToken);
                        }

                        moved = await enumerator.MoveNextAsync().ConfigureAwait(false);
                    }
                    catch (StratumException ex) when (!started && models.Count > 1 && CanFallBack(ex))
                    {
                        failure = ex;
                        break;
                    }

                    if (!moved)
                    {
                        break;
                    }

                    var text = enumerator.Current.Text;
                    if (text.Length > 0)
                    {
                        // From here on the caller holds part of this answer, so no fallback may replace it.
                        started = true;
                        yield return text;
                    }
                }
            }
            finally
            {
                if (enumerator is not null)
                {
                    await enumerator.DisposeAsync().ConfigureAwait(false);
                }
            }

            if (failure is null)
            {
                yield break;
            }

            (attempts ??= new List<LlmCallAttempt>(models.Count)).Add(new LlmCallAttempt(id ?? models[i].ToString(), providerId, failure));
        }

        throw new LlmCallFallbacksFailedException(attempts!);
    }

    /// <summary>
    /// Whether another model may succeed where this failure happened: the rule of <see cref="FallbackPolicy.Default"/> (provider
    /// unavailable, rate limited, context window exceeded, server errors, timeouts), so an <c>[LlmCall]</c> method falls back exactly
    /// when a <see cref="FallbackChatClient"/> would — except for an answer that could not be read
    /// (<see cref="StratumInvalidResponseException"/>): for a structured method that is the answer failing its schema, which surfaces.
    /// </summary>
    /// <param name="exception">The failure.</param>
    /// <returns>True when the next model should be tried.</returns>
    public static bool CanFallBack(StratumException exception)
        => exception is not StratumInvalidResponseException && FallbackPolicy.Default.ShouldFallBack(exception);

    private static ModelInfo Resolve(StratumClient client, LlmCallTarget target)
    {
        if (target.Model is { } model)
        {
            return model;
        }

        var id = target.ModelId ?? throw new ArgumentException("A model target is empty (default(LlmCallTarget)).", nameof(target));
        return client.Models.TryGet(id, out var found)
            ? found
            : throw new StratumModelNotFoundException(
                $"The model '{id}' named by an [LlmCall] method is not in the catalog (StratumClient.Models). Check the id, or add the model to a catalog file.")
            {
                ModelId = id,
            };
    }

    private static string DescribeContents(ChatResponse response)
    {
        var kinds = response.Messages.SelectMany(m => m.Contents)
            .Where(c => c is not UsageContent)
            .Select(c => c switch
            {
                FunctionCallContent call => $"a call to tool '{call.Name}'",
                ErrorContent error => $"an error: {error.Message}",
                TextReasoningContent => "reasoning only",
                _ => c.GetType().Name,
            })
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        return kinds.Length == 0 ? "; no content" : "; it sent " + string.Join(", ", kinds);
    }
}
