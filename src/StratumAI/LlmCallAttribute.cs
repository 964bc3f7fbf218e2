using System.ComponentModel;

namespace StratumAI;

/// <summary>
/// Marks a <c>partial</c> method whose body StratumAI generates: it formats the prompt templates with
/// the method's parameters, calls the model, and returns the answer.
/// </summary>
/// <remarks>
/// <para>The model is a <c>Model</c> enum member (generated from the catalog) or a model id string.
/// The containing type must be <c>partial</c> and expose a <c>StratumClient</c> (or an
/// <c>IChatClient</c>, which then receives each model id in <c>ChatOptions.ModelId</c>) as a field,
/// property or primary-constructor parameter. <see cref="Fallback"/> and then <see cref="Fallbacks"/> are tried
/// in order when a model is unavailable, rate limited or its context window is exceeded. The method may return
/// <c>Task&lt;string&gt;</c> or <c>ValueTask&lt;string&gt;</c> (the text), <c>Task&lt;T&gt;</c> or <c>ValueTask&lt;T&gt;</c> for a class,
/// record or struct <c>T</c> (structured output: the JSON schema of <c>T</c> is produced at compile time and the answer is read
/// through generated, reflection-free System.Text.Json metadata), <c>Task&lt;LlmResult&lt;T&gt;&gt;</c> (the value with the model
/// that answered, usage, cost and every attempt), <c>Task&lt;ChatResponse&gt;</c> or <c>IAsyncEnumerable&lt;string&gt;</c> (streaming).</para>
/// <code>
/// [LlmCall(Model.Gpt4o, Prompt = "Say hi to {name}")]
/// public partial Task&lt;string&gt; GreetAsync(string name, CancellationToken ct = default);
/// </code>
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class LlmCallAttribute : Attribute
{
    /// <summary>Declares the model that serves the method.</summary>
    /// <param name="model">A <c>Model</c> enum member or a model id string.</param>
    public LlmCallAttribute(object model) => Model = model;

    /// <summary>Declares a method whose model the router picks per call; set <see cref="Strategy"/>.</summary>
    public LlmCallAttribute()
    {
    }

    /// <summary>The model: a <c>Model</c> enum member or a model id string; null when <see cref="Strategy"/> routes the call.</summary>
    public object? Model { get; }

    /// <summary>
    /// With no model: how the router picks the model for each call, from the prompt's difficulty and the catalog's prices
    /// and capabilities (see <c>docs/router.md</c>). The next-ranked candidates are the fallbacks, then <see cref="Fallback"/>
    /// and <see cref="Fallbacks"/>.
    /// </summary>
    public RoutingStrategy Strategy { get; set; }

    /// <summary>A model tried when the primary fails in a way another model can fix.</summary>
    public object? Fallback { get; set; }

    /// <summary>Models tried in order after <see cref="Fallback"/>.</summary>
    [EditorBrowsable(EditorBrowsableState.Advanced)]
    public object[]? Fallbacks { get; set; }

    /// <summary>The system message template; <c>{parameter}</c> and <c>{parameter:format}</c> are replaced, <c>{{</c> and <c>}}</c> are literal braces.</summary>
    public string? System { get; set; }

    /// <summary>The user message template; <c>{parameter}</c> and <c>{parameter:format}</c> are replaced, <c>{{</c> and <c>}}</c> are literal braces.</summary>
    public string? Prompt { get; set; }

    /// <summary>Sampling temperature; <see cref="double.NaN"/> (the default) leaves the provider's default.</summary>
    public double Temperature { get; set; } = double.NaN;

    /// <summary>Maximum output tokens; 0 (the default) leaves the provider's default.</summary>
    public int MaxTokens { get; set; }

    /// <summary>Tags recorded with the call's cost, for grouping; passed in <c>ChatOptions.AdditionalProperties</c> under <see cref="StratumOptionKeys.Tags"/>, never sent to the provider.</summary>
    public string[]? Tags { get; set; }

    /// <summary>
    /// How long, in seconds, a response cache may keep this method's answers; 0 (the default) leaves the cache's own rule.
    /// Passed as a <see cref="TimeSpan"/> in <c>ChatOptions.AdditionalProperties</c> under <see cref="StratumOptionKeys.CacheTtl"/>.
    /// </summary>
    public int CacheSeconds { get; set; }
}
