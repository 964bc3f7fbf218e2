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
        if (!spec.HasErrors && modelResolved && spec.Json is { } json)
        {
            writer.WriteLine();
            JsonEmitter.Emit(writer, json);
        }

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
                .Write(TemplateExpression(system, spec)).Write("));").EndLine();
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
                    .Write(TemplateExpression(prompt, spec)).Write("));").EndLine();
            }
            else
            {
                writer.StartLine().Write("var __stratumUser = new ").Write(Ai).Write("ChatMessage(").Write(Ai).Write("ChatRole.User, ")
                    .Write(TemplateExpression(prompt, spec)).Write(");").EndLine();
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
        var settings = new List<KeyValuePair<string, string>>();
        if (spec.Temperature is { } temperature)
        {
            settings.Add(new KeyValuePair<string, string>("Temperature", Literals.Float(temperature)));
        }

        if (spec.MaxTokens is { } maxTokens)
        {
            settings.Add(new KeyValuePair<string, string>("MaxOutputTokens", Literals.Int(maxTokens)));
        }

        // Values for the middleware, never sent to the provider.
        var properties = new List<KeyValuePair<string, string>>();
        if (spec.Tags.Count > 0)
        {
            var tags = new StringBuilder("new string[] { ");
            for (var i = 0; i < spec.Tags.Count; i++)
            {
                tags.Append(i > 0 ? ", " : string.Empty).Append(Literals.String(spec.Tags[i]));
            }

            properties.Add(new KeyValuePair<string, string>("global::StratumAI.StratumOptionKeys.Tags", tags.Append(" }").ToString()));
        }

        if (spec.CacheSeconds is { } cacheSeconds)
        {
            properties.Add(new KeyValuePair<string, string>("global::StratumAI.StratumOptionKeys.CacheTtl", "global::System.TimeSpan.FromSeconds(" + Literals.Int(cacheSeconds) + ")"));
        }

        if (optionsParameter is not null && settings.Count + properties.Count > 0)
        {
            // The caller's options are cloned, so the attribute's settings never change the caller's object.
            writer.StartLine().Write("var __stratumOptions = ").Write(optionsParameter).Write("?.Clone() ?? new ").Write(Ai).Write("ChatOptions();").EndLine();
            foreach (var setting in settings)
            {
                writer.StartLine().Write("__stratumOptions.").Write(setting.Key).Write(" = ").Write(setting.Value).Write(';').EndLine();
            }

            foreach (var property in properties)
            {
                writer.StartLine().Write("(__stratumOptions.AdditionalProperties ??= new ").Write(Ai).Write("AdditionalPropertiesDictionary())[")
                    .Write(property.Key).Write("] = ").Write(property.Value).Write(';').EndLine();
            }

            optionsArgument = "__stratumOptions";
        }
        else if (settings.Count + properties.Count > 0)
        {
            writer.StartLine().Write("var __stratumOptions = new ").Write(Ai).Write("ChatOptions");
            writer.Write(" { ");
            var first = true;
            foreach (var setting in settings)
            {
                writer.Write(first ? string.Empty : ", ").Write(setting.Key).Write(" = ").Write(setting.Value);
                first = false;
            }

            if (properties.Count > 0)
            {
                writer.Write(first ? string.Empty : ", ").Write("AdditionalProperties = new ").Write(Ai).Write("AdditionalPropertiesDictionary { ");
                for (var i = 0; i < properties.Count; i++)
                {
                    writer.Write(i > 0 ? ", " : string.Empty).Write("[").Write(properties[i].Key).Write("] = ").Write(properties[i].Value);
                }

                writer.Write(" }");
            }

            writer.Write(" };").EndLine();
            optionsArgument = "__stratumOptions";
        }

        var wholeResponse = spec.ReturnKind is LlmCallReturnKind.ResponseTask or LlmCallReturnKind.ResponseValueTask;
        var structured = spec.ReturnKind is LlmCallReturnKind.ObjectTask or LlmCallReturnKind.ObjectValueTask;
        var result = spec.ReturnKind is LlmCallReturnKind.ResultTask or LlmCallReturnKind.ResultValueTask;
        var stream = spec.ReturnKind == LlmCallReturnKind.Stream;

        // The runner's one method family takes an IChatClient: a StratumClient is passed through the runner's adapter.
        var client = spec.Client.IsChatClient
            ? spec.Client.Expression
            : "global::StratumAI.LlmCallRunner.GetChatClient(" + spec.Client.Expression + ")";
        string model;
        if (spec.Strategy is not null)
        {
            // The router picks the model for this call; its next-ranked candidates, then the attribute's fallbacks, follow.
            var routed = "global::StratumAI.LlmCallRunner.Route(" + client + ", global::StratumAI.RoutingStrategy." + spec.Strategy
                + ", __stratumMessages, " + optionsArgument + ", " + (stream ? "true" : "false") + ", "
                + (spec.Json is { Output: >= 0 } routedJson ? routedJson.ClassName + ".Output.Format" : "null") + ")";
            if (spec.Fallbacks.Count == 0)
            {
                model = routed;
            }
            else
            {
                var fallbacks = new StringBuilder("new global::StratumAI.LlmCallTarget[] { ");
                for (var i = 0; i < spec.Fallbacks.Count; i++)
                {
                    fallbacks.Append(i > 0 ? ", " : string.Empty).Append(ModelExpression(spec.Fallbacks[i], options));
                }

                model = "global::System.Linq.Enumerable.ToArray(global::System.Linq.Enumerable.Concat(" + routed + ", " + fallbacks.Append(" }") + "))";
            }
        }
        else
        {
            // Primary first, then the fallbacks in the order they are tried.
            var targets = new StringBuilder("new global::StratumAI.LlmCallTarget[] { ").Append(ModelExpression(spec.Model, options));
            foreach (var fallback in spec.Fallbacks)
            {
                targets.Append(", ").Append(ModelExpression(fallback, options));
            }

            model = targets.Append(" }").ToString();
        }

        var method = stream ? "StreamTextAsync(" : wholeResponse ? "GetResponseAsync(" : structured ? "GetObjectAsync(" : result ? "GetResultAsync(" : "GetTextAsync(";
        var output = spec.Json is { Output: >= 0 } json ? json.ClassName + ".Output, " : string.Empty;
        var call = "global::StratumAI.LlmCallRunner." + method + client + ", " + model + ", __stratumMessages, "
            + optionsArgument + ", " + output + (spec.CancellationTokenName ?? "default") + ")";
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
        else if (spec.ReturnKind is LlmCallReturnKind.ObjectValueTask or LlmCallReturnKind.ResultValueTask)
        {
            writer.Write("new ").Write(spec.ReturnType).Write('(').Write(call).Write(");");
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
    /// <param name="segments">The parsed template.</param>
    /// <param name="spec">The method, whose object parameters are formatted as JSON; null formats every placeholder with its invariant text.</param>
    internal static string TemplateExpression(EquatableArray<TemplateSegment> segments, LlmCallSpec? spec = null)
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

            var jsonType = JsonTypeOf(spec, segment.Text);
            builder.Append('{');
            if (jsonType >= 0)
            {
                // An object parameter: its JSON, through the generated writer (a format string has no meaning for it).
                // Parenthesised: a bare "global::" in a hole would start a format string.
                builder.Append("(global::StratumAI.LlmCallJson.Serialize(").Append(segment.Text).Append(", ")
                    .Append(spec!.Json!.ClassName).Append(".Write").Append(Literals.Int(jsonType)).Append("))");
            }
            else
            {
                builder.Append(segment.Text);
            }

            if (segment.Alignment is not null)
            {
                builder.Append(',').Append(segment.Alignment);
            }

            if (segment.Format is not null && jsonType < 0)
            {
                builder.Append(':').Append(segment.Format);
            }

            builder.Append('}');
        }

        return builder.Append("\")").ToString();
    }

    private static int JsonTypeOf(LlmCallSpec? spec, string name)
    {
        if (spec?.Json is null)
        {
            return -1;
        }

        foreach (var parameter in spec.Parameters)
        {
            if (string.Equals(parameter.Name, name, StringComparison.Ordinal))
            {
                return parameter.JsonType;
            }
        }

        return -1;
    }
}
