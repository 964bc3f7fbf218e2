using System.ComponentModel;

namespace StratumAI;

/// <summary>
/// One model an <see cref="LlmCallAttribute"/> method may call: a catalog <see cref="ModelInfo"/> (from <c>Model.X</c>)
/// or a model id string resolved through <see cref="StratumClient.Models"/> when the call runs. Written by generated code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct LlmCallTarget : IEquatable<LlmCallTarget>
{
    private LlmCallTarget(ModelInfo? model, string? modelId)
    {
        Model = model;
        ModelId = modelId;
    }

    /// <summary>The catalog model, when the target was given as one.</summary>
    public ModelInfo? Model { get; }

    /// <summary>The model id or alias, when the target was given as a string.</summary>
    public string? ModelId { get; }

    /// <summary>A target for a catalog model.</summary>
    /// <param name="model">The model.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    public static implicit operator LlmCallTarget(ModelInfo model) => FromModel(model);

    /// <summary>A target for a model id or alias.</summary>
    /// <param name="modelId">The id or alias.</param>
    /// <exception cref="ArgumentException"><paramref name="modelId"/> is null or empty.</exception>
    public static implicit operator LlmCallTarget(string modelId) => FromModelId(modelId);

    /// <summary>A target for a catalog model.</summary>
    /// <param name="model">The model.</param>
    /// <returns>The target.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    public static LlmCallTarget FromModel(ModelInfo model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new LlmCallTarget(model, null);
    }

    /// <summary>A target for a model id or alias.</summary>
    /// <param name="modelId">The id or alias.</param>
    /// <returns>The target.</returns>
    /// <exception cref="ArgumentException"><paramref name="modelId"/> is null or empty.</exception>
    public static LlmCallTarget FromModelId(string modelId)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelId);
        return new LlmCallTarget(null, modelId);
    }

    /// <summary>The id as written (the catalog id for a model).</summary>
    /// <returns>The id.</returns>
    public override string ToString() => Model?.Id ?? ModelId ?? string.Empty;

    /// <inheritdoc />
    public bool Equals(LlmCallTarget other) => Equals(Model, other.Model) && string.Equals(ModelId, other.ModelId, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is LlmCallTarget other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Model, ModelId is null ? 0 : StringComparer.Ordinal.GetHashCode(ModelId));

    /// <summary>Compares two targets.</summary>
    /// <param name="left">The first.</param>
    /// <param name="right">The second.</param>
    /// <returns>True when they name the same model the same way.</returns>
    public static bool operator ==(LlmCallTarget left, LlmCallTarget right) => left.Equals(right);

    /// <summary>Compares two targets.</summary>
    /// <param name="left">The first.</param>
    /// <param name="right">The second.</param>
    /// <returns>True when they differ.</returns>
    public static bool operator !=(LlmCallTarget left, LlmCallTarget right) => !left.Equals(right);
}
