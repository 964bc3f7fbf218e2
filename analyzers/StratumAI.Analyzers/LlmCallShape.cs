using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using StratumAI.Catalog;

namespace StratumAI.Analyzers;

/// <summary>A model named in code: a <c>Model</c> member or a string id, resolved against the catalog when possible.</summary>
internal readonly struct ModelReference
{
    public ModelReference(ExpressionSyntax expression, string? stringId, string? enumMember, INamedTypeSymbol? enumType, CatalogModel? model)
    {
        Expression = expression;
        StringId = stringId;
        EnumMember = enumMember;
        EnumType = enumType;
        Model = model;
    }

    public ExpressionSyntax Expression { get; }

    /// <summary>The id when the model is written as a string constant.</summary>
    public string? StringId { get; }

    /// <summary>The member name when the model is written as <c>Model.X</c>.</summary>
    public string? EnumMember { get; }

    /// <summary>The enum type <c>Model.X</c> bound to, when it bound.</summary>
    public INamedTypeSymbol? EnumType { get; }

    /// <summary>The catalog model, when the reference names one.</summary>
    public CatalogModel? Model { get; }

    public string Display => Model is { } model ? "'" + model.Id + "'" : StringId is not null ? "'" + StringId + "'" : "Model." + EnumMember;

    public static ModelReference? Resolve(ExpressionSyntax expression, SemanticModel semanticModel, CatalogSnapshot catalog, CancellationToken cancellationToken)
    {
        var constant = semanticModel.GetConstantValue(expression, cancellationToken);
        if (constant.HasValue && constant.Value is string id)
        {
            return new ModelReference(expression, id, null, null, catalog.TryGetById(id, out var byId) ? byId : null);
        }

        if (semanticModel.GetSymbolInfo(expression, cancellationToken).Symbol is IFieldSymbol { ContainingType.TypeKind: TypeKind.Enum } field)
        {
            return new ModelReference(expression, null, field.Name, field.ContainingType, catalog.TryGetByEnumName(field.Name, out var byEnum) ? byEnum : null);
        }

        // The generated enum does not bind when the generator did not run (design-time builds without it):
        // fall back to the member name, as the generator itself reads it.
        if (expression is MemberAccessExpressionSyntax { Name: IdentifierNameSyntax member } access
            && LastName(access.Expression) is { } typeName
            && typeName.EndsWith("Model", StringComparison.Ordinal))
        {
            var name = member.Identifier.ValueText;
            return new ModelReference(expression, null, name, null, catalog.TryGetByEnumName(name, out var byName) ? byName : null);
        }

        return null;
    }

    private static string? LastName(ExpressionSyntax expression) => expression switch
    {
        IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
        MemberAccessExpressionSyntax access => access.Name.Identifier.ValueText,
        AliasQualifiedNameSyntax alias => alias.Name.Identifier.ValueText,
        QualifiedNameSyntax qualified => qualified.Right.Identifier.ValueText,
        _ => null,
    };
}

/// <summary>What an <c>[LlmCall]</c> method's signature asks of a model.</summary>
internal static class LlmCallShape
{
    public const string Streaming = "streaming";
    public const string JsonSchema = "json_schema";
    public const string Vision = "vision";

    private static readonly char[] PlaceholderSeparators = { ',', ':' };

    /// <summary>Capabilities the return type and parameters need, in a stable order.</summary>
    public static List<string> RequiredCapabilities(IMethodSymbol method, ISet<string> templateNames)
    {
        var required = new List<string>();
        if (method.ReturnType is INamedTypeSymbol { IsGenericType: true } returnType)
        {
            var definition = returnType.OriginalDefinition.ToDisplayString();
            if (definition == "System.Collections.Generic.IAsyncEnumerable<T>")
            {
                required.Add(Streaming);
            }
            else if (definition is "System.Threading.Tasks.Task<TResult>" or "System.Threading.Tasks.ValueTask<TResult>")
            {
                var value = returnType.TypeArguments[0];
                if (value is INamedTypeSymbol { IsGenericType: true } wrapped && wrapped.OriginalDefinition.ToDisplayString() == "StratumAI.LlmResult<T>")
                {
                    value = wrapped.TypeArguments[0];
                }

                if (value.SpecialType != SpecialType.System_String
                    && value.TypeKind != TypeKind.Error
                    && value.ToDisplayString() != "Microsoft.Extensions.AI.ChatResponse")
                {
                    required.Add(JsonSchema);
                }
            }
        }

        if (method.Parameters.Any(p => IsImage(p, templateNames)))
        {
            required.Add(Vision);
        }

        return required;
    }

    /// <summary>Whether a parameter travels as an image: <c>DataContent</c> (or a sequence of them), or a <c>Uri</c> no template formats as text.</summary>
    public static bool IsImage(IParameterSymbol parameter, ISet<string> templateNames)
    {
        var type = ElementType(parameter.Type);
        var name = type.ToDisplayString();
        return name == "Microsoft.Extensions.AI.DataContent"
               || (name == "System.Uri" && !templateNames.Contains(parameter.Name));
    }

