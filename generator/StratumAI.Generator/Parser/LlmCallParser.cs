using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using StratumAI.Catalog;
using StratumAI.Generator.Model;

namespace StratumAI.Generator.Parser;

/// <summary>Reads an <c>[LlmCall]</c> method into an <see cref="LlmCallSpec"/>; symbols stay inside this class.</summary>
internal static class LlmCallParser
{
    public const string AttributeMetadataName = "StratumAI.LlmCallAttribute";
    private const string StratumClientName = "global::StratumAI.StratumClient";
    private const string ChatClientName = "global::Microsoft.Extensions.AI.IChatClient";
    private const string CancellationTokenName = "global::System.Threading.CancellationToken";

    private static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    /// <summary>The cheap syntactic filter: a method declaration (the attribute name was already matched).</summary>
    public static bool IsCandidate(SyntaxNode node, CancellationToken cancellationToken) => node is MethodDeclarationSyntax;

    public static LlmCallParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetNode is not MethodDeclarationSyntax syntax || context.TargetSymbol is not IMethodSymbol method)
        {
            return new LlmCallParseResult(null, EquatableArray<DiagnosticInfo>.Empty);
        }

        // The user wrote the body themselves: nothing to generate.
        if (method.PartialImplementationPart is not null || method.PartialDefinitionPart is not null)
        {
            return new LlmCallParseResult(null, EquatableArray<DiagnosticInfo>.Empty);
        }

        var diagnostics = new List<DiagnosticInfo>();
        var methodLocation = LocationInfo.From(syntax.Identifier.GetLocation());
        var canEmit = true;

        if (!syntax.Modifiers.Any(SyntaxKind.PartialKeyword) || syntax.Body is not null || syntax.ExpressionBody is not null)
        {
            diagnostics.Add(DiagnosticInfo.Create(
                DiagnosticDescriptors.NotPartialId,
                methodLocation,
                "The [LlmCall] method '" + method.Name + "' must be a partial method without a body, so StratumAI can generate its body"));
            canEmit = false;
        }

        var containingTypes = new List<ContainingTypeSpec>();
        for (var node = syntax.Parent; node is not null; node = node.Parent)
        {
            if (node is TypeDeclarationSyntax type)
            {
                if (!type.Modifiers.Any(SyntaxKind.PartialKeyword))
                {
                    diagnostics.Add(DiagnosticInfo.Create(
                        DiagnosticDescriptors.NotPartialId,
                        LocationInfo.From(type.Identifier.GetLocation()),
                        "The type '" + type.Identifier.ValueText + "' contains the [LlmCall] method '" + method.Name + "' and must be partial"));
                    canEmit = false;
                }

                if (type.Modifiers.Any(SyntaxKind.FileKeyword))
                {
                    diagnostics.Add(DiagnosticInfo.Create(
                        DiagnosticDescriptors.NotPartialId,
                        LocationInfo.From(type.Identifier.GetLocation()),
                        "The file-local type '" + type.Identifier.ValueText + "' cannot hold an [LlmCall] method: generated code lives in another file"));
                    canEmit = false;
                }

                containingTypes.Add(new ContainingTypeSpec(TypeKeyword(type), type.Identifier.ValueText + TypeParameterList(type.TypeParameterList)));
            }
            else if (node is not BaseNamespaceDeclarationSyntax and not CompilationUnitSyntax)
            {
                canEmit = false;
            }
        }

        containingTypes.Reverse();

        // Without an accessibility modifier a non-void partial method is already CS8796 on the user's
        // declaration; an implementation would only repeat that error in generated code.
        if (!method.ReturnsVoid && !syntax.Modifiers.Any(m => m.IsKind(SyntaxKind.PublicKeyword) || m.IsKind(SyntaxKind.PrivateKeyword) || m.IsKind(SyntaxKind.ProtectedKeyword) || m.IsKind(SyntaxKind.InternalKeyword)))
        {
            canEmit = false;
        }

        // A method declared twice is CS0756 in the user's code; generating for the later copies would
        // also give two files the same hint name, which fails the whole generator.
        if (canEmit && method.ContainingType is not null && IsLaterDuplicate(method))
        {
            canEmit = false;
        }

        if (!canEmit || method.ContainingType is null)
        {
            return new LlmCallParseResult(null, ToArray(diagnostics));
        }

        var attribute = FindAttribute(context, syntax, cancellationToken);
        var parameters = new List<ParameterSpec>(method.Parameters.Length);
        var parametersByName = new Dictionary<string, ParameterSpec>(StringComparer.Ordinal);
        string? cancellationTokenName = null;
        for (var i = 0; i < method.Parameters.Length; i++)
        {
            var parameter = method.Parameters[i];
            var parameterSpec = new ParameterSpec(
                ParameterModifiers(parameter, method, i),
                parameter.Type.ToDisplayString(TypeFormat),
                Emitter.Literals.Identifier(parameter.Name),
                parameter.Name);
            parameters.Add(parameterSpec);
            parametersByName[parameter.Name] = parameterSpec;
            if (cancellationTokenName is null
                && parameter.RefKind == RefKind.None
                && parameter.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) == CancellationTokenName)
            {
                cancellationTokenName = parameterSpec.Name;
            }
        }

        // Another diagnostic means the body becomes a stub, so the user sees one error, not a cascade.
        var hasErrors = false;
        var returnTypeText = method.ReturnType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        LlmCallReturnKind returnKind;
        ITypeSymbol? structuredType = null;
        if (returnTypeText == "global::System.Threading.Tasks.Task<string>")
        {
            returnKind = LlmCallReturnKind.Task;
        }
        else if (returnTypeText == "global::System.Threading.Tasks.ValueTask<string>")
        {
            returnKind = LlmCallReturnKind.ValueTask;
        }
        else if (returnTypeText == "global::System.Threading.Tasks.Task<global::Microsoft.Extensions.AI.ChatResponse>")
        {
            returnKind = LlmCallReturnKind.ResponseTask;
        }
        else if (returnTypeText == "global::System.Threading.Tasks.ValueTask<global::Microsoft.Extensions.AI.ChatResponse>")
        {
            returnKind = LlmCallReturnKind.ResponseValueTask;
        }
        else if (returnTypeText == "global::System.Collections.Generic.IAsyncEnumerable<string>")
        {
            returnKind = LlmCallReturnKind.Stream;
        }
        else if (StructuredReturn(method.ReturnType, out var isValueTask, out var isResult) is { } value)
        {
            returnKind = isResult
                ? (isValueTask ? LlmCallReturnKind.ResultValueTask : LlmCallReturnKind.ResultTask)
                : (isValueTask ? LlmCallReturnKind.ObjectValueTask : LlmCallReturnKind.ObjectTask);
            if (!(isResult && value.SpecialType == SpecialType.System_String))
            {
                structuredType = value;
            }
        }
        else
        {
            returnKind = LlmCallReturnKind.Task;
            hasErrors = true;
            diagnostics.Add(DiagnosticInfo.Create(
                DiagnosticDescriptors.UnsupportedReturnTypeId,
                LocationInfo.From(syntax.ReturnType.GetLocation()),
                "The [LlmCall] method '" + method.Name + "' returns '" + method.ReturnType.ToDisplayString() + "'; it must return Task or ValueTask of string, of a class, record or struct (structured output), of LlmResult<T> or of ChatResponse, or IAsyncEnumerable<string>"));
        }

        foreach (var parameter in method.Parameters)
        {
            if (parameter.RefKind == RefKind.Out)
            {
                hasErrors = true;
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.UnsupportedReturnTypeId,
                    LocationInfo.From(parameter.Locations.FirstOrDefault()),
                    "The [LlmCall] method '" + method.Name + "' has the out parameter '" + parameter.Name + "'; an [LlmCall] method returns its answer through its Task or ValueTask only"));
            }
        }

        var addEnumeratorCancellation = false;
        if (returnKind == LlmCallReturnKind.Stream)
        {
            // The body is an async iterator, which cannot take ref, in or out parameters.
            foreach (var parameter in method.Parameters)
            {
                if (parameter.RefKind is RefKind.Ref or RefKind.In or RefKind.RefReadOnlyParameter)
                {
                    hasErrors = true;
                    diagnostics.Add(DiagnosticInfo.Create(
                        DiagnosticDescriptors.UnsupportedReturnTypeId,
                        LocationInfo.From(parameter.Locations.FirstOrDefault()),
                        "The streaming [LlmCall] method '" + method.Name + "' has the by-reference parameter '" + parameter.Name + "'; an IAsyncEnumerable<string> method takes its parameters by value"));
                }
            }

            addEnumeratorCancellation = cancellationTokenName is not null
                && !method.Parameters.Any(p => p.Name == cancellationTokenName.TrimStart('@')
                    && p.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "System.Runtime.CompilerServices.EnumeratorCancellationAttribute"));
        }

        var strategy = ReadStrategy(attribute, context.SemanticModel, cancellationToken);
        var model = ReadModel(attribute, context.SemanticModel, cancellationToken);
        if (strategy is not null && FirstPositionalArgument(attribute) is { } modelArgument)
        {
            hasErrors = true;
            diagnostics.Add(DiagnosticInfo.Create(
                DiagnosticDescriptors.UnknownModelId,
                LocationInfo.From(modelArgument.Expression),
                "[LlmCall] on '" + method.Name + "' names a model and a Strategy; name a model, or let the Strategy pick one per call"));
        }
        else if (strategy is not null)
        {
            model = new ModelReference(ModelReferenceKind.StringId, string.Empty, null);
        }

        if (model is null)
        {
            hasErrors = true;
            diagnostics.Add(DiagnosticInfo.Create(
                DiagnosticDescriptors.UnknownModelId,
                LocationInfo.From((SyntaxNode?)FirstPositionalArgument(attribute)?.Expression ?? attribute ?? (SyntaxNode)syntax),
                "The model of [LlmCall] on '" + method.Name + "' must be a Model member (Model.Gpt4o) or a model id string"));
            model = new ModelReference(ModelReferenceKind.StringId, string.Empty, null);
        }

        var fallbacks = new List<ModelReference>();
        foreach (var expression in FallbackExpressions(attribute))
        {
            if (ReadModelExpression(expression, context.SemanticModel, cancellationToken) is { } fallback)
            {
                fallbacks.Add(fallback);
            }
            else
            {
                hasErrors = true;
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.UnknownModelId,
                    LocationInfo.From(expression),
                    "A fallback of [LlmCall] on '" + method.Name + "' must be a Model member (Model.Gpt4o) or a model id string"));
            }
        }

        var tags = ReadTags(attribute, context.SemanticModel, cancellationToken);

        var systemTemplate = ReadTemplate(attribute, "System", context.SemanticModel, parametersByName, method.Name, diagnostics, cancellationToken, out var systemFailed);
        var promptTemplate = ReadTemplate(attribute, "Prompt", context.SemanticModel, parametersByName, method.Name, diagnostics, cancellationToken, out var promptFailed);
        hasErrors |= systemFailed | promptFailed;
        if (promptTemplate is null && !promptFailed)
        {
            // Without a Prompt, a single text parameter is the user message.
            var textParameters = parameters.Where(p => p.Type == "string" && p.Modifiers.Length == 0).ToList();
            if (textParameters.Count == 1)
            {
                promptTemplate = EquatableArray<TemplateSegment>.UnsafeWrap(new[] { new TemplateSegment(true, textParameters[0].Name, null, null) });
            }
            else
            {
                hasErrors = true;
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.InvalidTemplateId,
                    LocationInfo.From((SyntaxNode?)attribute ?? syntax),
                    "The [LlmCall] method '" + method.Name + "' has no Prompt; set Prompt = \"...{parameter}...\" or take exactly one string parameter"));
            }
        }

        AssignRoles(method, parameters, systemTemplate, promptTemplate);
        var json = ReadJsonModel(context.SemanticModel.Compilation, method, syntax, structuredType, parameters, systemTemplate, promptTemplate, diagnostics, cancellationToken, ref hasErrors);

        var temperature = ReadConstant(attribute, "Temperature", context.SemanticModel, cancellationToken) switch
        {
            double d when !double.IsNaN(d) => (float?)d,
            float f when !float.IsNaN(f) => f,
            int n => n,
            _ => null,
        };
        var maxTokens = ReadConstant(attribute, "MaxTokens", context.SemanticModel, cancellationToken) is int max && max > 0 ? (int?)max : null;
        var cacheSeconds = ReadConstant(attribute, "CacheSeconds", context.SemanticModel, cancellationToken) is int seconds && seconds > 0 ? (int?)seconds : null;

        var client = FindClient(method, parametersByName, cancellationToken);
        if (client is null)
        {
            hasErrors = true;
            diagnostics.Add(DiagnosticInfo.Create(
                DiagnosticDescriptors.NoClientId,
                methodLocation,
                method.IsStatic
                    ? "The static [LlmCall] method '" + method.Name + "' needs a static field or property of type StratumClient or IChatClient on '" + method.ContainingType.Name + "'"
                    : "The [LlmCall] method '" + method.Name + "' needs a client: add a field, property or primary-constructor parameter of type StratumClient or IChatClient to '" + method.ContainingType.Name + "'"));
        }

        var spec = new LlmCallSpec(
            HintName(method),
            method.ContainingType.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : null,
            ToArray(containingTypes),
            string.Join(" ", syntax.Modifiers.Where(m => !m.IsKind(SyntaxKind.PartialKeyword) && !m.IsKind(SyntaxKind.AsyncKeyword)).Select(m => m.Text)),
            method.ReturnType.ToDisplayString(TypeFormat),
            returnKind,
            Emitter.Literals.Identifier(method.Name),
            TypeParameterList(syntax.TypeParameterList),
            ToArray(ConstraintClauses(method)),
            ToArray(parameters),
            model,
            ToArray(fallbacks),
            ToArray(tags),
            systemTemplate,
            promptTemplate,
            temperature,
            maxTokens,
            client ?? new ClientAccess(string.Empty),
            cancellationTokenName,
            hasErrors,
            addEnumeratorCancellation,
            json,
            cacheSeconds,
            strategy);
        return new LlmCallParseResult(spec, ToArray(diagnostics));
    }

    /// <summary>
    /// For <c>Task&lt;T&gt;</c>/<c>ValueTask&lt;T&gt;</c> of a structured <c>T</c>, or of <c>LlmResult&lt;T&gt;</c>: the value type.
    /// Null for anything else (a primitive, enum, collection or framework type is no structured result: it has no object schema).
    /// </summary>
    private static ITypeSymbol? StructuredReturn(ITypeSymbol returnType, out bool isValueTask, out bool isResult)
    {
        isValueTask = false;
        isResult = false;
        if (returnType is not INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } wrapper)
        {
            return null;
        }

        var definition = wrapper.OriginalDefinition.ToDisplayString();
        if (definition is not ("System.Threading.Tasks.Task<TResult>" or "System.Threading.Tasks.ValueTask<TResult>"))
        {
            return null;
        }

        isValueTask = definition == "System.Threading.Tasks.ValueTask<TResult>";
        var value = wrapper.TypeArguments[0];
        if (value is INamedTypeSymbol { IsGenericType: true } result && result.OriginalDefinition.ToDisplayString() == "StratumAI.LlmResult<T>")
        {
            isResult = true;
            value = result.TypeArguments[0];
            if (value.SpecialType == SpecialType.System_String)
            {
                return value;
            }
        }

        if (value.TypeKind == TypeKind.Error
            || value.SpecialType != SpecialType.None
            || value.TypeKind is TypeKind.Enum or TypeKind.Array or TypeKind.Delegate or TypeKind.Pointer or TypeKind.Dynamic
            || value is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T })
        {
            return null;
        }

        var ns = value.ContainingNamespace?.ToDisplayString() ?? string.Empty;
        return ns == "System" || ns.StartsWith("System.", StringComparison.Ordinal) || ns.StartsWith("Microsoft.", StringComparison.Ordinal) ? null : value;
    }

    /// <summary>
    /// The JSON readers and writers the method needs: its structured result and the object parameters its templates format.
    /// A type with no JSON form is STRAT115 at the return type or parameter.
    /// </summary>
    private static JsonModelSpec? ReadJsonModel(
        Compilation compilation,
        IMethodSymbol method,
        MethodDeclarationSyntax syntax,
        ITypeSymbol? structuredType,
        List<ParameterSpec> parameters,
        EquatableArray<TemplateSegment>? system,
        EquatableArray<TemplateSegment>? prompt,
        List<DiagnosticInfo> diagnostics,
        CancellationToken cancellationToken,
        ref bool hasErrors)
    {
        var parser = new JsonTypeParser(compilation, method.ContainingType, cancellationToken);
        var failed = false;
        var output = -1;
        if (structuredType is not null)
        {
            output = parser.Add(structuredType, out var error);
            if (output < 0)
            {
                failed = true;
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.UnsupportedJsonTypeId,
                    LocationInfo.From(syntax.ReturnType.GetLocation()),
                    "The [LlmCall] method '" + method.Name + "' cannot return '" + structuredType.ToDisplayString() + "' as structured output: " + error));
            }
        }

        for (var i = 0; i < parameters.Count; i++)
        {
            var symbol = method.Parameters[i];
            if (parameters[i].Role != ParameterRole.Plain
                || (!Mentions(system, parameters[i].Name) && !Mentions(prompt, parameters[i].Name))
                || !JsonTypeParser.IsJsonParameter(symbol.Type))
            {
                continue;
            }

            var index = parser.Add(symbol.Type, out var error);
            if (index < 0)
            {
                failed = true;
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.UnsupportedJsonTypeId,
                    LocationInfo.From(symbol.Locations.FirstOrDefault()),
                    "The parameter '" + symbol.Name + "' of the [LlmCall] method '" + method.Name + "' is formatted into a template as JSON, but '" + symbol.Type.ToDisplayString() + "' has no JSON form: " + error));
                continue;
            }

            parameters[i] = parameters[i] with { JsonType = index };
        }

        if (failed)
        {
            hasErrors = true;
            return null;
        }

        if (parser.Count == 0)
        {
            return null;
        }

        var types = parser.Build();
        string? schema = null, schemaName = null, description = null;
        if (output >= 0)
        {
            schema = JsonTypeParser.Schema(types, output);
            schemaName = SchemaName(structuredType!.Name);
            description = types[output].Description;
        }

        return new JsonModelSpec(HelperClassName(method), types, output, schema, schemaName, description);
    }

    /// <summary>Schema names allow letters, digits, '_' and '-' (OpenAI's rule, the strictest).</summary>
    private static string SchemaName(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            builder.Append((c is >= 'a' and <= 'z') || (c is >= 'A' and <= 'Z') || (c is >= '0' and <= '9') || c == '-' ? c : '_');
        }

        return builder.Length == 0 ? "result" : builder.ToString();
    }

    /// <summary>The nested class that holds the method's JSON code; named after the method and its signature hash, so overloads differ.</summary>
    private static string HelperClassName(IMethodSymbol method)
    {
        var hint = HintName(method);
        var hash = hint.Substring(hint.Length - ".g.cs".Length - 8, 8);
        return "__StratumJson_" + method.Name + "_" + hash;
    }

    /// <summary>The <c>RoutingStrategy</c> member named by <c>Strategy = …</c>, or null.</summary>
    private static string? ReadStrategy(AttributeSyntax? attribute, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        var argument = NamedArgument(attribute, "Strategy");
        return argument is not null
               && semanticModel.GetSymbolInfo(argument.Expression, cancellationToken).Symbol is IFieldSymbol { HasConstantValue: true } field
               && field.ContainingType?.ToDisplayString() == "StratumAI.RoutingStrategy"
            ? field.Name
            : null;
    }

    private static AttributeSyntax? FindAttribute(GeneratorAttributeSyntaxContext context, MethodDeclarationSyntax syntax, CancellationToken cancellationToken)
    {
        foreach (var data in context.Attributes)
        {
            if (data.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is AttributeSyntax found)
            {
                return found;
            }
        }

        foreach (var list in syntax.AttributeLists)
        {
            foreach (var attribute in list.Attributes)
            {
                var name = attribute.Name switch
                {
                    QualifiedNameSyntax q => q.Right.Identifier.ValueText,
                    AliasQualifiedNameSyntax a => a.Name.Identifier.ValueText,
                    SimpleNameSyntax s => s.Identifier.ValueText,
                    _ => string.Empty,
                };
                if (name is "LlmCall" or "LlmCallAttribute")
                {
                    return attribute;
                }
            }
        }

        return null;
    }

    private static AttributeArgumentSyntax? FirstPositionalArgument(AttributeSyntax? attribute)
    {
        if (attribute?.ArgumentList is null)
        {
            return null;
        }

        foreach (var argument in attribute.ArgumentList.Arguments)
        {
            if (argument.NameEquals is null && (argument.NameColon is null || argument.NameColon.Name.Identifier.ValueText == "model"))
            {
                return argument;
            }
        }

        return null;
    }

    private static AttributeArgumentSyntax? NamedArgument(AttributeSyntax? attribute, string name)
    {
        if (attribute?.ArgumentList is null)
        {
            return null;
        }

        foreach (var argument in attribute.ArgumentList.Arguments)
        {
            if (argument.NameEquals?.Name.Identifier.ValueText == name)
            {
                return argument;
            }
        }

        return null;
    }

    /// <summary>
    /// Reads the model from syntax: the generated <c>Model</c> enum is not part of the compilation the
    /// generator sees, so <c>Model.Gpt4o</c> does not bind here and only its member name can be trusted.
    /// </summary>
    private static ModelReference? ReadModel(AttributeSyntax? attribute, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        var expression = FirstPositionalArgument(attribute)?.Expression;
        return expression is null ? null : ReadModelExpression(expression, semanticModel, cancellationToken);
    }

    /// <summary>The expressions of <c>Fallback = X</c>, then of <c>Fallbacks = new object[] { Y, Z }</c> (or <c>[Y, Z]</c>): the order they are tried in.</summary>
    private static List<ExpressionSyntax> FallbackExpressions(AttributeSyntax? attribute)
    {
        var result = new List<ExpressionSyntax>();
        var single = NamedArgument(attribute, "Fallback")?.Expression;
        if (single is not null && !single.IsKind(SyntaxKind.NullLiteralExpression))
        {
            result.Add(single);
        }

        result.AddRange(ArrayElements(NamedArgument(attribute, "Fallbacks")?.Expression));
        return result;
    }

    private static IEnumerable<ExpressionSyntax> ArrayElements(ExpressionSyntax? expression) => expression switch
    {
        ArrayCreationExpressionSyntax { Initializer: { } init } => init.Expressions,
        ImplicitArrayCreationExpressionSyntax { Initializer: { } init } => init.Expressions,
        CollectionExpressionSyntax collection => collection.Elements.OfType<ExpressionElementSyntax>().Select(e => e.Expression),
        _ => Enumerable.Empty<ExpressionSyntax>(),
    };

    private static List<string> ReadTags(AttributeSyntax? attribute, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        var tags = new List<string>();
        foreach (var element in ArrayElements(NamedArgument(attribute, "Tags")?.Expression))
        {
            // Attribute arguments are constants (the compiler enforces it); a null element carries nothing.
            if (semanticModel.GetConstantValue(element, cancellationToken) is { HasValue: true, Value: string tag })
            {
                tags.Add(tag);
            }
        }

        return tags;
    }

    private static ModelReference? ReadModelExpression(ExpressionSyntax expression, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        var constant = semanticModel.GetConstantValue(expression, cancellationToken);
        if (constant.HasValue && constant.Value is string id)
        {
            return new ModelReference(ModelReferenceKind.StringId, id, LocationInfo.From(expression));
        }

        if (expression is MemberAccessExpressionSyntax { Name: IdentifierNameSyntax member } access
            && RightmostName(access.Expression) is { } typeName
            && typeName.EndsWith("Model", StringComparison.Ordinal))
        {
            return new ModelReference(ModelReferenceKind.EnumMember, member.Identifier.ValueText, LocationInfo.From(expression));
        }

        return null;
    }

    private static string? RightmostName(ExpressionSyntax expression) => expression switch
    {
        IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
        MemberAccessExpressionSyntax access => access.Name.Identifier.ValueText,
        AliasQualifiedNameSyntax alias => alias.Name.Identifier.ValueText,
        QualifiedNameSyntax qualified => qualified.Right.Identifier.ValueText,
        _ => null,
    };

    private static object? ReadConstant(AttributeSyntax? attribute, string name, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        var argument = NamedArgument(attribute, name);
        if (argument is null)
        {
            return null;
        }

        var constant = semanticModel.GetConstantValue(argument.Expression, cancellationToken);
        return constant.HasValue ? constant.Value : null;
    }

    private const string Ai = "global::Microsoft.Extensions.AI.";

    /// <summary>Marks the parameters the body sends besides template text: options, history, images.</summary>
    /// <remarks>
    /// A <c>Uri</c> a template refers to stays text; only an unreferenced one becomes an image. The kinds match what the
    /// analyzers treat as travelling without a template (STRAT114), so no parameter they accept is silently dropped.
    /// </remarks>
    private static void AssignRoles(IMethodSymbol method, List<ParameterSpec> parameters, EquatableArray<TemplateSegment>? system, EquatableArray<TemplateSegment>? prompt)
    {
        var hasOptions = false;
        for (var i = 0; i < parameters.Count; i++)
        {
            var symbol = method.Parameters[i];
            if (symbol.RefKind != RefKind.None && symbol.RefKind != RefKind.In)
            {
                continue;
            }

            var element = ElementType(symbol.Type);
            var isSequence = element is not null;
            var type = (element ?? symbol.Type).ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
            var role = ParameterRole.Plain;
            if (type == Ai + "ChatOptions" && !isSequence && !hasOptions)
            {
                // The first ChatOptions parameter is the call's options.
                role = ParameterRole.Options;
                hasOptions = true;
            }
            else if (type == Ai + "ChatMessage")
            {
                role = isSequence ? ParameterRole.History : ParameterRole.Message;
            }
            else if (type == Ai + "DataContent")
            {
                role = isSequence ? ParameterRole.DataList : ParameterRole.Data;
            }
            else if (type == "global::System.Uri" && !Mentions(system, parameters[i].Name) && !Mentions(prompt, parameters[i].Name))
            {
                role = isSequence ? ParameterRole.ImageUriList : ParameterRole.ImageUri;
            }

            if (role != ParameterRole.Plain)
            {
                parameters[i] = parameters[i] with { Role = role };
            }
        }
    }

    /// <summary>The element type of an array, <c>List&lt;T&gt;</c> or a generic collection interface; null for anything else.</summary>
    private static ITypeSymbol? ElementType(ITypeSymbol type)
    {
        if (type is IArrayTypeSymbol { Rank: 1 } array)
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

        return null;
    }

    private static bool Mentions(EquatableArray<TemplateSegment>? template, string name)
    {
        if (template is not { } segments)
        {
            return false;
        }

        foreach (var segment in segments)
        {
            if (segment.IsPlaceholder && string.Equals(segment.Text, name, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static EquatableArray<TemplateSegment>? ReadTemplate(
        AttributeSyntax? attribute,
        string name,
        SemanticModel semanticModel,
        IReadOnlyDictionary<string, ParameterSpec> parameters,
        string methodName,
        List<DiagnosticInfo> diagnostics,
        CancellationToken cancellationToken,
        out bool failed)
    {
        failed = false;
        var argument = NamedArgument(attribute, name);
        if (argument is null)
        {
            return null;
        }

        var constant = semanticModel.GetConstantValue(argument.Expression, cancellationToken);
        if (!constant.HasValue || constant.Value is not string template)
        {
            if (constant.HasValue && constant.Value is null)
            {
                return null;
            }

            failed = true;
            diagnostics.Add(DiagnosticInfo.Create(
                DiagnosticDescriptors.InvalidTemplateId,
                LocationInfo.From(argument.Expression),
                "The " + name + " template of [LlmCall] on '" + methodName + "' must be a constant string"));
            return null;
        }

        var segments = TemplateParser.Parse(template, parameters, out var error, out var unknown);
        if (segments is not null)
        {
            return segments;
        }

        failed = true;
        if (unknown is not null)
        {
            var known = parameters.Count == 0 ? "it has no parameters" : "its parameters are " + string.Join(", ", parameters.Keys.OrderBy(k => k, StringComparer.Ordinal));
            diagnostics.Add(DiagnosticInfo.Create(
                DiagnosticDescriptors.UnknownPlaceholderId,
                LocationInfo.From(argument.Expression),
                "The " + name + " template placeholder '{" + unknown + "}' matches no parameter of '" + methodName + "' (" + known + ")"));
        }
        else
        {
            diagnostics.Add(DiagnosticInfo.Create(
                DiagnosticDescriptors.InvalidTemplateId,
                LocationInfo.From(argument.Expression),
                "The " + name + " template of [LlmCall] on '" + methodName + "' " + error));
        }

        return null;
    }

    private static ClientAccess? FindClient(IMethodSymbol method, Dictionary<string, ParameterSpec> parameters, CancellationToken cancellationToken)
    {
        var containingType = method.ContainingType;
        for (var type = containingType; type is not null; type = type.BaseType)
        {
            foreach (var member in type.GetMembers())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (member.IsImplicitlyDeclared
                    || (!SymbolEqualityComparer.Default.Equals(type, containingType) && member.DeclaredAccessibility == Accessibility.Private)
                    || (method.IsStatic && !member.IsStatic))
                {
                    continue;
                }

                var memberType = member switch
                {
                    IFieldSymbol field => field.Type,
                    IPropertySymbol { IsIndexer: false, GetMethod: not null } property => property.Type,
                    _ => null,
                };
                var clientKind = ClientKind(memberType);
                if (clientKind is null)
                {
                    continue;
                }

                var owner = member.IsStatic ? type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) : "this";
                var suffix = memberType!.NullableAnnotation == NullableAnnotation.Annotated ? "!" : string.Empty;
                return new ClientAccess(owner + "." + Emitter.Literals.Identifier(member.Name) + suffix, clientKind.Value);
            }

            if (!method.IsStatic && SymbolEqualityComparer.Default.Equals(type, containingType))
            {
                foreach (var constructor in type.InstanceConstructors)
                {
                    if (!constructor.DeclaringSyntaxReferences.Any(r => r.GetSyntax(cancellationToken) is TypeDeclarationSyntax))
                    {
                        continue;
                    }

                    foreach (var parameter in constructor.Parameters)
                    {
                        // A method parameter of the same name would hide the primary-constructor parameter.
                        if (!parameters.ContainsKey(parameter.Name) && ClientKind(parameter.Type) is { } isChatClient)
                        {
                            var suffix = parameter.Type.NullableAnnotation == NullableAnnotation.Annotated ? "!" : string.Empty;
                            return new ClientAccess(Emitter.Literals.Identifier(parameter.Name) + suffix, isChatClient);
                        }
                    }
                }
            }
        }

        return null;
    }

    /// <summary>False for a StratumClient, true for an IChatClient, null for anything else.</summary>
    private static bool? ClientKind(ITypeSymbol? type)
    {
        var name = type?.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        return name == StratumClientName ? false : name == ChatClientName ? true : null;
    }

    private static bool IsLaterDuplicate(IMethodSymbol method)
    {
        var signature = method.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat);
        var location = method.Locations.FirstOrDefault();
        foreach (var other in method.ContainingType.GetMembers(method.Name))
        {
            if (other is IMethodSymbol candidate
                && !SymbolEqualityComparer.Default.Equals(candidate, method)
                && candidate.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat) == signature
                && candidate.Locations.FirstOrDefault() is { } otherLocation
                && location is not null
                && Precedes(otherLocation, location))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Precedes(Location first, Location second)
    {
        var byPath = string.CompareOrdinal(first.SourceTree?.FilePath, second.SourceTree?.FilePath);
        return byPath < 0 || (byPath == 0 && first.SourceSpan.Start < second.SourceSpan.Start);
    }

    private static string ParameterModifiers(IParameterSymbol parameter, IMethodSymbol method, int index)
    {
        var builder = new StringBuilder();
        if (index == 0 && method.IsExtensionMethod)
        {
            builder.Append("this ");
        }

        if (parameter.IsParams)
        {
            builder.Append("params ");
        }

        builder.Append(parameter.RefKind switch
        {
            RefKind.Ref => "ref ",
            RefKind.Out => "out ",
            RefKind.In => "in ",
            RefKind.RefReadOnlyParameter => "ref readonly ",
            _ => string.Empty,
        });
        return builder.ToString().TrimEnd();
    }

    private static string TypeKeyword(TypeDeclarationSyntax type)
    {
        if (type is RecordDeclarationSyntax record)
        {
            return record.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword) ? "record struct" : "record";
        }

        return type.Keyword.ValueText;
    }

    private static string TypeParameterList(TypeParameterListSyntax? list)
    {
        if (list is null || list.Parameters.Count == 0)
        {
            return string.Empty;
        }

        var builder = new StringBuilder("<");
        for (var i = 0; i < list.Parameters.Count; i++)
        {
            var parameter = list.Parameters[i];
            if (i > 0)
            {
                builder.Append(", ");
            }

            if (!parameter.VarianceKeyword.IsKind(SyntaxKind.None))
            {
                builder.Append(parameter.VarianceKeyword.Text).Append(' ');
            }

            builder.Append(parameter.Identifier.Text);
        }

        return builder.Append('>').ToString();
    }

    private static List<string> ConstraintClauses(IMethodSymbol method)
    {
        var clauses = new List<string>();
        foreach (var typeParameter in method.TypeParameters)
        {
            var parts = new List<string>();
            if (typeParameter.HasReferenceTypeConstraint)
            {
                parts.Add(typeParameter.ReferenceTypeConstraintNullableAnnotation == NullableAnnotation.Annotated ? "class?" : "class");
            }
            else if (typeParameter.HasUnmanagedTypeConstraint)
            {
                parts.Add("unmanaged");
            }
            else if (typeParameter.HasValueTypeConstraint)
            {
                parts.Add("struct");
            }
            else if (typeParameter.HasNotNullConstraint)
            {
                parts.Add("notnull");
            }

            foreach (var constraint in typeParameter.ConstraintTypes)
            {
                parts.Add(constraint.ToDisplayString(TypeFormat));
            }

            if (typeParameter.HasConstructorConstraint)
            {
                parts.Add("new()");
            }

            if (parts.Count > 0)
            {
                clauses.Add("where " + Emitter.Literals.Identifier(typeParameter.Name) + " : " + string.Join(", ", parts));
            }
        }

        return clauses;
    }

    private static string HintName(IMethodSymbol method)
    {
        var builder = new StringBuilder("LlmCall.");
        var typeName = method.ContainingType.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat.WithGenericsOptions(SymbolDisplayGenericsOptions.None));
        foreach (var c in typeName + "." + method.Name)
        {
            builder.Append(char.IsLetterOrDigit(c) || c == '_' || c == '.' ? c : '_');
        }

        // Overloads share a name; a hash of the full signature keeps their files apart, deterministically.
        var signature = method.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat.WithParameterOptions(SymbolDisplayParameterOptions.IncludeType | SymbolDisplayParameterOptions.IncludeParamsRefOut))
            + "(" + string.Join(",", method.Parameters.Select(p => p.RefKind.ToString() + p.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat))) + ")"
            + method.ContainingType.Arity.ToString(CultureInfo.InvariantCulture);
        uint hash = 2166136261;
        foreach (var c in signature)
        {
            hash = unchecked((hash ^ c) * 16777619);
        }

        return builder.Append('.').Append(hash.ToString("x8", CultureInfo.InvariantCulture)).Append(".g.cs").ToString();
    }

    private static EquatableArray<T> ToArray<T>(List<T> items)
        where T : IEquatable<T>
        => EquatableArray<T>.UnsafeWrap(items.ToArray());
}
