using System.Text;
using StratumAI.Catalog;
using StratumAI.Generator.Model;

namespace StratumAI.Generator.Emitter;

/// <summary>Writes the body of one <c>[LlmCall]</c> partial method.</summary>
internal static class LlmCallEmitter
{
    private const string Ai = "global::Microsoft.Extensions.AI.";

    /// <param name="spec">The method.</param>
    /// <param name="options">Where the catalog types live.</param>
    /// <param name="modelResolved">False when the model named no catalog member: a stub is written instead of a call.</param>
    public static string Emit(LlmCallSpec spec, GeneratorOptions options, bool modelResolved)
    {
        var writer = new SourceWriter(1024);
        writer.WriteFileHeader();
        if (spec.Namespace is not null)
        {
            writer.StartLine().Write("namespace ").Write(spec.Namespace).EndLine();
            writer.OpenBlock();
        }

        foreach (var type in spec.ContainingTypes)
        {
            writer.StartLine().Write("partial ").Write(type.Keyword).Write(' ').Write(type.Name).EndLine();
            writer.OpenBlock();
        }

        var iterator = spec.ReturnKind == LlmCallReturnKind.Stream && !spec.HasErrors && modelResolved;
        WriteSignature(writer, spec, iterator);
        writer.OpenBlock();
        if (spec.HasErrors || !modelResolved)
        {
            writer.WriteLine("// The [LlmCall] attribute has errors (see the STRAT diagnostics); this stub only keeps the rest of the build going.");
            writer.StartLine().Write("throw new global::System.InvalidOperationException(")
                .Write(Literals.String("The [LlmCall] method '" + spec.MethodName + "' could not be generated; fix the StratumAI diagnostics reported for it."))
                .Write(");").EndLine();
        }
        else
        {
            WriteBody(writer, spec, options);
        }

        writer.CloseBlock();
        for (var i = 0; i < spec.ContainingTypes.Count; i++)
        {
            writer.CloseBlock();
        }

        if (spec.Namespace is not null)
        {
            writer.CloseBlock();
        }

        return writer.ToString();
    }

    /// <param name="iterator">True when the body is the streaming async iterator (not a stub): marks it <c>async</c> and its token <c>[EnumeratorCancellation]</c>.</param>
    private static void WriteSignature(SourceWriter writer, LlmCallSpec spec, bool iterator)
    {
        writer.StartLine();
        if (spec.Modifiers.Length > 0)
        {
            writer.Write(spec.Modifiers).Write(' ');
        }

        if (iterator)
        {
            writer.Write("async ");
        }

        writer.Write("partial ").Write(spec.ReturnType).Write(' ').Write(spec.MethodName).Write(spec.TypeParameters).Write('(');
        for (var i = 0; i < spec.Parameters.Count; i++)
        {
            var parameter = spec.Parameters[i];
            if (i > 0)
            {
                writer.Write(", ");
            }

            if (parameter.Modifiers.Length > 0)
            {
                writer.Write(parameter.Modifiers).Write(' ');
            }

            if (iterator && spec.AddEnumeratorCancellation && parameter.Name == spec.CancellationTokenName)
            {
                writer.Write("[global::System.Runtime.CompilerServices.EnumeratorCancellation] ");
            }

            writer.Write(parameter.Type).Write(' ').Write(parameter.Name);
        }

        writer.Write(')').EndLine();
        if (spec.ConstraintClauses.Count > 0)
        {
            writer.Indent();
            foreach (var clause in spec.ConstraintClauses)
            {
                writer.WriteLine(clause);
            }

            writer.Unindent();
        }
    }

