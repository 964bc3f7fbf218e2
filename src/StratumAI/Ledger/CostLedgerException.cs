using Microsoft.Extensions.AI;

namespace StratumAI;

/// <summary>
/// A billed call's <see cref="CostRecord"/> could not be appended to the <see cref="ICostLedger"/> of a
/// <see cref="CostTrackingChatClient"/>. The record is in the <see cref="CostTracker"/>; it is not (or not known to be) in the ledger.
/// </summary>
/// <remarks>
/// <para>
/// Deliberately not a <see cref="StratumException"/> and never retryable: the provider has already billed the call, so retry or
/// fallback middleware must not repeat it. <see cref="Exception.InnerException"/> is what the ledger threw. When the call itself succeeded,
/// <see cref="Response"/> holds its response, so nothing paid for is lost; when the call failed, <see cref="CallException"/> holds
/// the call's own exception.
/// </para>
/// <para>
/// To make up for the missed append, append <see cref="Record"/> again later: appends are idempotent by <see cref="CostRecord.Id"/>.
/// </para>
/// </remarks>
public sealed class CostLedgerException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public CostLedgerException()
        : base("A cost record could not be appended to the ledger.")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public CostLedgerException(string? message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">What the ledger threw.</param>
    public CostLedgerException(string? message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for one record.</summary>
    /// <param name="record">The record that was not appended.</param>
    /// <param name="innerException">What the ledger threw.</param>
    /// <param name="response">The response of the call, when it succeeded and was not streamed.</param>
    /// <param name="callException">The call's own exception, when the call failed.</param>
    /// <exception cref="ArgumentNullException"><paramref name="record"/> is null.</exception>
    public CostLedgerException(CostRecord record, Exception innerException, ChatResponse? response = null, Exception? callException = null)
        : base(MessageFor(record, innerException), innerException)
    {
        Record = record;
        Response = response;
        CallException = callException;
    }

    /// <summary>The record that was not appended, or null when the exception was created without one.</summary>
    public CostRecord? Record { get; }

    /// <summary>The response of a successful non-streaming call whose record was not appended; otherwise null.</summary>
    public ChatResponse? Response { get; }

    /// <summary>The exception the call itself ended with, when it failed after billing; otherwise null.</summary>
    public Exception? CallException { get; }

    private static string MessageFor(CostRecord record, Exception? innerException)
    {
        ArgumentNullException.ThrowIfNull(record);
        return $"The cost record {record.Id:D} ({record.ModelId ?? "unknown model"}, {record.Total.ToString(System.Globalization.CultureInfo.InvariantCulture)} USD) " +
            $"was recorded by the tracker but could not be appended to the ledger: {innerException?.GetType().Name ?? "unknown error"}.";
    }
}
