namespace StratumAI;

/// <summary>
/// A budget shared through a store (<see cref="IBudgetStore"/>, e.g. Redis) could not be checked because the store cannot be
/// reached, answered too slowly or is restarting, so the call was refused before it was sent: shared budgets fail closed.
/// </summary>
/// <remarks>
/// The message names the store by its endpoints (<see cref="IBudgetStore.Name"/>), never its configuration string, so a
/// password in it is never shown. Retryable: the same call fits again once the store answers. Not a
/// <see cref="BudgetExceededException"/>: no limit was reached, and code that tells a user "over budget" should not say so
/// during an outage. A store can be configured to fail open instead (it then logs a warning and admits the call).
/// </remarks>
public class BudgetStoreUnavailableException : StratumException
{
    /// <summary>Creates the exception with a generic message.</summary>
    public BudgetStoreUnavailableException()
        : base("The budget store cannot be reached; the call was refused before sending it.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public BudgetStoreUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public BudgetStoreUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The store's name (<see cref="IBudgetStore.Name"/>): its endpoints, no secrets.</summary>
    public string? StoreName { get; init; }

    /// <inheritdoc />
    public override bool IsRetryable => true;
}
