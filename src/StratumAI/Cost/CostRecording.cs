using System.Runtime.ExceptionServices;
using Microsoft.Extensions.AI;

namespace StratumAI;

/// <summary>
/// How a record gets in, for chat and embeddings alike: the tracker first, then the ledger, awaited, with the call's token
/// ignored (the provider has billed); a failed append becomes <see cref="CostLedgerException"/> carrying the record.
/// </summary>
internal static class CostRecording
{
    public static async ValueTask RecordAsync(CostTracker tracker, ICostLedger? ledger, CostRecord record, ChatResponse? response, Exception? callException)
    {
        // A Recorded handler that throws must not keep the record out of the ledger: the tracker already has it.
        ExceptionDispatchInfo? handlerError = null;
        try
        {
            tracker.Record(record);
        }
        catch (Exception ex)
        {
            handlerError = ExceptionDispatchInfo.Capture(ex);
        }

        if (ledger is not null)
        {
            try
            {
                // Not the call's token: the provider has billed, so a late cancellation must not drop the record.
                await ledger.AppendAsync(record, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                throw new CostLedgerException(record, ex, response, callException);
            }
        }

        handlerError?.Throw();
    }
}