    private static void WriteBody(SourceWriter writer, LlmCallSpec spec, GeneratorOptions options)
    {
        var count = (spec.System is null ? 0 : 1) + (spec.Prompt is null ? 0 : 1);
        writer.StartLine().Write("var __stratumMessages = new global::System.Collections.Generic.List<").Write(Ai).Write("ChatMessage>(")
            .Write(Literals.Int(count)).Write(");").EndLine();
        if (spec.System is { } system)
        {
            writer.StartLine().Write("__stratumMessages.Add(new ").Write(Ai).Write("ChatMessage(").Write(Ai).Write("ChatRole.System, ")
                .Write(TemplateExpression(system)).Write("));").EndLine();
        }

        foreach (var parameter in spec.Parameters)
        {
            if (parameter.Role is ParameterRole.History or ParameterRole.Message)
            {
                writer.StartLine().Write("if (").Write(parameter.Name).Write(" is not null)").EndLine();
                writer.OpenBlock();
                writer.StartLine().Write(parameter.Role == ParameterRole.History ? "__stratumMessages.AddRange(" : "__stratumMessages.Add(").Write(parameter.Name).Write(");").EndLine();
                writer.CloseBlock();
            }
        }

        if (spec.Prompt is { } prompt)
        {
            var hasContents = false;
            foreach (var parameter in spec.Parameters)
            {
                hasContents |= IsContent(parameter.Role);
            }

            if (!hasContents)
            {
                writer.StartLine().Write("__stratumMessages.Add(new ").Write(Ai).Write("ChatMessage(").Write(Ai).Write("ChatRole.User, ")
                    .Write(TemplateExpression(prompt)).Write("));").EndLine();
            }
            else
            {
                writer.StartLine().Write("var __stratumUser = new ").Write(Ai).Write("ChatMessage(").Write(Ai).Write("ChatRole.User, ")
                    .Write(TemplateExpression(prompt)).Write(");").EndLine();
                foreach (var parameter in spec.Parameters)
                {
                    if (!IsContent(parameter.Role))
                    {
                        continue;
                    }

                    var isList = parameter.Role is ParameterRole.DataList or ParameterRole.ImageUriList;
                    var item = isList ? "__stratumItem" : parameter.Name;
                    if (isList)
                    {
                        // A null sequence and null items are skipped, like a null single image.
                        writer.StartLine().Write("if (").Write(parameter.Name).Write(" is not null)").EndLine();
                        writer.OpenBlock();
                        writer.StartLine().Write("foreach (var __stratumItem in ").Write(parameter.Name).Write(')').EndLine();
                        writer.OpenBlock();
                    }

                    writer.StartLine().Write("if (").Write(item).Write(" is not null)").EndLine();
                    writer.OpenBlock();
                    writer.StartLine().Write("__stratumUser.Contents.Add(");
                    if (parameter.Role is ParameterRole.Data or ParameterRole.DataList)
                    {
                        writer.Write(item);
                    }
                    else
                    {
                        writer.Write("new ").Write(Ai).Write("UriContent(").Write(item).Write(", \"image/*\")");
                    }

                    writer.Write(");").EndLine();
                    writer.CloseBlock();
                    if (isList)
                    {
                        writer.CloseBlock();
                        writer.CloseBlock();
                    }
                }

                writer.WriteLine("__stratumMessages.Add(__stratumUser);");
            }
        }

        string? optionsParameter = null;
        foreach (var parameter in spec.Parameters)
        {
            if (parameter.Role == ParameterRole.Options)
            {
                optionsParameter = parameter.Name;
                break;
            }
        }

        var optionsArgument = optionsParameter ?? "null";
        if (optionsParameter is not null && (spec.Temperature is not null || spec.MaxTokens is not null || spec.Tags.Count > 0))
        {
            // The caller's options are cloned, so the attribute's settings never change the caller's object.
            writer.StartLine().Write("var __stratumOptions = ").Write(optionsParameter).Write("?.Clone() ?? new ").Write(Ai).Write("ChatOptions();").EndLine();
            if (spec.Temperature is { } temperature)
            {
                writer.StartLine().Write("__stratumOptions.Temperature = ").Write(Literals.Float(temperature)).Write(';').EndLine();
            }

            if (spec.MaxTokens is { } maxTokens)
            {
                writer.StartLine().Write("__stratumOptions.MaxOutputTokens = ").Write(Literals.Int(maxTokens)).Write(';').EndLine();
            }

            if (spec.Tags.Count > 0)
            {
                writer.StartLine().Write("(__stratumOptions.AdditionalProperties ??= new ").Write(Ai).Write("AdditionalPropertiesDictionary())[global::StratumAI.LlmCallRunner.TagsKey] = new string[] { ");
                for (var i = 0; i < spec.Tags.Count; i++)
                {
                    writer.Write(i > 0 ? ", " : string.Empty).Write(Literals.String(spec.Tags[i]));
                }

                writer.Write(" };").EndLine();
            }

            optionsArgument = "__stratumOptions";
        }
        else if (spec.Temperature is not null || spec.MaxTokens is not null || spec.Tags.Count > 0)
        {
            writer.StartLine().Write("var __stratumOptions = new ").Write(Ai).Write("ChatOptions");
            writer.Write(" { ");
            var first = true;
            if (spec.Temperature is { } temperature)
            {
                writer.Write("Temperature = ").Write(Literals.Float(temperature));
                first = false;
            }

            if (spec.MaxTokens is { } maxTokens)
            {
                writer.Write(first ? string.Empty : ", ").Write("MaxOutputTokens = ").Write(Literals.Int(maxTokens));
                first = false;
            }

            if (spec.Tags.Count > 0)
            {
                writer.Write(first ? string.Empty : ", ").Write("AdditionalProperties = new ").Write(Ai).Write("AdditionalPropertiesDictionary { [global::StratumAI.LlmCallRunner.TagsKey] = new string[] { ");
                for (var i = 0; i < spec.Tags.Count; i++)
                {
                    writer.Write(i > 0 ? ", " : string.Empty).Write(Literals.String(spec.Tags[i]));
                }

                writer.Write(" } }");
            }

            writer.Write(" };").EndLine();
            optionsArgument = "__stratumOptions";
        }

        var wholeResponse = spec.ReturnKind is LlmCallReturnKind.ResponseTask or LlmCallReturnKind.ResponseValueTask;
        var model = ModelExpression(spec.Model, options);
        var stream = spec.ReturnKind == LlmCallReturnKind.Stream;
        if (spec.Fallbacks.Count > 0 || wholeResponse || stream || spec.Client.IsChatClient)
        {
            // Primary first, then the fallbacks in the order they are tried.
            var targets = new StringBuilder("new global::StratumAI.LlmCallTarget[] { ").Append(model);
            foreach (var fallback in spec.Fallbacks)
            {
                targets.Append(", ").Append(ModelExpression(fallback, options));
            }

            model = targets.Append(" }").ToString();
        }

        var call = "global::StratumAI.LlmCallRunner." + (stream ? "StreamTextAsync(" : wholeResponse ? "GetResponseAsync(" : "GetTextAsync(") + spec.Client.Expression + ", " + model + ", __stratumMessages, "
            + optionsArgument + ", " + (spec.CancellationTokenName ?? "default") + ")";
        if (stream)
        {
            // An async iterator: nothing is sent before the caller enumerates, and the caller's WithCancellation token reaches the call.
            writer.StartLine().Write("await foreach (var __stratumText in global::System.Threading.Tasks.TaskAsyncEnumerableExtensions.ConfigureAwait(")
                .Write(call).Write(", false))").EndLine();
            writer.OpenBlock();
            writer.WriteLine("yield return __stratumText;");
            writer.CloseBlock();
            return;
        }

        writer.StartLine().Write("return ");
        if (spec.ReturnKind == LlmCallReturnKind.ValueTask)
        {
            writer.Write("new global::System.Threading.Tasks.ValueTask<string>(").Write(call).Write(");");
        }
        else if (spec.ReturnKind == LlmCallReturnKind.ResponseValueTask)
        {
            writer.Write("new global::System.Threading.Tasks.ValueTask<").Write(Ai).Write("ChatResponse>(").Write(call).Write(");");
        }
        else
        {
            writer.Write(call).Write(';');
        }

        writer.EndLine();
    }

