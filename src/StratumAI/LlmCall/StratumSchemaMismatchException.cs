namespace StratumAI;

/// <summary>
/// The model answered, but its answer is not JSON that matches the structured result type of an
/// <see cref="LlmCallAttribute"/> method (not JSON, null, a required property missing, a wrong type). The provider's
/// response itself was read: only the model's answer failed the schema.
/// </summary>
/// <remarks>
/// Whether the next model of the method is tried is a choice of the fallback rule:
/// <see cref="FallbackPolicy.FallBackOnSchemaMismatch"/>, off by default. <see cref="Exception.InnerException"/> is the
/// JSON error, when there was one.
/// </remarks>
public class StratumSchemaMismatchException : StratumInvalidResponseException
{
    /// <summary>Creates the exception with a generic message.</summary>
    public StratumSchemaMismatchException()
        : base("The model's answer does not match the expected JSON schema.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public StratumSchemaMismatchException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public StratumSchemaMismatchException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
