using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace StratumAI.Catalog.Parsing;

/// <summary>
/// Builds the positioned node tree from YamlDotNet's event parser. Iterative (an explicit stack),
/// so deeply nested input cannot overflow the call stack; aliases share the anchored node, so
/// "billion laughs" input costs nothing.
/// </summary>
internal static class YamlFrontEnd
{
    private const string MergeKey = "<<";

    public static CatalogNode? Build(SourceText source, List<CatalogDiagnostic> diagnostics)
    {
        var stack = new Stack<Frame>();
        var anchors = new Dictionary<string, CatalogNode>(StringComparer.Ordinal);
        CatalogNode? root = null;
        var documents = 0;
        // YamlDotNet does not skip a byte order mark in a string; skip it and shift every mark by one.
        var charBase = source.Text.Length > 0 && source.Text[0] == '\uFEFF' ? 1 : 0;
        var textReader = new StringReader(source.Text);
        if (charBase == 1)
        {
            textReader.Read();
        }

        var scanner = new Scanner(textReader, skipComments: true);
        var parser = new Parser(scanner);
        try
        {
            while (parser.MoveNext())
            {
                switch (parser.Current)
                {
                    case DocumentStart start:
                        documents++;
                        if (documents > 1)
                        {
                            diagnostics.Add(Malformed(source, Offset(start.Start, charBase), Offset(start.End, charBase), "A catalog file holds one YAML document; remove the second document (after '---')."));
                            return null;
                        }

                        break;
                    case Scalar scalar:
                        var node = new ScalarNode(scalar.Value, KindOf(scalar), Offset(scalar.Start, charBase), Offset(scalar.End, charBase));
                        Register(anchors, scalar, node);
                        Add(stack, ref root, node);
                        break;
                    case SequenceStart sequenceStart:
                        stack.Push(new Frame(new SequenceNode(Offset(sequenceStart.Start, charBase)), sequenceStart, sequenceStart.Style == SequenceStyle.Flow));
                        break;
                    case MappingStart mappingStart:
                        stack.Push(new Frame(new MappingNode(Offset(mappingStart.Start, charBase)), mappingStart, mappingStart.Style == MappingStyle.Flow));
                        break;
                    case SequenceEnd or MappingEnd:
                        var frame = stack.Pop();
                        frame.Node.End = frame.IsFlow || frame.LastChildEnd < 0 ? Math.Max(Offset(parser.Current.End, charBase), frame.Node.Start) : frame.LastChildEnd;
                        if (frame.Node is MappingNode mapping)
                        {
                            ApplyMergeKeys(mapping);
                        }

                        Register(anchors, frame.Event, frame.Node);
                        Add(stack, ref root, frame.Node);
                        break;
                    case AnchorAlias alias:
                        if (!anchors.TryGetValue(alias.Value.Value, out var target))
                        {
                            diagnostics.Add(Malformed(source, Offset(alias.Start, charBase), Offset(alias.End, charBase), $"The alias '*{alias.Value.Value}' names no anchor defined before it."));
                            return null;
                        }

                        Add(stack, ref root, target);
                        break;
                }
            }
        }
        catch (YamlException ex)
        {
            var start = Offset(ex.Start, charBase);
            var end = Offset(ex.End, charBase);
            if (ex.Message.IndexOf("tab", StringComparison.Ordinal) >= 0)
            {
                // YamlDotNet marks the enclosing node for tab errors; point at the tab itself.
                var tab = source.Text.IndexOf('\t', Math.Min(start, source.Text.Length));
                if (tab >= 0)
                {
                    start = tab;
                    end = tab + 1;
                }
            }

            diagnostics.Add(Malformed(source, start, end, "The file is not valid YAML: " + Clean(ex.Message)));
            return null;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this (instead of a YamlException) for some broken flow
            // collections, e.g. an unclosed '[' followed by block content. Report where it stopped.
            foreach (var open in stack)
            {
                if (open.IsFlow)
                {
                    var bracket = open.Node is SequenceNode ? "[" : "{";
                    diagnostics.Add(Malformed(source, open.Node.Start, open.Node.Start + 1, $"The file is not valid YAML: this '{bracket}' is not closed where expected."));
                    return null;
                }
            }

            var offset = Offset(scanner.CurrentPosition, charBase);
            diagnostics.Add(Malformed(source, offset, offset, "The file is not valid YAML near here; look for an unclosed '[' or '{', or a stray character before this point."));
            return null;
        }

        return root;
    }

    private static CatalogDiagnostic Malformed(SourceText source, int start, int end, string message)
        => new(CatalogDiagnosticIds.MalformedFile, CatalogSeverity.Error, message, source.Location(start, end));