    private static bool IsContent(ParameterRole role)
        => role is ParameterRole.Data or ParameterRole.ImageUri or ParameterRole.DataList or ParameterRole.ImageUriList;

    private static string ModelExpression(ModelReference reference, GeneratorOptions options)
        => reference.Kind == ModelReferenceKind.EnumMember
            ? "global::" + options.Namespace + ".ModelCatalog.Get(global::" + options.Namespace + ".Model." + reference.Value + ")"
            : Literals.String(reference.Value);

    /// <summary>A string literal, or an invariant-culture interpolation when the template has placeholders.</summary>
    internal static string TemplateExpression(EquatableArray<TemplateSegment> segments)
    {
        var hasPlaceholders = false;
        foreach (var segment in segments)
        {
            hasPlaceholders |= segment.IsPlaceholder;
        }

        var builder = new StringBuilder();
        if (!hasPlaceholders)
        {
            builder.Append('"');
            foreach (var segment in segments)
            {
                Literals.AppendEscaped(builder, segment.Text, inInterpolation: false);
            }

            return builder.Append('"').ToString();
        }

        builder.Append("global::System.String.Create(global::System.Globalization.CultureInfo.InvariantCulture, $\"");
        foreach (var segment in segments)
        {
            if (!segment.IsPlaceholder)
            {
                Literals.AppendEscaped(builder, segment.Text, inInterpolation: true);
                continue;
            }

            builder.Append('{').Append(segment.Text);
            if (segment.Alignment is not null)
            {
                builder.Append(',').Append(segment.Alignment);
            }

            if (segment.Format is not null)
            {
                builder.Append(':').Append(segment.Format);
            }

            builder.Append('}');
        }

        return builder.Append("\")").ToString();
    }
}
