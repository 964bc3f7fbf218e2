using Microsoft.Extensions.AI;

namespace StratumAI;

/// <summary>
/// What StratumAI knows about one attempt of one call: the catalog model it goes to (resolved once), the tags, caller and
/// cache TTL the caller set, which attempt of the call this is (1 for the primary model, 2 for the first fallback, …) and
/// the exact cost the call's earlier attempts already had. Every StratumAI middleware reads it instead of strings and
/// registry look-ups.
/// </summary>
/// <remarks>
/// <para>Carried in <see cref="ChatOptions.AdditionalProperties"/> under <see cref="StratumOptionKeys.CallContext"/>; read it
/// with <see cref="StratumChatOptionsExtensions.GetCallContext"/>. StratumAI attaches it where a call enters
/// (<see cref="StratumClient.GetChatClient(ModelInfo)"/>, or the first StratumAI middleware of a pipeline that sees the call
/// without one), and each fallback attempt gets its own, sharing the call's <see cref="CallId"/> and running cost.</para>
/// <para>Immutable except for the running cost, which only grows. Thread-safe.</para>
/// </remarks>
public sealed class StratumCallContext
{
    private readonly CallState _call;

    private StratumCallContext(CallState call, ModelInfo model, int attempt, IReadOnlyList<string> tags, string? caller, TimeSpan? cacheTtl)
    {
        _call = call;
        Model = model;
        Attempt = attempt;
        Tags = tags;
        Caller = caller;
        CacheTtl = cacheTtl;
    }

    /// <summary>The id of the logical call, the same for every attempt of it (fallbacks included).</summary>
    public string CallId => _call.Id;

    /// <summary>The catalog model this attempt goes to.</summary>
    public ModelInfo Model { get; }

    /// <summary>The provider of <see cref="Model"/>.</summary>
    public ProviderInfo Provider => Model.Provider;

    /// <summary>Which attempt of the call this is: 1 for the primary model, 2 for the first fallback, and so on.</summary>
    public int Attempt { get; }

    /// <summary>The tags of the call (<see cref="StratumOptionKeys.Tags"/>); empty when none.</summary>
    public IReadOnlyList<string> Tags { get; }

    /// <summary>Who made the call (<see cref="StratumOptionKeys.Caller"/>), or null.</summary>
    public string? Caller { get; }

    /// <summary>How long the response cache keeps the answer (<see cref="StratumOptionKeys.CacheTtl"/>), or null for its default.</summary>
    public TimeSpan? CacheTtl { get; }

    /// <summary>The exact cost, in US dollars, of the attempts of this call that have finished so far and reported usage.</summary>
    public decimal CostSoFar => _call.Cost;

    /// <summary>Adds the cost of a finished attempt to <see cref="CostSoFar"/>.</summary>
    internal void AddCost(decimal cost) => _call.Add(cost);

    /// <summary>The context of the next attempt of the same call, on <paramref name="model"/>.</summary>
    internal StratumCallContext NextAttempt(ModelInfo model) => new(_call, model, Attempt + 1, Tags, Caller, CacheTtl);

    /// <summary>A new call to <paramref name="model"/>, with the tags, caller and cache TTL of <paramref name="options"/>.</summary>
    internal static StratumCallContext Create(ModelInfo model, ChatOptions? options) =>
        new(new CallState(), model, 1, options.GetTags(), options.GetCaller(), options.GetCacheTtl());

    /// <summary>
    /// The context of a call: the one attached to <paramref name="options"/> when it is for the model they name, else one
    /// resolved now (one registry look-up) — the next attempt of the attached call when a middleware below it changed the
    /// model, else a new call. Null when the options name no model the registry knows and the inner client has none.
    /// </summary>
    internal static StratumCallContext? Resolve(ChatOptions? options, IChatClient inner, ModelRegistry registry)
    {
        if (Current(options) is { } current)
        {
            return current;
        }

        var model = CallModel.Resolve(inner, registry, options?.ModelId);
        if (model is null)
        {
            return null;
        }

        return options.GetCallContext() is { } attached ? attached.NextAttempt(model) : Create(model, options);
    }

    /// <summary>
    /// The context attached to <paramref name="options"/> when it is for the model they name (or they name none), else null:
    /// a middleware that changed <see cref="ChatOptions.ModelId"/> below the context's owner makes it stale.
    /// </summary>
    internal static StratumCallContext? Current(ChatOptions? options)
    {
        var attached = options.GetCallContext();
        var modelId = options?.ModelId;
        return attached is not null && (string.IsNullOrEmpty(modelId) || attached.Model.Answers(modelId)) ? attached : null;
    }

    /// <summary>A copy of <paramref name="options"/> (new options when null) carrying this context and naming its model.</summary>
    internal ChatOptions AttachTo(ChatOptions? options)
    {
        var copy = options?.Clone() ?? new ChatOptions();
        copy.ModelId = Model.Id;
        (copy.AdditionalProperties ??= [])[StratumOptionKeys.CallContext] = this;
        return copy;
    }

    /// <inheritdoc />
    public override string ToString() => $"StratumCallContext {{ Model = {Model.Id}, Attempt = {Attempt} }}";

    /// <summary>What all attempts of one call share.</summary>
    private sealed class CallState
    {
        private string? _id;
        private decimal _cost;

        public string Id => _id ?? Interlocked.CompareExchange(ref _id, Guid.NewGuid().ToString("N"), null) ?? _id!;

        public decimal Cost
        {
            get
            {
                // The state itself is the lock (it is private to the context): one object fewer per call than a separate gate.
                lock (this)
                {
                    return _cost;
                }
            }
        }

        public void Add(decimal cost)
        {
            lock (this)
            {
                _cost += cost;
            }
        }
    }
}