    private static int Offset(Mark mark, int charBase) => mark.Index > int.MaxValue - charBase ? int.MaxValue : (int)mark.Index + charBase;

    // YamlDotNet prefixes messages with "(Line: 1, Col: 2, Idx: 3) - (…): "; the location says that already.
    private static string Clean(string message)
    {
        var index = message.IndexOf("): ", StringComparison.Ordinal);
        return message.StartsWith("(", StringComparison.Ordinal) && index >= 0 ? message.Substring(index + 3) : message;
    }

    private static ScalarKind KindOf(Scalar scalar)
    {
        if (scalar.Style != ScalarStyle.Plain)
        {
            return ScalarKind.Quoted;
        }

        if (!scalar.Tag.IsEmpty)
        {
            // An explicit !!str keeps the text as text; other tags do not change how we read it.
            return scalar.Tag.Value.EndsWith(":str", StringComparison.Ordinal) ? ScalarKind.Quoted : ScalarKind.Plain;
        }

        var value = scalar.Value;
        return value.Length == 0 || value == "~" || value == "null" || value == "Null" || value == "NULL"
            ? ScalarKind.Null
            : ScalarKind.Plain;
    }

    private static void Register(Dictionary<string, CatalogNode> anchors, NodeEvent nodeEvent, CatalogNode node)
    {
        if (!nodeEvent.Anchor.IsEmpty)
        {
            anchors[nodeEvent.Anchor.Value] = node;
        }
    }

    private static void Add(Stack<Frame> stack, ref CatalogNode? root, CatalogNode node)
    {
        if (stack.Count == 0)
        {
            root ??= node;
            return;
        }

        var frame = stack.Peek();
        frame.LastChildEnd = node.End;
        if (frame.Node is SequenceNode sequence)
        {
            sequence.Items.Add(node);
        }
        else if (frame.PendingKey is null)
        {
            frame.PendingKey = node;
        }
        else
        {
            ((MappingNode)frame.Node).Entries.Add(new MappingEntry(frame.PendingKey, node));
            frame.PendingKey = null;
        }
    }

    // YAML 1.1 merge keys ("<<: *defaults"), which catalog authors use to share price blocks.
    // Keys written in the mapping win over merged ones; a non-mapping value is left for the
    // validator to report as an unknown key.
    private static void ApplyMergeKeys(MappingNode mapping)
    {
        var entries = mapping.Entries;
        var hasMerge = false;
        foreach (var entry in entries)
        {
            if (IsMergeKey(entry.Key) && IsMergeable(entry.Value))
            {
                hasMerge = true;
                break;
            }
        }

        if (!hasMerge)
        {
            return;
        }

        var own = new List<MappingEntry>(entries.Count);
        var sources = new List<MappingNode>();
        foreach (var entry in entries)
        {
            if (IsMergeKey(entry.Key) && IsMergeable(entry.Value))
            {
                if (entry.Value is MappingNode single)
                {
                    sources.Add(single);
                }
                else
                {
                    foreach (var item in ((SequenceNode)entry.Value).Items)
                    {
                        sources.Add((MappingNode)item);
                    }
                }
            }
            else
            {
                own.Add(entry);
            }
        }

        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in own)
        {
            if (entry.Key is ScalarNode key)
            {
                present.Add(key.Value);
            }
        }

        foreach (var source in sources)
        {
            foreach (var entry in source.Entries)
            {
                if (entry.Key is ScalarNode key && present.Add(key.Value))
                {
                    own.Add(entry);
                }
            }
        }

        entries.Clear();
        entries.AddRange(own);
    }

    private static bool IsMergeKey(CatalogNode key) => key is ScalarNode { Kind: ScalarKind.Plain, Value: MergeKey };

    private static bool IsMergeable(CatalogNode value)
    {
        if (value is MappingNode)
        {
            return true;
        }

        if (value is not SequenceNode sequence || sequence.Items.Count == 0)
        {
            return false;
        }

        foreach (var item in sequence.Items)
        {
            if (item is not MappingNode)
            {
                return false;
            }
        }

        return true;
    }

    private sealed class Frame
    {
        public Frame(CatalogNode node, NodeEvent nodeEvent, bool isFlow)
        {
            Node = node;
            Event = nodeEvent;
            IsFlow = isFlow;
        }

        public CatalogNode Node { get; }

        public NodeEvent Event { get; }

        public bool IsFlow { get; }

        public CatalogNode? PendingKey { get; set; }

        public int LastChildEnd { get; set; } = -1;
    }
}
