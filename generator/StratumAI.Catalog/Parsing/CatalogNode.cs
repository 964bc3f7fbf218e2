namespace StratumAI.Catalog.Parsing;

/// <summary>How a scalar was written; decides which value types it may stand for.</summary>
internal enum ScalarKind
{
    /// <summary>A YAML plain scalar: text, or a number when a number is expected.</summary>
    Plain,

    /// <summary>A quoted YAML scalar (single, double, literal, folded) or a JSON string: always text.</summary>
    Quoted,

    /// <summary>A JSON number.</summary>
    Number,

    /// <summary>A JSON <c>true</c> or <c>false</c>.</summary>
    Boolean,

    /// <summary>An explicit null: JSON <c>null</c>, YAML <c>~</c>, <c>null</c> or an empty plain value.</summary>
    Null,
}

/// <summary>
/// A positioned node of the small tree both front ends (YAML and JSON) build, so one validator
/// turns either format into records. Positions are character offsets into the file text.
/// </summary>
internal abstract class CatalogNode
{
    protected CatalogNode(int start, int end)
    {
        Start = start;
        End = end;
    }

    public int Start { get; }

    public int End { get; set; }

    public abstract string KindName { get; }
}

internal sealed class ScalarNode : CatalogNode
{
    public ScalarNode(string value, ScalarKind kind, int start, int end)
        : base(start, end)
    {
        Value = value;
        Kind = kind;
    }

    public string Value { get; }

    public ScalarKind Kind { get; }

    public override string KindName => Kind switch
    {
        ScalarKind.Null => "null",
        ScalarKind.Boolean => "a boolean",
        ScalarKind.Number => "a number",
        _ => "text",
    };
}

internal sealed class SequenceNode : CatalogNode
{
    public SequenceNode(int start)
        : base(start, start)
    {
    }

    public List<CatalogNode> Items { get; } = new();

    public override string KindName => "a list";
}

internal readonly struct MappingEntry
{
    public MappingEntry(CatalogNode key, CatalogNode value)
    {
        Key = key;
        Value = value;
    }

    public CatalogNode Key { get; }

    public CatalogNode Value { get; }
}

internal sealed class MappingNode : CatalogNode
{
    public MappingNode(int start)
        : base(start, start)
    {
    }

    public List<MappingEntry> Entries { get; } = new();

    public override string KindName => "a mapping";
}
