namespace StratumAI;

/// <summary>No catalog model passes the router's hard constraints (capabilities, context window, providers, cost ceiling).</summary>
/// <remarks><see cref="Rejections"/> says how many models each constraint removed.</remarks>
public class StratumNoRouteException : StratumException
{
    /// <summary>Creates the exception.</summary>
    public StratumNoRouteException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public StratumNoRouteException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public StratumNoRouteException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>How many models each hard constraint removed, by reason.</summary>
    public IReadOnlyDictionary<string, int> Rejections { get; init; } = new Dictionary<string, int>();
}
