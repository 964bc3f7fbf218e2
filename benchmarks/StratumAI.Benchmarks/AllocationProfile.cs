using System.Diagnostics.Tracing;
using System.Globalization;

namespace StratumAI.Benchmarks;

/// <summary>
/// Which types a call allocates, sampled in process: the runtime's <c>GCAllocationTick</c> event fires about every 100 KB
/// allocated and names the type of the allocation that crossed the line, so over many calls the count of ticks per type is
/// proportional to the bytes of that type. Used by <c>load --profile</c> to say where a variant's bytes go.
/// </summary>
internal sealed class AllocationProfile : EventListener
{
    private const int GCKeyword = 0x1;
    private const int AllocationTickId = 10;
    private readonly Dictionary<string, long> _bytes = new(StringComparer.Ordinal);
    private volatile bool _recording;

    public void Start() => _recording = true;

    public IReadOnlyList<(string Type, double KbPerCall)> Stop(long calls)
    {
        _recording = false;
        lock (_bytes)
        {
            return _bytes.OrderByDescending(pair => pair.Value)
                .Select(pair => (pair.Key, pair.Value / 1024.0 / Math.Max(1, calls)))
                .ToList();
        }
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)GCKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (!_recording || eventData.EventId != AllocationTickId || eventData.Payload is null)
        {
            return;
        }

        var type = eventData.PayloadNames!.IndexOf("TypeName") is var index and >= 0 ? eventData.Payload[index] as string ?? "?" : "?";
        var amount = eventData.PayloadNames.IndexOf("AllocationAmount64") is var amountIndex and >= 0
            ? Convert.ToInt64(eventData.Payload[amountIndex], CultureInfo.InvariantCulture)
            : 100 * 1024;
        lock (_bytes)
        {
            _bytes[type] = _bytes.GetValueOrDefault(type) + amount;
        }
    }
}
