using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using StratumAI.Catalog;
using StratumAI.Generator.Model;

namespace StratumAI.Generator.Parser;

/// <summary>
/// Turns the types an <c>[LlmCall]</c> method reads or writes as JSON into <see cref="JsonTypeSpec"/> entries (plain
/// values), and writes the output type's JSON schema. Symbols stay inside this class; an unsupported type is a message,
/// never an exception.
/// </summary>
internal sealed class JsonTypeParser
{
    private const int MaxTypes = 128;

    private static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    private readonly Compilation _compilation;
    private readonly INamedTypeSymbol _within;
    private readonly CancellationToken _cancellationToken;
    private readonly List<JsonTypeSpec?> _types = new();
    private readonly Dictionary<string, int> _byName = new(StringComparer.Ordinal);

    public JsonTypeParser(Compilation compilation, INamedTypeSymbol within, CancellationToken cancellationToken)
    {
        _compilation = compilation;
        _within = within;
        _cancellationToken = cancellationToken;
    }

    public int Count => _types.Count;

    /// <summary>Whether a parameter of this type is formatted into a template as JSON rather than with its invariant <c>ToString</c>.</summary>
    public static bool IsJsonParameter(ITypeSymbol type)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            type = nullable.TypeArguments[0];
        }

        if (type.SpecialType == SpecialType.System_String)
        {
            return false;
        }

        if (type is IArrayTypeSymbol)
        {
            return true;
        }

        if (type is not INamedTypeSymbol named || named.TypeKind is TypeKind.Enum or TypeKind.Delegate or TypeKind.Error || named.SpecialType != SpecialType.None)
        {
            return false;
        }

        if (CollectionElement(named) is not null)
        {
            return true;
        }

        // Framework types (Uri, TimeSpan, Version…) and anything formattable keep their own text.
        if (named.TypeKind is not (TypeKind.Class or TypeKind.Struct) || IsFrameworkType(named))
        {
            return false;
        }

        return !named.AllInterfaces.Any(i => i.ToDisplayString() == "System.IFormattable");
    }

    /// <summary>Adds a type (and every type it reaches); returns its index, or -1 with <paramref name="error"/> saying why it cannot be.</summary>
    public int Add(ITypeSymbol type, out string? error)
    {
        error = null;
        var start = _types.Count;
        try
        {
            return AddCore(type);
        }
        catch (UnsupportedTypeException ex)
        {
            // Forget the half-described types, so a later parameter reaching one of them is judged afresh.
            foreach (var added in _byName.Where(p => p.Value >= start).Select(p => p.Key).ToList())
            {
                _byName.Remove(added);
            }

            _types.RemoveRange(start, _types.Count - start);
            error = ex.Message;
            return -1;
        }
    }

    public EquatableArray<JsonTypeSpec> Build()
        => EquatableArray<JsonTypeSpec>.UnsafeWrap(_types.Select(t => t!).ToArray());

    private int AddCore(ITypeSymbol type)
    {
        _cancellationToken.ThrowIfCancellationRequested();
        var name = NameOf(type);
        if (_byName.TryGetValue(name, out var existing))
        {
            if (_types[existing] is null)
            {
                throw new UnsupportedTypeException("'" + type.ToDisplayString() + "' refers to itself; a structured type cannot be recursive");
            }

            return existing;
        }

        if (_types.Count >= MaxTypes)
        {
            throw new UnsupportedTypeException("it reaches more than " + MaxTypes.ToString(CultureInfo.InvariantCulture) + " types");
        }

        var index = _types.Count;
        _types.Add(null);
        _byName[name] = index;
        _types[index] = Describe(type, name);
        return index;
    }

    private JsonTypeSpec Describe(ITypeSymbol type, string name)
    {
        var display = type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
        var primitive = Primitive(type);
        if (primitive is { } kind)
        {
            return Simple(kind, name, display, type.IsValueType);
        }

        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            var element = AddCore(nullable.TypeArguments[0]);
            return Simple(JsonTypeKind.Nullable, name, display, true) with { Element = element };
        }

        if (type is IArrayTypeSymbol array)
        {
            if (array.Rank != 1)
            {
                throw new UnsupportedTypeException("the multi-dimensional array '" + display + "' has no JSON form; use an array of arrays");
            }

            return Collection(JsonTypeKind.Array, name, display, array.ElementType);
        }

        if (type is not INamedTypeSymbol named)
        {
            throw new UnsupportedTypeException(Unsupported(type));
        }

        if (named.TypeKind == TypeKind.Enum)
        {
            var members = named.GetMembers().OfType<IFieldSymbol>().Where(f => f.HasConstantValue && f.IsStatic).Select(f => f.Name).ToArray();
            return Simple(JsonTypeKind.Enum, name, display, true) with { EnumMembers = EquatableArray<string>.UnsafeWrap(members) };
        }

        if (CollectionElement(named) is { } itemType)
        {
            return Collection(JsonTypeKind.List, name, display, itemType);
        }

        return DescribeObject(named, name, display);
    }

    private JsonTypeSpec Collection(JsonTypeKind kind, string name, string display, ITypeSymbol itemType)
    {
        var element = AddCore(itemType);
        return Simple(kind, name, display, false) with
        {
            Element = element,
            ElementAllowsNull = AllowsNull(itemType),
            ElementTypeName = itemType.ToDisplayString(TypeFormat),
        };
    }

    private JsonTypeSpec DescribeObject(INamedTypeSymbol type, string name, string display)
    {
        if (type.TypeKind is not (TypeKind.Class or TypeKind.Struct) || type.IsAbstract || type.IsStatic || type.IsRefLikeType
            || type.IsTupleType || type.SpecialType != SpecialType.None || IsFrameworkType(type) || type.IsUnboundGenericType)
        {
            throw new UnsupportedTypeException(Unsupported(type));
        }

        if (!_compilation.IsSymbolAccessibleWithin(type, _within))
        {
            throw new UnsupportedTypeException("'" + display + "' is not accessible to the generated code");
        }

        var constructor = ChooseConstructor(type)
            ?? throw new UnsupportedTypeException("'" + display + "' has no constructor the generated code can call (a parameterless one, a single one, or one marked [JsonConstructor])");

        var properties = new List<JsonPropertySpec>();
        var matched = new bool[constructor.Parameters.Length];
        foreach (var property in DataProperties(type))
        {
            var jsonName = JsonName(property, property.Name);
            var allowNull = AllowsNull(property.Type);
            var parameterIndex = -1;
            for (var i = 0; i < constructor.Parameters.Length; i++)
            {
                if (!matched[i] && string.Equals(constructor.Parameters[i].Name, property.Name, StringComparison.OrdinalIgnoreCase)
                    && SymbolEqualityComparer.Default.Equals(constructor.Parameters[i].Type.WithNullableAnnotation(NullableAnnotation.None), property.Type.WithNullableAnnotation(NullableAnnotation.None)))
                {
                    parameterIndex = i;
                    matched[i] = true;
                    break;
                }
            }

            JsonAssignKind assign;
            bool required;
            string? defaultValue = null;
            if (parameterIndex >= 0)
            {
                assign = JsonAssignKind.Constructor;
                var parameter = constructor.Parameters[parameterIndex];
                defaultValue = parameter.HasExplicitDefaultValue ? DefaultLiteral(parameter) : null;
                required = defaultValue is null && !(parameter.HasExplicitDefaultValue && allowNull);
                defaultValue ??= parameter.HasExplicitDefaultValue ? "default!" : null;
            }
            else if (property.SetMethod is { } setter && _compilation.IsSymbolAccessibleWithin(setter, _within))
            {
                assign = setter.IsInitOnly || property.IsRequired ? JsonAssignKind.Initializer : JsonAssignKind.Setter;

                // An init accessor cannot be skipped when the JSON lacks the property, so only a nullable one is optional.
                required = property.IsRequired || (assign == JsonAssignKind.Initializer && !allowNull);
            }
            else
            {
                // Read-only and computed properties are not part of what the model answers.
                continue;
            }

            required |= HasAttribute(property, "System.Text.Json.Serialization.JsonRequiredAttribute");
            var canWrite = property.GetMethod is { } getter && _compilation.IsSymbolAccessibleWithin(getter, _within);
            var typeIndex = AddMember(property.Type, display, property.Name);
            properties.Add(new JsonPropertySpec(jsonName, Emitter.Literals.Identifier(property.Name), typeIndex, allowNull, required, assign, parameterIndex, defaultValue, canWrite, DescriptionOf(property)));
        }

        for (var i = 0; i < constructor.Parameters.Length; i++)
        {
            if (matched[i])
            {
                continue;
            }

            // A constructor parameter no property carries: read from JSON, never written back.
            var parameter = constructor.Parameters[i];
            var defaultValue = parameter.HasExplicitDefaultValue ? DefaultLiteral(parameter) ?? "default!" : null;
            var typeIndex = AddMember(parameter.Type, display, parameter.Name);
            properties.Add(new JsonPropertySpec(JsonName(parameter, parameter.Name), null, typeIndex, AllowsNull(parameter.Type), defaultValue is null, JsonAssignKind.Constructor, i, defaultValue, false, DescriptionOf(parameter)));
        }

        return Simple(JsonTypeKind.Object, name, display, type.IsValueType) with
        {
            Properties = EquatableArray<JsonPropertySpec>.UnsafeWrap(properties.ToArray()),
            ConstructorParameterCount = constructor.Parameters.Length,
            Description = DescriptionOf(type),
        };
    }

    private int AddMember(ITypeSymbol type, string owner, string member)
    {
        try
        {
            return AddCore(type);
        }
        catch (UnsupportedTypeException ex) when (!ex.Message.StartsWith("the property", StringComparison.Ordinal))
        {
            throw new UnsupportedTypeException("the property '" + owner + "." + member + "': " + ex.Message);
        }
    }

    private IMethodSymbol? ChooseConstructor(INamedTypeSymbol type)
    {
        var candidates = type.InstanceConstructors
            .Where(c => _compilation.IsSymbolAccessibleWithin(c, _within) && !IsCopyConstructor(c, type))
            .ToList();
        var marked = candidates.FirstOrDefault(c => HasAttribute(c, "System.Text.Json.Serialization.JsonConstructorAttribute"));
        if (marked is not null)
        {
            return marked;
        }

        var withParameters = candidates.Where(c => c.Parameters.Length > 0).ToList();
        var parameterless = candidates.FirstOrDefault(c => c.Parameters.Length == 0);

        // A struct always has a parameterless constructor; a positional record struct still means its primary one.
        if (type.IsValueType && withParameters.Count == 1)
        {
            return withParameters[0];
        }

        return parameterless ?? (withParameters.Count == 1 ? withParameters[0] : null);
    }

    private static bool IsCopyConstructor(IMethodSymbol constructor, INamedTypeSymbol type)
        => constructor.Parameters.Length == 1 && SymbolEqualityComparer.Default.Equals(constructor.Parameters[0].Type.OriginalDefinition, type.OriginalDefinition);

    /// <summary>Public instance properties, base type first, a redeclared name once (the most derived declaration).</summary>
    private static IEnumerable<IPropertySymbol> DataProperties(INamedTypeSymbol type)
    {
        var chain = new List<INamedTypeSymbol>();
        for (var current = type; current is not null && current.SpecialType is not (SpecialType.System_Object or SpecialType.System_ValueType); current = current.BaseType)
        {
            chain.Add(current);
        }

        chain.Reverse();
        var order = new List<string>();
        var byName = new Dictionary<string, IPropertySymbol>(StringComparer.Ordinal);
        foreach (var declaring in chain)
        {
            foreach (var member in declaring.GetMembers())
            {
                if (member is not IPropertySymbol { IsStatic: false, IsIndexer: false, DeclaredAccessibility: Accessibility.Public } property
                    || property.Name == "EqualityContract"
                    || HasAttribute(property, "System.Text.Json.Serialization.JsonIgnoreAttribute"))
                {
                    continue;
                }

                if (!byName.ContainsKey(property.Name))
                {
                    order.Add(property.Name);
                }

                byName[property.Name] = property;
            }
        }

        return order.Select(n => byName[n]);
    }

    private static ITypeSymbol? CollectionElement(INamedTypeSymbol type)
    {
        if (!type.IsGenericType || type.TypeArguments.Length != 1)
        {
            return null;
        }

        var definition = type.OriginalDefinition;
        return definition.SpecialType is SpecialType.System_Collections_Generic_IEnumerable_T
                   or SpecialType.System_Collections_Generic_IList_T
                   or SpecialType.System_Collections_Generic_ICollection_T
                   or SpecialType.System_Collections_Generic_IReadOnlyList_T
                   or SpecialType.System_Collections_Generic_IReadOnlyCollection_T
               || definition.ToDisplayString() == "System.Collections.Generic.List<T>"
            ? type.TypeArguments[0]
            : null;
    }

    private static JsonTypeKind? Primitive(ITypeSymbol type)
    {
        switch (type.SpecialType)
        {
            case SpecialType.System_String: return JsonTypeKind.String;
            case SpecialType.System_Boolean: return JsonTypeKind.Boolean;
            case SpecialType.System_Byte: return JsonTypeKind.Byte;
            case SpecialType.System_SByte: return JsonTypeKind.SByte;
            case SpecialType.System_Int16: return JsonTypeKind.Int16;
            case SpecialType.System_UInt16: return JsonTypeKind.UInt16;
            case SpecialType.System_Int32: return JsonTypeKind.Int32;
            case SpecialType.System_UInt32: return JsonTypeKind.UInt32;
            case SpecialType.System_Int64: return JsonTypeKind.Int64;
            case SpecialType.System_UInt64: return JsonTypeKind.UInt64;
            case SpecialType.System_Single: return JsonTypeKind.Single;
            case SpecialType.System_Double: return JsonTypeKind.Double;
            case SpecialType.System_Decimal: return JsonTypeKind.Decimal;
            case SpecialType.System_DateTime: return JsonTypeKind.DateTime;
        }

        return type.ToDisplayString() switch
        {
            "System.DateTimeOffset" => JsonTypeKind.DateTimeOffset,
            "System.Guid" => JsonTypeKind.Guid,
            _ => null,
        };
    }

    private static bool IsFrameworkType(INamedTypeSymbol type)
    {
        var ns = type.ContainingNamespace?.ToDisplayString() ?? string.Empty;
        return ns == "System" || ns.StartsWith("System.", StringComparison.Ordinal) || ns.StartsWith("Microsoft.", StringComparison.Ordinal);
    }

    private static string Unsupported(ITypeSymbol type)
    {
        var display = type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
        return type.TypeKind switch
        {
            TypeKind.TypeParameter => "the type parameter '" + display + "' is not known at compile time, so it has no schema",
            TypeKind.Interface => "the interface '" + display + "' cannot be created from JSON; use a class, record or struct (or a list or array)",
            _ when type.IsAbstract => "the abstract type '" + display + "' cannot be created from JSON",
            _ when type.SpecialType == SpecialType.System_Object || type.TypeKind == TypeKind.Dynamic => "'" + display + "' has no fixed shape, so it has no schema",
            _ => "'" + display + "' is not supported (supported: string, bool, numbers, enums, DateTime, DateTimeOffset, Guid, Nullable<T>, arrays, List<T> and its interfaces, classes, records and structs)",
        };
    }

    private static bool AllowsNull(ITypeSymbol type)
        => type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T }
           || (!type.IsValueType && type.NullableAnnotation != NullableAnnotation.NotAnnotated);

    private static string NameOf(ITypeSymbol type)
        => (type.IsValueType ? type : type.WithNullableAnnotation(NullableAnnotation.NotAnnotated)).ToDisplayString(TypeFormat);

    private static JsonTypeSpec Simple(JsonTypeKind kind, string name, string display, bool isValueType)
        => new(kind, name, display, isValueType, -1, false, null, EquatableArray<JsonPropertySpec>.Empty, 0, EquatableArray<string>.Empty, null);

    private static bool HasAttribute(ISymbol symbol, string name)
        => symbol.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == name);

    private static string JsonName(ISymbol symbol, string name)
    {
        foreach (var attribute in symbol.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() == "System.Text.Json.Serialization.JsonPropertyNameAttribute"
                && attribute.ConstructorArguments.Length == 1
                && attribute.ConstructorArguments[0].Value is string { Length: > 0 } given)
            {
                return given;
            }
        }

        return CamelCase(name);
    }

    /// <summary>System.Text.Json's camelCase rule: lower the leading run of capitals, keeping the last one before a lower-case letter.</summary>
    internal static string CamelCase(string name)
    {
        if (name.Length == 0 || !char.IsUpper(name[0]))
        {
            return name;
        }

        var chars = name.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (i == 1 && !char.IsUpper(chars[i]))
            {
                break;
            }

            var hasNext = i + 1 < chars.Length;
            if (i > 0 && hasNext && !char.IsUpper(chars[i + 1]))
            {
                if (chars[i + 1] == ' ')
                {
                    chars[i] = char.ToLowerInvariant(chars[i]);
                }

                break;
            }

            chars[i] = char.ToLowerInvariant(chars[i]);
        }

        return new string(chars);
    }

    private static string? DescriptionOf(ISymbol symbol)
    {
        foreach (var attribute in symbol.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() == "System.ComponentModel.DescriptionAttribute"
                && attribute.ConstructorArguments.Length == 1
                && attribute.ConstructorArguments[0].Value is string { Length: > 0 } text)
            {
                return text;
            }
        }

        return null;
    }

    /// <summary>The C# expression of a constructor parameter's default value, or null when it has none the generator can write.</summary>
    private static string? DefaultLiteral(IParameterSymbol parameter)
    {
        var value = parameter.ExplicitDefaultValue;
        var type = parameter.Type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable ? nullable.TypeArguments[0] : parameter.Type;
        if (value is null)
        {
            return "default!";
        }

        if (type.TypeKind == TypeKind.Enum)
        {
            return "(" + type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + ")(" + SymbolDisplay.FormatPrimitive(value, quoteStrings: false, useHexadecimalNumbers: false) + ")";
        }

        return value switch
        {
            string s => SymbolDisplay.FormatLiteral(s, quote: true),
            bool b => b ? "true" : "false",
            char c => SymbolDisplay.FormatLiteral(c, quote: true),
            decimal d => d.ToString(CultureInfo.InvariantCulture) + "m",
            float f => float.IsNaN(f) || float.IsInfinity(f) ? null : f.ToString("R", CultureInfo.InvariantCulture) + "f",
            double d => double.IsNaN(d) || double.IsInfinity(d) ? null : d.ToString("R", CultureInfo.InvariantCulture) + "d",
            _ => "(" + type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + ")(" + Convert.ToString(value, CultureInfo.InvariantCulture) + ")",
        };
    }

    /// <summary>The JSON schema of an entry, as compact JSON: every property listed as required (nullable ones accept null), no others allowed.</summary>
    public static string Schema(EquatableArray<JsonTypeSpec> types, int root)
    {
        var builder = new StringBuilder();
        WriteSchema(builder, types, root, allowNull: false, description: null);
        return builder.ToString();
    }

    private static void WriteSchema(StringBuilder builder, EquatableArray<JsonTypeSpec> types, int index, bool allowNull, string? description)
    {
        var type = types[index];
        if (type.Kind == JsonTypeKind.Nullable)
        {
            WriteSchema(builder, types, type.Element, allowNull: true, description);
            return;
        }

        builder.Append('{');
        var jsonType = type.Kind switch
        {
            JsonTypeKind.Boolean => "boolean",
            JsonTypeKind.Byte or JsonTypeKind.SByte or JsonTypeKind.Int16 or JsonTypeKind.UInt16 or JsonTypeKind.Int32
                or JsonTypeKind.UInt32 or JsonTypeKind.Int64 or JsonTypeKind.UInt64 => "integer",
            JsonTypeKind.Single or JsonTypeKind.Double or JsonTypeKind.Decimal => "number",
            JsonTypeKind.Array or JsonTypeKind.List => "array",
            JsonTypeKind.Object => "object",
            _ => "string",
        };
        builder.Append("\"type\":");
        if (allowNull)
        {
            builder.Append("[\"").Append(jsonType).Append("\",\"null\"]");
        }
        else
        {
            builder.Append('"').Append(jsonType).Append('"');
        }

        description ??= type.Description;
        if (description is not null)
        {
            builder.Append(",\"description\":");
            AppendJsonString(builder, description);
        }

        switch (type.Kind)
        {
            case JsonTypeKind.DateTime:
            case JsonTypeKind.DateTimeOffset:
                builder.Append(",\"format\":\"date-time\"");
                break;
            case JsonTypeKind.Guid:
                builder.Append(",\"format\":\"uuid\"");
                break;
            case JsonTypeKind.Enum:
                builder.Append(",\"enum\":[");
                for (var i = 0; i < type.EnumMembers.Count; i++)
                {
                    builder.Append(i > 0 ? "," : string.Empty);
                    AppendJsonString(builder, type.EnumMembers[i]);
                }

                builder.Append(allowNull ? ",null]" : "]");
                break;
            case JsonTypeKind.Array:
            case JsonTypeKind.List:
                builder.Append(",\"items\":");
                WriteSchema(builder, types, type.Element, type.ElementAllowsNull, null);
                break;
            case JsonTypeKind.Object:
                builder.Append(",\"properties\":{");
                for (var i = 0; i < type.Properties.Count; i++)
                {
                    var property = type.Properties[i];
                    builder.Append(i > 0 ? "," : string.Empty);
                    AppendJsonString(builder, property.JsonName);
                    builder.Append(':');
                    WriteSchema(builder, types, property.Type, property.AllowNull, property.Description);
                }

                builder.Append("},\"required\":[");
                for (var i = 0; i < type.Properties.Count; i++)
                {
                    builder.Append(i > 0 ? "," : string.Empty);
                    AppendJsonString(builder, type.Properties[i].JsonName);
                }

                builder.Append("],\"additionalProperties\":false");
                break;
        }

        builder.Append('}');
    }

    private static void AppendJsonString(StringBuilder builder, string value)
    {
        builder.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                default:
                    if (c < ' ')
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        builder.Append('"');
    }

    /// <summary>Signals an unsupported type from deep in the walk; caught by <see cref="Add"/>, never leaves this class.</summary>
    private sealed class UnsupportedTypeException(string message) : Exception(message);
}
