using System.Globalization;
using System.Text;

namespace StratumAI.Catalog;

/// <summary>
/// The naming rules of the catalog: how model ids become <c>Model</c> enum members and provider
/// names become type names. Implemented once here so the generator, analyzers and tools agree.
/// </summary>
public static class CatalogNames
{
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const",
        "continue", "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern",
        "false", "finally", "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface",
        "internal", "is", "lock", "long", "namespace", "new", "null", "object", "operator", "out", "override",
        "params", "private", "protected", "public", "readonly", "ref", "return", "sbyte", "sealed", "short",
        "sizeof", "stackalloc", "static", "string", "struct", "switch", "this", "throw", "true", "try", "typeof",
        "uint", "ulong", "unchecked", "unsafe", "ushort", "using", "virtual", "void", "volatile", "while",
        "__arglist", "__makeref", "__reftype", "__refvalue",
    };

    /// <summary>
    /// Derives the <c>Model</c> enum member name from a model id: the id is split on every char
    /// that is not an ASCII letter or digit, the first char of each part is upper-cased (the rest
    /// is kept as written), the parts are joined, and <c>M</c> is prefixed when the result starts
    /// with a digit. <c>gpt-4o</c> → <c>Gpt4o</c>, <c>claude-3-5-sonnet</c> → <c>Claude35Sonnet</c>.
    /// </summary>
    /// <param name="id">The model id; null gives an empty string.</param>
    /// <returns>The derived name; empty when the id has no letters or digits.</returns>
    public static string DeriveEnumName(string? id)
    {
        if (string.IsNullOrEmpty(id))
        {
            return string.Empty;
        }

        var builder = new StringBuilder(id!.Length + 1);
        var startOfPart = true;
        foreach (var c in id)
        {
            if (IsAsciiLetterOrDigit(c))
            {
                builder.Append(startOfPart && c >= 'a' && c <= 'z' ? (char)(c - 32) : c);
                startOfPart = false;
            }
            else
            {
                startOfPart = true;
            }
        }

        if (builder.Length > 0 && builder[0] >= '0' && builder[0] <= '9')
        {
            builder.Insert(0, 'M');
        }

        return builder.ToString();
    }

    /// <summary>
    /// Whether <paramref name="name"/>, although a valid identifier, cannot be a <c>Model</c> enum member: <c>Model</c>
    /// would be named like the enum itself (CS0542) and <c>value__</c> is every enum's backing field (CS0076).
    /// </summary>
    /// <param name="name">The enum member name.</param>
    /// <returns>True when the name is reserved.</returns>
    public static bool IsReservedEnumName(string? name)
        => string.Equals(name, "Model", StringComparison.Ordinal) || string.Equals(name, "value__", StringComparison.Ordinal);

    /// <summary>
    /// The name of a provider's typed enum (<c>OpenAIModel</c> for type name <c>OpenAI</c>), which holds the provider's
    /// models under their <c>Model</c> names; a model of that provider cannot be named like it.
    /// </summary>
    /// <param name="typeName">The provider's type name.</param>
    /// <returns><paramref name="typeName"/> followed by <c>Model</c>.</returns>
    public static string ProviderEnumName(string typeName) => typeName + "Model";

    /// <summary>
    /// Derives the type name of a provider (used for <c>{TypeName}Client</c>) from its display
    /// name by removing every char that is not an ASCII letter, digit or underscore:
    /// <c>OpenAI</c> → <c>OpenAI</c>, <c>Google Gemini</c> → <c>GoogleGemini</c>.
    /// </summary>
    /// <param name="name">The provider's display name; null gives an empty string.</param>
    /// <returns>The derived name, which may still be an invalid identifier (empty, or starting with a digit).</returns>
    public static string DeriveTypeName(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return string.Empty;
        }

        var builder = new StringBuilder(name!.Length);
        foreach (var c in name)
        {
            if (IsAsciiLetterOrDigit(c) || c == '_')
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>
    /// Whether <paramref name="value"/> can be used as written as a C# identifier: it starts with
    /// a letter or underscore, continues with letters, digits, connectors or combining chars, and is
    /// not a reserved keyword (<c>class</c>, <c>int</c>…). Verbatim <c>@</c> names are not accepted,
    /// nor are formatting chars (which C# allows but ignores, so two different names could be one member).
    /// </summary>
    /// <param name="value">The candidate identifier.</param>
    /// <returns>True when it is a valid identifier.</returns>
    public static bool IsValidIdentifier(string? value)
    {
        if (string.IsNullOrEmpty(value) || Keywords.Contains(value!))
        {
            return false;
        }

        if (!IsIdentifierStart(value![0]))
        {
            return false;
        }

        for (var i = 1; i < value.Length; i++)
        {
            if (!IsIdentifierPart(value[i]))
            {
                return false;
            }
        }

        return true;
    }

    internal static bool IsAsciiLetterOrDigit(char c) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');

    private static bool IsIdentifierStart(char c)
    {
        if (c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        {
            return true;
        }

        if (c < 0x80)
        {
            return false;
        }

        return CharUnicodeInfo.GetUnicodeCategory(c) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.LetterNumber => true,
            _ => false,
        };
    }

    private static bool IsIdentifierPart(char c)
    {
        if (IsAsciiLetterOrDigit(c) || c == '_')
        {
            return true;
        }

        if (c < 0x80)
        {
            return false;
        }

        return CharUnicodeInfo.GetUnicodeCategory(c) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.LetterNumber
                or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.ConnectorPunctuation
                or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark => true,

            // C# allows formatting chars (U+200D zero-width joiner…) but ignores them, so "A\u200DB" would be the
            // member "AB" while the catalog saw two names; an invisible char in a name is never intended anyway.
            _ => false,
        };
    }
}