    /// <summary>Parameters the generated body passes without a template: cancellation, options, history and images.</summary>
    public static bool TravelsWithoutTemplate(IParameterSymbol parameter, ISet<string> templateNames)
    {
        // The generator sends only the first ChatOptions parameter, and only a single instance (not a list of them).
        if (IsChatOptions(ElementType(parameter.Type)))
        {
            return IsChatOptions(parameter.Type)
                   && parameter.ContainingSymbol is IMethodSymbol method
                   && method.Parameters.First(p => IsChatOptions(p.Type)).Ordinal == parameter.Ordinal;
        }

        var type = ElementType(parameter.Type).ToDisplayString();
        return type is "System.Threading.CancellationToken" or "Microsoft.Extensions.AI.ChatMessage"
               || IsImage(parameter, templateNames);
    }

    private static bool IsChatOptions(ITypeSymbol type)
        => type is INamedTypeSymbol { Name: "ChatOptions", ContainingNamespace: { } ns } && ns.ToDisplayString() == "Microsoft.Extensions.AI";

    private static ITypeSymbol ElementType(ITypeSymbol type)
    {
        if (type is IArrayTypeSymbol array)
        {
            return array.ElementType;
        }

        if (type is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } named
            && (named.OriginalDefinition.SpecialType is SpecialType.System_Collections_Generic_IEnumerable_T
                    or SpecialType.System_Collections_Generic_IList_T
                    or SpecialType.System_Collections_Generic_IReadOnlyList_T
                    or SpecialType.System_Collections_Generic_ICollection_T
                    or SpecialType.System_Collections_Generic_IReadOnlyCollection_T
                || named.OriginalDefinition.ToDisplayString() == "System.Collections.Generic.List<T>"))
        {
            return named.TypeArguments[0];
        }

        return type.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T && type is INamedTypeSymbol nullable
            ? nullable.TypeArguments[0]
            : type;
    }

    /// <summary>
    /// The parameter names a template refers to, or null when the template is malformed (the generator reports that).
    /// Accepts <c>{name}</c>, <c>{name,alignment}</c>, <c>{name:format}</c>; <c>{{</c> and <c>}}</c> are literal braces.
    /// </summary>
    public static HashSet<string>? Placeholders(string template)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        while (i < template.Length)
        {
            var c = template[i];
            if (c == '{')
            {
                if (i + 1 < template.Length && template[i + 1] == '{')
                {
                    i += 2;
                    continue;
                }

                var close = template.IndexOf('}', i + 1);
                if (close < 0)
                {
                    return null;
                }

                var content = template.Substring(i + 1, close - i - 1);
                var end = content.IndexOfAny(PlaceholderSeparators);
                var name = (end < 0 ? content : content.Substring(0, end)).Trim();
                if (name.Length == 0 || !SyntaxFacts.IsValidIdentifier(name))
                {
                    return null;
                }

                names.Add(name);
                i = close + 1;
            }
            else if (c == '}')
            {
                if (i + 1 < template.Length && template[i + 1] == '}')
                {
                    i += 2;
                    continue;
                }

                return null;
            }
            else
            {
                i++;
            }
        }

        return names;
    }

    /// <summary>The model expressions of <c>Fallback = X</c> and <c>Fallbacks = new[] { Y, Z }</c> (or <c>[Y, Z]</c>), in the order they are tried.</summary>
    public static List<ExpressionSyntax> FallbackExpressions(AttributeSyntax attribute)
    {
        var result = new List<ExpressionSyntax>();
        var single = NamedArgument(attribute, "Fallback");
        if (single is not null && !single.Expression.IsKind(SyntaxKind.NullLiteralExpression))
        {
            result.Add(single.Expression);
        }

        var list = NamedArgument(attribute, "Fallbacks")?.Expression;
        IEnumerable<ExpressionSyntax> elements = list switch
        {
            ArrayCreationExpressionSyntax { Initializer: { } init } => init.Expressions,
            ImplicitArrayCreationExpressionSyntax { Initializer: { } init } => init.Expressions,
            CollectionExpressionSyntax collection => collection.Elements.OfType<ExpressionElementSyntax>().Select(e => e.Expression),
            _ => Enumerable.Empty<ExpressionSyntax>(),
        };
        result.AddRange(elements);
        return result;
    }

    public static AttributeArgumentSyntax? NamedArgument(AttributeSyntax attribute, string name)
        => attribute.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name);

    public static ExpressionSyntax? PrimaryModel(AttributeSyntax attribute)
        => attribute.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals is null && (a.NameColon is null || a.NameColon.Name.Identifier.ValueText == "model"))?.Expression;

    /// <summary>Whether an attribute's name could be <c>LlmCall</c>, before any binding.</summary>
    public static bool MayBeLlmCall(AttributeSyntax attribute)
    {
        var name = attribute.Name switch
        {
            QualifiedNameSyntax q => q.Right.Identifier.ValueText,
            AliasQualifiedNameSyntax a => a.Name.Identifier.ValueText,
            SimpleNameSyntax s => s.Identifier.ValueText,
            _ => string.Empty,
        };
        return name is "LlmCall" or "LlmCallAttribute";
    }
}
