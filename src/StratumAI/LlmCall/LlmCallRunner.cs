using System.ComponentModel;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;

namespace StratumAI;

/// <summary>
/// Runs the body of an <see cref="LlmCallAttribute"/> method: the contract between the generator and the runtime. Called
/// by generated code only; not meant to be called by hand.
/// </summary>
/// <remarks>
/// <para>One method family, each over an <see cref="IChatClient"/> and the method's models in order (the primary, then the
/// fallbacks): <c>GetTextAsync</c>, <c>GetResponseAsync</c>, <c>GetObjectAsync</c>, <c>GetResultAsync</c> and
/// <c>StreamTextAsync</c>. A method whose client is a <see cref="StratumClient"/> passes <see cref="GetChatClient"/>; a
/// method whose client is an <see cref="IChatClient"/> passes it as it is.</para>
/// <para>Every method runs on StratumAI's one fallback engine, the one <see cref="FallbackChatClient"/> runs on: the next
/// model is tried exactly when <see cref="FallbackPolicy"/> says so (<see cref="FallbackPolicy.Default"/>, or the call's
/// own: <see cref="StratumChatOptionsExtensions.WithFallbackPolicy"/>), models already tried are skipped, and after a
/// context window exceeded only larger windows are tried. Each attempt carries its <see cref="StratumCallContext"/>
/// (attempt 1, 2, … of one call), so nothing below resolves its model again.</para>
/// <para>Model ids: when the client is backed by a <see cref="StratumClient"/> (it answers
/// <c>GetService(typeof(StratumClient))</c>), each id is resolved once through its <see cref="StratumClient.Models"/>,
/// and an unknown id is a <see cref="StratumModelNotFoundException"/> before that model is called; otherwise an id
/// <see cref="ModelRegistry.Default"/> does not know is sent as written in <see cref="ChatOptions.ModelId"/>.</para>
/// <para>When more than one model was tried and every one failed in a way a fallback may fix, the failure is an
/// <see cref="AllFallbacksFailedException"/> listing every attempt; when one was tried, its own failure.</para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class LlmCallRunner
{
    private static readonly FallbackEngine Engine = new(TimeProvider.System, NullLogger.Instance);

    /// <summary>
    /// The chat client an <see cref="LlmCallAttribute"/> method whose client is a <see cref="StratumClient"/> calls through:
    /// each attempt goes to the model its call context names, through <see cref="StratumClientOptions.Pipeline"/> when one
    /// is configured (as <see cref="StratumClient.GetChatClient(ModelInfo)"/> does).
    /// </summary>
    /// <param name="client">The client.</param>
    /// <returns>A chat client over <paramref name="client"/>; disposing it does nothing.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> is null.</exception>
    public static IChatClient GetChatClient(StratumClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new LlmCallChatClient(client);
    }

    /// <summary>Calls the models in turn until one answers, and returns the text of its answer.</summary>
    /// <param name="client">The chat client.</param>
    /// <param name="models">The primary model, then the fallbacks, in the order to try them.</param>
    /// <param name="messages">The formatted messages.</param>
    /// <param name="options">Per-call options, or null; each attempt sends a copy.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The answer's text, never empty.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="client"/>, <paramref name="models"/> or <paramref name="messages"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="models"/> is empty or holds an empty target.</exception>
    /// <exception cref="AllFallbacksFailedException">Every model failed in a way a fallback may fix; every attempt is listed.</exception>
    /// <exception cref="StratumModelNotFoundException">A model id names no model of the <see cref="StratumClient"/>'s catalog.</exception>
    /// <exception cref="StratumEmptyResponseException">A model answered without text.</exception>
    /// <exception cref="StratumException">A call failed in a way no fallback can fix (bad key, bad request…).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<string> GetTextAsync(IChatClient client, IReadOnlyList<LlmCallTarget> models, IList<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        var chain = Chain(client, models, messages, options, null);
        var (_, text) = await Engine.GetResponseAsync(client, messages, chain, static (response, attempt) => TextOf(response, attempt), cancellationToken).ConfigureAwait(false);
        return text;
    }

    /// <summary>Calls the models in turn until one answers, and returns its whole response (for <c>Task&lt;ChatResponse&gt;</c> methods).</summary>
    /// <param name="client">The chat client.</param>
    /// <param name="models">The primary model, then the fallbacks, in the order to try them.</param>
    /// <param name="messages">The formatted messages.</param>
    /// <param name="options">Per-call options, or null; each attempt sends a copy.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response of the first model that answered.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="client"/>, <paramref name="models"/> or <paramref name="messages"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="models"/> is empty or holds an empty target.</exception>
    /// <exception cref="AllFallbacksFailedException">Every model failed in a way a fallback may fix; every attempt is listed.</exception>
    /// <exception cref="StratumModelNotFoundException">A model id names no model of the <see cref="StratumClient"/>'s catalog.</exception>
    /// <exception cref="StratumException">A call failed in a way no fallback can fix.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<ChatResponse> GetResponseAsync(IChatClient client, IReadOnlyList<LlmCallTarget> models, IList<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        var chain = Chain(client, models, messages, options, null);
        var (response, _) = await Engine.GetResponseAsync(client, messages, chain, static (response, _) => response, cancellationToken).ConfigureAwait(false);
        return response;
    }

    /// <summary>
    /// Calls the models in turn asking for JSON that follows <paramref name="output"/>'s schema, and reads the first answer
    /// into <typeparamref name="T"/>. An answer that does not match is the attempt's failure
    /// (<see cref="StratumSchemaMismatchException"/>): it falls back only with <see cref="FallbackPolicy.FallBackOnSchemaMismatch"/>.
    /// </summary>
    /// <typeparam name="T">The method's result type.</typeparam>
    /// <param name="client">The chat client.</param>
    /// <param name="models">The primary model, then the fallbacks, in the order to try them.</param>
    /// <param name="messages">The formatted messages.</param>
    /// <param name="options">Per-call options, or null; the response format is set on each attempt's copy.</param>
    /// <param name="output">The schema and the generated metadata of <typeparamref name="T"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The value read from the first answer; never null.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="models"/> is empty or holds an empty target.</exception>
    /// <exception cref="AllFallbacksFailedException">Every model failed in a way a fallback may fix; every attempt is listed.</exception>
    /// <exception cref="StratumModelNotFoundException">A model id names no model of the <see cref="StratumClient"/>'s catalog.</exception>
    /// <exception cref="StratumSchemaMismatchException">The answer is not JSON that matches <typeparamref name="T"/>.</exception>
    /// <exception cref="StratumException">A call failed in a way no fallback can fix.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<T> GetObjectAsync<T>(IChatClient client, IReadOnlyList<LlmCallTarget> models, IList<ChatMessage> messages, ChatOptions? options, LlmCallOutput<T> output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        var chain = Chain(client, models, messages, options, output.Format);
        var (_, value) = await Engine.GetResponseAsync(client, messages, chain, (response, attempt) => output.Parse(response, attempt.ModelId!, attempt.ProviderId), cancellationToken).ConfigureAwait(false);
        return value;
    }

    /// <summary>Calls the models like <c>GetTextAsync</c> and returns the text with the model that answered, usage, cost and every attempt.</summary>
    /// <param name="client">The chat client.</param>
    /// <param name="models">The primary model, then the fallbacks, in the order to try them.</param>
    /// <param name="messages">The formatted messages.</param>
    /// <param name="options">Per-call options, or null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The result; its value is the answer's text, never empty.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="models"/> is empty or holds an empty target.</exception>
    /// <exception cref="AllFallbacksFailedException">Every model failed in a way a fallback may fix; every attempt is listed.</exception>
    /// <exception cref="StratumModelNotFoundException">A model id names no model of the <see cref="StratumClient"/>'s catalog.</exception>
    /// <exception cref="StratumEmptyResponseException">A model answered without text.</exception>
    /// <exception cref="StratumException">A call failed in a way no fallback can fix.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static Task<LlmResult<string>> GetResultAsync(IChatClient client, IReadOnlyList<LlmCallTarget> models, IList<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
        => ResultAsync(client, messages, Chain(client, models, messages, options, null), static (response, attempt) => TextOf(response, attempt), cancellationToken);

    /// <summary>Calls the models like <c>GetObjectAsync</c> and returns the value with the model that answered, usage, cost and every attempt.</summary>
    /// <typeparam name="T">The structured result type.</typeparam>
    /// <param name="client">The chat client.</param>
    /// <param name="models">The primary model, then the fallbacks, in the order to try them.</param>
    /// <param name="messages">The formatted messages.</param>
    /// <param name="options">Per-call options, or null; the response format is set on each attempt's copy.</param>
    /// <param name="output">The schema and the generated metadata of <typeparamref name="T"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The result; its value is never null.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="models"/> is empty or holds an empty target.</exception>
    /// <exception cref="AllFallbacksFailedException">Every model failed in a way a fallback may fix; every attempt is listed.</exception>
    /// <exception cref="StratumModelNotFoundException">A model id names no model of the <see cref="StratumClient"/>'s catalog.</exception>
    /// <exception cref="StratumSchemaMismatchException">The answer is not JSON that matches <typeparamref name="T"/>.</exception>
    /// <exception cref="StratumException">A call failed in a way no fallback can fix.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static Task<LlmResult<T>> GetResultAsync<T>(IChatClient client, IReadOnlyList<LlmCallTarget> models, IList<ChatMessage> messages, ChatOptions? options, LlmCallOutput<T> output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        return ResultAsync(client, messages, Chain(client, models, messages, options, output.Format), (response, attempt) => output.Parse(response, attempt.ModelId!, attempt.ProviderId), cancellationToken);
    }

    /// <summary>
    /// Streams the text of the first model that starts answering (for <c>IAsyncEnumerable&lt;string&gt;</c> methods). A model
    /// that fails before any text reached the caller falls back like a whole response; once text has been yielded, a failure
    /// surfaces unchanged (the caller already holds part of that model's answer).
    /// </summary>
    /// <param name="client">The chat client.</param>
    /// <param name="models">The primary model, then the fallbacks, in the order to try them.</param>
    /// <param name="messages">The formatted messages.</param>
    /// <param name="options">Per-call options, or null; each attempt sends a copy.</param>
    /// <param name="cancellationToken">Cancels the call (combined with the token given to the enumerator).</param>
    /// <returns>The text updates, in order; updates without text are skipped.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="client"/>, <paramref name="models"/> or <paramref name="messages"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="models"/> is empty.</exception>
    /// <exception cref="AllFallbacksFailedException">Every model failed before its first text, in a way a fallback may fix.</exception>
    /// <exception cref="StratumModelNotFoundException">A model id names no model of the <see cref="StratumClient"/>'s catalog.</exception>
    /// <exception cref="StratumException">A call failed in a way no fallback can fix, or after text was yielded.</exception>
    /// <exception cref="OperationCanceledException">The call was cancelled.</exception>
    public static IAsyncEnumerable<string> StreamTextAsync(IChatClient client, IReadOnlyList<LlmCallTarget> models, IList<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        Validate(client, models, messages);
        var updates = Engine.GetStreamingResponseAsync(client, messages, () => Chain(client, models, messages, options, null), static update => update.Text.Length > 0, cancellationToken);
        return TextsOf(updates, cancellationToken);
    }

    private static async IAsyncEnumerable<string> TextsOf(IAsyncEnumerable<ChatResponseUpdate> updates, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var update in updates.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            var text = update.Text;
            if (text.Length > 0)
            {
                yield return text;
            }
        }
    }

    private static async Task<LlmResult<T>> ResultAsync<T>(IChatClient client, IList<ChatMessage> messages, FallbackChain chain, Func<ChatResponse, FallbackChain, T> read, CancellationToken cancellationToken)
    {
        var (response, value) = await Engine.GetResponseAsync(client, messages, chain, read, cancellationToken).ConfigureAwait(false);
        var answered = response.GetModelInfo() ?? chain.Model;
        return new LlmResult<T>(value, response, answered?.Id ?? chain.ModelId!, answered?.Provider.Id ?? chain.ProviderId, answered, chain.Attempts);
    }

    /// <summary>The chain of one call: the models, the rule (the call's own, else the default) and where ids resolve.</summary>
    private static FallbackChain Chain(IChatClient client, IReadOnlyList<LlmCallTarget> models, IList<ChatMessage> messages, ChatOptions? options, ChatResponseFormat? format)
    {
        Validate(client, models, messages);
        var stratum = client.GetService(typeof(StratumClient)) as StratumClient;
        return FallbackChain.ForLlmCall(options.GetFallbackPolicy() ?? FallbackPolicy.Default, models, options, format, stratum?.Models ?? ModelRegistry.Default, strict: stratum is not null);
    }

    private static void Validate(IChatClient client, IReadOnlyList<LlmCallTarget> models, IList<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(messages);
        if (models.Count == 0)
        {
            throw new ArgumentException("An [LlmCall] method needs at least one model.", nameof(models));
        }
    }

    private static string TextOf(ChatResponse response, FallbackChain attempt)
    {
        var text = response.Text;
        if (string.IsNullOrEmpty(text))
        {
            var finish = response.FinishReason?.Value;
            throw new StratumEmptyResponseException(
                $"Model '{attempt.Model?.ToString() ?? attempt.ModelId}' answered without any text (finish reason: {finish ?? "none"}{DescribeContents(response)}). An [LlmCall] method returning string needs a text answer.")
            {
                ProviderId = attempt.ProviderId,
                ModelId = attempt.ModelId,
                FinishReason = finish,
            };
        }

        return text;
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
