namespace StratumAI.Testing;

/// <summary>
/// Thrown by <see cref="FixtureLoader.Load(string)"/> for a fixture file that is not a recording of HTTP traffic, for
/// example a batch output file (<c>*.jsonl</c>): the file a batch produces, one result per line, which a provider
/// serves as the body of a file download. Such a file has a loader that fits what it is
/// (<see cref="FixtureLoader.LoadBatchResults(string)"/> for batch output files); the message names it.
/// </summary>
/// <remarks>It derives from <see cref="NotSupportedException"/>, which <see cref="FixtureLoader.Load(string)"/> already throws for an unknown format.</remarks>
public sealed class NotAnHttpRecordingException : NotSupportedException
{
    /// <summary>Initializes a new instance of the <see cref="NotAnHttpRecordingException"/> class.</summary>
    public NotAnHttpRecordingException()
        : base("The fixture file is not a recording of HTTP traffic.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="NotAnHttpRecordingException"/> class with a message.</summary>
    /// <param name="message">The message, naming the file, what it is and how to load it.</param>
    public NotAnHttpRecordingException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="NotAnHttpRecordingException"/> class with a message and a cause.</summary>
    /// <param name="message">The message, naming the file, what it is and how to load it.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public NotAnHttpRecordingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
