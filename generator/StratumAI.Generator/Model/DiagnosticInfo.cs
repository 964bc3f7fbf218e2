using Microsoft.CodeAnalysis;
using StratumAI.Catalog;

namespace StratumAI.Generator.Model;

/// <summary>A diagnostic to report later, kept as plain values so it can flow through the pipeline.</summary>
internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> MessageArgs)
{
    public static DiagnosticInfo Create(string id, LocationInfo? location, params string[] messageArgs)
        => new(id, location, EquatableArray<string>.UnsafeWrap(messageArgs));

    public Diagnostic ToDiagnostic()
    {
        var args = new object[MessageArgs.Count];
        for (var i = 0; i < args.Length; i++)
        {
            args[i] = MessageArgs[i];
        }

        return Diagnostic.Create(DiagnosticDescriptors.Get(Id), Location?.ToLocation() ?? Microsoft.CodeAnalysis.Location.None, args);
    }
}
