using System.Globalization;
using System.Text;
using StratumAI.Catalog;
using StratumAI.Generator.Model;

namespace StratumAI.Generator.Emitter;

/// <summary>One generated file.</summary>
internal readonly record struct GeneratedFile(string HintName, string Source);

/// <summary>Turns a merged catalog into the <c>Model</c> enum, <c>ModelCatalog</c> and the typed provider clients.</summary>
internal static class CatalogEmitter
{
    private const string ModelInfo = "global::StratumAI.ModelInfo";
    private const string ProviderInfo = "global::StratumAI.ProviderInfo";
    private const string Ai = "global::Microsoft.Extensions.AI.";
    private const string Task = "global::System.Threading.Tasks.Task";
    private const string CancellationToken = "global::System.Threading.CancellationToken";

    // Written into [GeneratedCode]; a constant so that baselines do not change with every build.
    internal const string GeneratorVersion = "0.1.0";

    // Models are created in chunks so no single method grows with the catalog (the JIT handles many small methods better).
    private const int ModelsPerMethod = 200;

    public static IReadOnlyList<GeneratedFile> Emit(CatalogSpec spec, GeneratorOptions options) => Emit(CatalogPlan.Create(spec), options);

    /// <summary>Emits a plan; the caller reports <see cref="CatalogPlan.Diagnostics"/> for what the plan left out.</summary>
    public static IReadOnlyList<GeneratedFile> Emit(CatalogPlan plan, GeneratorOptions options)
    {
        var files = new List<GeneratedFile>(2 + plan.Providers.Count)
        {
            new("Model.g.cs", EmitModelEnum(plan, options)),
            new("ModelCatalog.g.cs", EmitModelCatalog(plan, options)),
        };
        foreach (var provider in plan.Providers)
        {
            files.Add(new GeneratedFile("Providers." + provider.TypeName + ".g.cs", EmitProvider(provider, options)));
        }

        return files;
    }

    private static string EmitModelEnum(CatalogPlan plan, GeneratorOptions options)
    {
        var writer = new SourceWriter(256 + (plan.Models.Count * 700));
        writer.WriteFileHeader();
        OpenNamespace(writer, options);
        writer.WriteLine("/// <summary>Every model in the catalog compiled into this assembly. Use <see cref=\"ModelCatalog.Get\"/> for its provider, limits and prices.</summary>");
        writer.WriteLine("[global::System.CodeDom.Compiler.GeneratedCode(\"StratumAI.Generator\", \"" + GeneratorVersion + "\")]");
        writer.WriteLine(options.Accessibility + " enum Model");
        writer.OpenBlock();
        foreach (var model in plan.Models)
        {
            if (model.Value > 0)
            {
                writer.WriteLine();
            }

            WriteModelDocs(writer, model, plan);
            writer.StartLine().Write(model.Model.EnumName).Write(" = ").Write(Literals.Int(model.Value)).Write(",").EndLine();
        }

        writer.CloseBlock();
        writer.CloseBlock();
        return writer.ToString();
    }

    private static void WriteModelDocs(SourceWriter writer, ModelPlan plan, CatalogPlan catalog)
    {
        var model = plan.Model;
        var provider = plan.Provider.Provider;
        writer.StartLine().Write("/// <summary><c>").Write(Literals.Xml(model.Id)).Write("</c> from ")
            .Write(Literals.Xml(provider.Name)).Write(" (<c>").Write(Literals.Xml(provider.Id)).Write("</c>).</summary>").EndLine();
        writer.WriteLine("/// <remarks>");
        writer.StartLine().Write("/// <para>API id: <c>").Write(Literals.Xml(model.Id)).Write("</c>");
        if (model.Aliases.Count > 0)
        {
            writer.Write("; aliases: ");
            for (var i = 0; i < model.Aliases.Count; i++)
            {
                writer.Write(i == 0 ? "<c>" : ", <c>").Write(Literals.Xml(model.Aliases[i])).Write("</c>");
            }
        }

        writer.Write(".</para>").EndLine();
        writer.StartLine().Write("/// <para>Context window: ").Write(Tokens(model.ContextWindow)).Write(" tokens");
        if (model.MaxOutputTokens is { } maxOutput)
        {
            writer.Write("; max output: ").Write(Tokens(maxOutput)).Write(" tokens");
        }

        writer.Write(".</para>").EndLine();
        if (model.Dimensions is { } vectorSize)
        {
            writer.StartLine().Write("/// <para>Embedding model: ").Write(Tokens(vectorSize)).Write(" dimensions; <c>StratumClient.GetEmbeddingGenerator</c> calls it.</para>").EndLine();
        }

        var price = model.Price;
        writer.StartLine().Write("/// <para>Price per 1M tokens (USD): input ").Write(Money(price.Input))
            .Write(", output ").Write(Money(price.Output));
        if (price.CachedInput is { } cached)
        {
            writer.Write(", cached input ").Write(Money(cached));
        }

        if (price.CacheWrite is { } cacheWrite)
        {
            writer.Write(", cache write ").Write(Money(cacheWrite));
        }

        if (price.CacheWrite1h is { } cacheWrite1h)
        {
            writer.Write(", 1-hour cache write ").Write(Money(cacheWrite1h));
        }

        if (price.Reasoning is { } reasoning)
        {
            writer.Write(", reasoning ").Write(Money(reasoning));
        }

        if (price.AudioInput is { } audioInput)
        {
            writer.Write(", audio input ").Write(Money(audioInput));
        }

        if (price.AudioOutput is { } audioOutput)
        {
            writer.Write(", audio output ").Write(Money(audioOutput));
        }

        writer.Write(".</para>").EndLine();
        WriteServiceTierDocs(writer, "Flex", price.Flex);
        WriteServiceTierDocs(writer, "Priority", price.Priority);
        WriteServiceTierDocs(writer, "Batch", price.Batch);
        foreach (var tier in price.Tiers)
        {
            if (tier is null)
            {
                continue;
            }

            writer.StartLine().Write("/// <para>Above ").Write(Tokens(tier.AboveInputTokens)).Write(" input tokens: input ")
                .Write(Money(tier.Input)).Write(", output ").Write(Money(tier.Output));
            if (tier.CachedInput is { } tierCached)
            {
                writer.Write(", cached input ").Write(Money(tierCached));
            }

            if (tier.CacheWrite is { } tierWrite)
            {
                writer.Write(", cache write ").Write(Money(tierWrite));
            }

            if (tier.CacheWrite1h is { } tierWrite1h)
            {
                writer.Write(", 1-hour cache write ").Write(Money(tierWrite1h));
            }

            writer.Write(".</para>").EndLine();
        }

        writer.StartLine().Write("/// <para>Capabilities: ");
        if (model.Capabilities.Count == 0)
        {
            writer.Write("none");
        }
        else
        {
            for (var i = 0; i < model.Capabilities.Count; i++)
            {
                writer.Write(i == 0 ? string.Empty : ", ").Write(Literals.Xml(model.Capabilities[i]));
            }
        }

        writer.Write(".</para>").EndLine();
        if (model.DeprecatedOn is not null || model.Replacement is not null)
        {
            writer.StartLine().Write("/// <para>Deprecated");
            if (model.DeprecatedOn is not null)
            {
                writer.Write(" on ").Write(Literals.Xml(model.DeprecatedOn));
            }

            if (model.Replacement is not null)
            {
                writer.Write("; replaced by <c>").Write(Literals.Xml(model.Replacement)).Write("</c>");
                if (catalog.ModelsById.TryGetValue(model.Replacement, out var replacement))
                {
                    writer.Write(" (<see cref=\"").Write(replacement.Model.EnumName).Write("\"/>)");
                }
            }

            writer.Write(".</para>").EndLine();
        }

        writer.WriteLine("/// </remarks>");
    }

    private static string EmitModelCatalog(CatalogPlan plan, GeneratorOptions options)
    {
        var writer = new SourceWriter(2048 + (plan.Models.Count * 600));
        writer.WriteFileHeader();
        OpenNamespace(writer, options);
        writer.WriteLine("/// <summary>The catalog compiled into this assembly: each model's provider, limits, prices and capabilities, looked up in O(1).</summary>");
        writer.WriteLine("/// <remarks>Built from literals (no reflection, no JSON at run time); thread-safe. Registered into <see cref=\"global::StratumAI.ModelRegistry.Default\"/> when the assembly loads.</remarks>");
        writer.WriteLine("[global::System.CodeDom.Compiler.GeneratedCode(\"StratumAI.Generator\", \"" + GeneratorVersion + "\")]");
        writer.WriteLine(options.Accessibility + " static partial class ModelCatalog");
        writer.OpenBlock();

        // Providers first: static initializers run in textual order and the models refer to them.
        foreach (var provider in plan.Providers)
        {
            var p = provider.Provider;
            writer.StartLine().Write("/// <summary>").Write(Literals.Xml(p.Name)).Write(" (<c>").Write(Literals.Xml(p.Id)).Write("</c>).</summary>").EndLine();
            writer.StartLine().Write("public static ").Write(ProviderInfo).Write(' ').Write(provider.PropertyName).Write(" { get; } = new ").Write(ProviderInfo).Write('(')
                .Write(Literals.String(p.Id)).Write(", ")
                .Write(Literals.String(string.IsNullOrEmpty(p.Name) ? p.Id : p.Name)).Write(", ")
                .Write(Literals.String(string.IsNullOrEmpty(p.Dialect) ? "openai" : p.Dialect)).Write(", ")
                .Write(Literals.String(p.BaseUrl)).Write(", ")
                .Write(Literals.String(p.ApiKeyEnv)).Write(')')
                .Write(Initializer(p.AllowInsecureHttp ? "AllowInsecureHttp = true" : null, null, p.RateLimits)).Write(';').EndLine();
            writer.WriteLine();
        }

        writer.StartLine().Write("private static readonly ").Write(ProviderInfo).Write("[] s_providers = new ").Write(ProviderInfo).Write("[] { ");
        for (var i = 0; i < plan.Providers.Count; i++)
        {
            writer.Write(i == 0 ? string.Empty : ", ").Write(plan.Providers[i].PropertyName);
        }

        writer.Write(plan.Providers.Count == 0 ? "};" : " };").EndLine();
        writer.StartLine().Write("private static readonly ").Write(ModelInfo).Write("[] s_models = CreateModels();").EndLine();
        writer.WriteLine("private static readonly global::System.Collections.Generic.Dictionary<string, int> s_index = CreateIndex();");
        writer.WriteLine();
        writer.WriteLine("/// <summary>Every model, in <see cref=\"Model\"/> order.</summary>");
        writer.StartLine().Write("public static global::System.Collections.Generic.IReadOnlyList<").Write(ModelInfo).Write("> All { get; } = global::System.Array.AsReadOnly(s_models);").EndLine();
        writer.WriteLine();
        writer.WriteLine("/// <summary>Every provider of the catalog.</summary>");
        writer.StartLine().Write("public static global::System.Collections.Generic.IReadOnlyList<").Write(ProviderInfo).Write("> Providers { get; } = global::System.Array.AsReadOnly(s_providers);").EndLine();
        writer.WriteLine();
        writer.WriteLine("/// <summary>The metadata of a model.</summary>");
        writer.WriteLine("/// <param name=\"model\">The model.</param>");
        writer.WriteLine("/// <returns>Its provider, limits, prices and capabilities.</returns>");
        writer.WriteLine("/// <exception cref=\"global::System.ArgumentOutOfRangeException\"><paramref name=\"model\"/> is not a member of <see cref=\"Model\"/>.</exception>");
        writer.StartLine().Write("public static ").Write(ModelInfo).Write(" Get(Model model)").EndLine();
        writer.OpenBlock();
        writer.WriteLine("var index = (int)model;");
        writer.WriteLine("if ((uint)index >= (uint)s_models.Length)");
        writer.OpenBlock();
        writer.WriteLine("throw new global::System.ArgumentOutOfRangeException(nameof(model), model, \"The value is not a member of the Model enum.\");");
        writer.CloseBlock();
        writer.WriteLine();
        writer.WriteLine("return s_models[index];");
        writer.CloseBlock();
        writer.WriteLine();
        writer.WriteLine("/// <summary>Finds a model by its API id or one of its aliases (ordinal, case-sensitive).</summary>");
        writer.WriteLine("/// <param name=\"idOrAlias\">The id, e.g. the one a configuration file names.</param>");
        writer.WriteLine("/// <param name=\"model\">The model, when found.</param>");
        writer.WriteLine("/// <returns>True when the catalog has the model.</returns>");
        writer.StartLine().Write("public static bool TryGet(string idOrAlias, [global::System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ").Write(ModelInfo).Write("? model)").EndLine();
        writer.OpenBlock();
        writer.WriteLine("if (idOrAlias is not null && s_index.TryGetValue(idOrAlias, out var index))");
        writer.OpenBlock();
        writer.WriteLine("model = s_models[index];");
        writer.WriteLine("return true;");
        writer.CloseBlock();
        writer.WriteLine();
        writer.WriteLine("model = null;");
        writer.WriteLine("return false;");
        writer.CloseBlock();
        writer.WriteLine();
        writer.WriteLine("[global::System.Runtime.CompilerServices.ModuleInitializer]");
        writer.WriteLine("internal static void RegisterInModelRegistry() => global::StratumAI.ModelRegistry.Default.Register(s_models);");
        writer.WriteLine();
        writer.StartLine().Write("private static ").Write(ModelInfo).Write("[] CreateModels()").EndLine();
        writer.OpenBlock();
        writer.StartLine().Write("var models = new ").Write(ModelInfo).Write('[').Write(Literals.Int(plan.Models.Count)).Write("];").EndLine();
        var chunks = (plan.Models.Count + ModelsPerMethod - 1) / ModelsPerMethod;
        for (var chunk = 0; chunk < chunks; chunk++)
        {
            writer.StartLine().Write("CreateModels").Write(Literals.Int(chunk)).Write("(models);").EndLine();
        }

        writer.WriteLine("return models;");
        writer.CloseBlock();
        for (var chunk = 0; chunk < chunks; chunk++)
        {
            writer.WriteLine();
            writer.StartLine().Write("private static void CreateModels").Write(Literals.Int(chunk)).Write('(').Write(ModelInfo).Write("[] models)").EndLine();
            writer.OpenBlock();
            var end = Math.Min(plan.Models.Count, (chunk + 1) * ModelsPerMethod);
            for (var i = chunk * ModelsPerMethod; i < end; i++)
            {
                WriteModelInfo(writer, plan.Models[i]);
            }

            writer.CloseBlock();
        }

        writer.WriteLine();
        writer.WriteLine("private static global::System.Collections.Generic.Dictionary<string, int> CreateIndex()");
        writer.OpenBlock();
        writer.WriteLine("var index = new global::System.Collections.Generic.Dictionary<string, int>(s_models.Length * 2, global::System.StringComparer.Ordinal);");
        writer.WriteLine("for (var i = 0; i < s_models.Length; i++)");
        writer.OpenBlock();
        writer.WriteLine("index[s_models[i].Id] = i;");
        writer.CloseBlock();
        writer.WriteLine();
        writer.WriteLine("// An id wins over another model's alias.");
        writer.WriteLine("for (var i = 0; i < s_models.Length; i++)");
        writer.OpenBlock();
        writer.WriteLine("foreach (var alias in s_models[i].Aliases)");
        writer.OpenBlock();
        writer.WriteLine("if (!index.ContainsKey(alias))");
        writer.OpenBlock();
        writer.WriteLine("index.Add(alias, i);");
        writer.CloseBlock();
        writer.CloseBlock();
        writer.CloseBlock();
        writer.WriteLine();
        writer.WriteLine("return index;");
        writer.CloseBlock();
        writer.CloseBlock();
        writer.WriteLine();

        writer.WriteLine("/// <summary>Catalog lookups on <see cref=\"Model\"/> values.</summary>");
        writer.WriteLine("[global::System.CodeDom.Compiler.GeneratedCode(\"StratumAI.Generator\", \"" + GeneratorVersion + "\")]");
        writer.WriteLine(options.Accessibility + " static partial class ModelExtensions");
        writer.OpenBlock();
        writer.WriteLine("/// <summary>The metadata of a model: provider, limits, prices and capabilities.</summary>");
        writer.WriteLine("/// <param name=\"model\">The model.</param>");
        writer.WriteLine("/// <returns>The model's metadata.</returns>");
        writer.WriteLine("/// <exception cref=\"global::System.ArgumentOutOfRangeException\"><paramref name=\"model\"/> is not a member of <see cref=\"Model\"/>.</exception>");
        writer.StartLine().Write("public static ").Write(ModelInfo).Write(" GetInfo(this Model model) => ModelCatalog.Get(model);").EndLine();
        writer.WriteLine();
        writer.WriteLine("/// <summary>The id the provider's API expects for a model, e.g. <c>gpt-4o</c>.</summary>");
        writer.WriteLine("/// <param name=\"model\">The model.</param>");
        writer.WriteLine("/// <returns>The API id.</returns>");
        writer.WriteLine("/// <exception cref=\"global::System.ArgumentOutOfRangeException\"><paramref name=\"model\"/> is not a member of <see cref=\"Model\"/>.</exception>");
        writer.WriteLine("public static string GetId(this Model model) => ModelCatalog.Get(model).Id;");
        WriteClientShortcuts(writer);
        writer.CloseBlock();
        writer.CloseBlock();
        return writer.ToString();
    }

    private static void WriteServiceTierDocs(SourceWriter writer, string name, ServiceTierPrice? tier)
    {
        if (tier is null)
        {
            return;
        }

        writer.StartLine().Write("/// <para>").Write(name).Write(" service tier:");
        var separator = " ";
        foreach (var (label, value) in new[] { ("input", tier.Input), ("output", tier.Output), ("cached input", tier.CachedInput), ("cache write", tier.CacheWrite), ("audio input", tier.AudioInput) })
        {
            if (value is { } amount)
            {
                writer.Write(separator).Write(label).Write(' ').Write(Money(amount));
                separator = ", ";
            }
        }

        writer.Write(".</para>").EndLine();
    }

    private static string NamedPriceArguments(CatalogPrice price)
    {
        var named = new StringBuilder();
        if (price.CacheWrite1h is { } hour)
        {
            named.Append(", CacheWrite1hPerMillion: ").Append(Literals.Decimal(hour));
        }

        if (price.AudioInput is { } audioInput)
        {
            named.Append(", AudioInputPerMillion: ").Append(Literals.Decimal(audioInput));
        }

        if (price.AudioOutput is { } audioOutput)
        {
            named.Append(", AudioOutputPerMillion: ").Append(Literals.Decimal(audioOutput));
        }

        AppendServiceTier(named, "Flex", price.Flex);
        AppendServiceTier(named, "Priority", price.Priority);
        AppendServiceTier(named, "Batch", price.Batch);
        return named.ToString();
    }

    private static void AppendServiceTier(StringBuilder named, string name, ServiceTierPrice? tier)
    {
        if (tier is null)
        {
            return;
        }

        named.Append(", ").Append(name).Append(": new global::StratumAI.ServiceTierPricing(")
            .Append(Literals.NullableDecimal(tier.Input)).Append(", ")
            .Append(Literals.NullableDecimal(tier.Output)).Append(", ")
            .Append(Literals.NullableDecimal(tier.CachedInput)).Append(", ")
            .Append(Literals.NullableDecimal(tier.CacheWrite)).Append(", ")
            .Append(Literals.NullableDecimal(tier.AudioInput)).Append(')');
    }

    /// <summary>
    /// <c>StratumClient</c> calls that take a <c>Model</c> value, so a model named in code is checked at compile time without
    /// <c>GetInfo()</c>: <c>stratum.GetChatClient(Model.Gpt4o)</c>.
    /// </summary>
    private static void WriteClientShortcuts(SourceWriter writer)
    {
        const string Client = "global::StratumAI.StratumClient";
        const string Ai = "global::Microsoft.Extensions.AI.";
        const string Token = "global::System.Threading.CancellationToken";
        const string ClientDocs = "/// <param name=\"client\">The client.</param>";
        const string ModelDocs = "/// <param name=\"model\">The catalog model.</param>";
        const string NullDocs = "/// <exception cref=\"global::System.ArgumentNullException\"><paramref name=\"client\"/> is null.</exception>";

        writer.WriteLine();
        writer.WriteLine("/// <summary>A chat client bound to a catalog model: <c>StratumClient.GetChatClient(ModelInfo)</c> for a <see cref=\"Model\"/> value.</summary>");
        writer.WriteLine(ClientDocs);
        writer.WriteLine(ModelDocs);
        writer.WriteLine("/// <returns>A client whose calls go to <paramref name=\"model\"/> through the client's pipeline.</returns>");
        writer.WriteLine(NullDocs);
        writer.WriteLine("public static " + Ai + "IChatClient GetChatClient(this " + Client + " client, Model model) =>");
        writer.WriteLine("    (client ?? throw new global::System.ArgumentNullException(nameof(client))).GetChatClient(ModelCatalog.Get(model));");
        writer.WriteLine();
        writer.WriteLine("/// <summary>An embedding generator bound to a catalog embedding model: <c>StratumClient.GetEmbeddingGenerator(ModelInfo)</c> for a <see cref=\"Model\"/> value.</summary>");
        writer.WriteLine(ClientDocs);
        writer.WriteLine("/// <param name=\"model\">The catalog embedding model (capability <c>embeddings</c>).</param>");
        writer.WriteLine("/// <returns>A generator whose calls go to <paramref name=\"model\"/>, with their exact cost attached.</returns>");
        writer.WriteLine(NullDocs);
        writer.WriteLine("public static " + Ai + "IEmbeddingGenerator<string, " + Ai + "Embedding<float>> GetEmbeddingGenerator(this " + Client + " client, Model model) =>");
        writer.WriteLine("    (client ?? throw new global::System.ArgumentNullException(nameof(client))).GetEmbeddingGenerator(ModelCatalog.Get(model));");
        writer.WriteLine();
        writer.WriteLine("/// <summary>Sends a prompt to a catalog model: <c>StratumClient.GetResponseAsync(ModelInfo, string, …)</c> for a <see cref=\"Model\"/> value.</summary>");
        writer.WriteLine(ClientDocs);
        writer.WriteLine(ModelDocs);
        writer.WriteLine("/// <param name=\"prompt\">The user message.</param>");
        writer.WriteLine("/// <param name=\"options\">Options for the call, or null.</param>");
        writer.WriteLine("/// <param name=\"cancellationToken\">Cancels the call.</param>");
        writer.WriteLine("/// <returns>The response, with its usage and cost.</returns>");
        writer.WriteLine(NullDocs);
        writer.WriteLine("public static global::System.Threading.Tasks.Task<" + Ai + "ChatResponse> GetResponseAsync(this " + Client + " client, Model model, string prompt, " + Ai + "ChatOptions? options = null, " + Token + " cancellationToken = default) =>");
        writer.WriteLine("    (client ?? throw new global::System.ArgumentNullException(nameof(client))).GetResponseAsync(ModelCatalog.Get(model), prompt, options, cancellationToken);");
        writer.WriteLine();
        writer.WriteLine("/// <summary>Sends a conversation to a catalog model: <c>StratumClient.GetResponseAsync(ModelInfo, messages, …)</c> for a <see cref=\"Model\"/> value.</summary>");
        writer.WriteLine(ClientDocs);
        writer.WriteLine(ModelDocs);
        writer.WriteLine("/// <param name=\"messages\">The conversation.</param>");
        writer.WriteLine("/// <param name=\"options\">Options for the call, or null.</param>");
        writer.WriteLine("/// <param name=\"cancellationToken\">Cancels the call.</param>");
        writer.WriteLine("/// <returns>The response, with its usage and cost.</returns>");
        writer.WriteLine(NullDocs);
        writer.WriteLine("public static global::System.Threading.Tasks.Task<" + Ai + "ChatResponse> GetResponseAsync(this " + Client + " client, Model model, global::System.Collections.Generic.IEnumerable<" + Ai + "ChatMessage> messages, " + Ai + "ChatOptions? options = null, " + Token + " cancellationToken = default) =>");
        writer.WriteLine("    (client ?? throw new global::System.ArgumentNullException(nameof(client))).GetResponseAsync(ModelCatalog.Get(model), messages, options, cancellationToken);");
        writer.WriteLine();
        writer.WriteLine("/// <summary>Streams a catalog model's answer to a conversation: <c>StratumClient.GetStreamingResponseAsync(ModelInfo, …)</c> for a <see cref=\"Model\"/> value.</summary>");
        writer.WriteLine(ClientDocs);
        writer.WriteLine(ModelDocs);
        writer.WriteLine("/// <param name=\"messages\">The conversation.</param>");
        writer.WriteLine("/// <param name=\"options\">Options for the call, or null.</param>");
        writer.WriteLine("/// <param name=\"cancellationToken\">Cancels the stream.</param>");
        writer.WriteLine("/// <returns>The updates as they arrive.</returns>");
        writer.WriteLine(NullDocs);
        writer.WriteLine("public static global::System.Collections.Generic.IAsyncEnumerable<" + Ai + "ChatResponseUpdate> GetStreamingResponseAsync(this " + Client + " client, Model model, global::System.Collections.Generic.IEnumerable<" + Ai + "ChatMessage> messages, " + Ai + "ChatOptions? options = null, " + Token + " cancellationToken = default) =>");
        writer.WriteLine("    (client ?? throw new global::System.ArgumentNullException(nameof(client))).GetStreamingResponseAsync(ModelCatalog.Get(model), messages, options, cancellationToken);");
    }

    private static void WriteModelInfo(SourceWriter writer, ModelPlan plan)
    {
        var model = plan.Model;
        var price = model.Price;
        writer.StartLine().Write("models[").Write(Literals.Int(plan.Value)).Write("] = new ").Write(ModelInfo).Write('(').EndLine();
        writer.Indent();
        writer.StartLine().Write(Literals.String(model.Id)).Write(", ").Write(Literals.String(model.EnumName)).Write(", ")
            .Write(plan.Provider.PropertyName).Write(", ").Write(Literals.String(model.Dialect)).Write(", ")
            .Write(Literals.Int(model.ContextWindow)).Write(", ")
            .Write(model.MaxOutputTokens is { } max ? Literals.Int(max) : "null").Write(',').EndLine();
        writer.StartLine().Write("new global::StratumAI.ModelPricing(").Write(Literals.Decimal(price.Input)).Write(", ")
            .Write(Literals.Decimal(price.Output)).Write(", ")
            .Write(Literals.NullableDecimal(price.CachedInput)).Write(", ")
            .Write(Literals.NullableDecimal(price.CacheWrite)).Write(", ")
            .Write(Literals.NullableDecimal(price.Reasoning)).Write(", ");
        // Prices added after the first release are named arguments, written only when the catalog has them.
        var named = NamedPriceArguments(price);
        if (price.Tiers.Count == 0)
        {
            writer.Write("null").Write(named).Write("),").EndLine();
        }
        else
        {
            writer.Write("new global::StratumAI.PriceTier[]").EndLine();
            writer.OpenBlock();
            foreach (var tier in price.Tiers)
            {
                if (tier is null)
                {
                    continue;
                }

                writer.StartLine().Write("new global::StratumAI.PriceTier(").Write(Literals.Int(tier.AboveInputTokens)).Write(", ")
                    .Write(Literals.Decimal(tier.Input)).Write(", ").Write(Literals.Decimal(tier.Output)).Write(", ")
                    .Write(Literals.NullableDecimal(tier.CachedInput)).Write(", ").Write(Literals.NullableDecimal(tier.CacheWrite))
                    .Write(tier.CacheWrite1h is { } tierHour ? ", CacheWrite1hPerMillion: " + Literals.Decimal(tierHour) : string.Empty).Write("),").EndLine();
            }

            writer.CloseBlock(named + "),");
        }

        writer.StartLine().Write(Capabilities(model.Capabilities)).Write(", ")
            .Write(model.Quality is { } quality ? Literals.Double(quality) : "null").Write(", ");
        if (model.Aliases.Count == 0)
        {
            writer.Write("null");
        }
        else
        {
            writer.Write("new string[] { ");
            for (var i = 0; i < model.Aliases.Count; i++)
            {
                writer.Write(i == 0 ? string.Empty : ", ").Write(Literals.String(model.Aliases[i]));
            }

            writer.Write(" }");
        }

        writer.Write(", ").Write(DateLiteral(model.DeprecatedOn)).Write(", ").Write(Literals.String(model.Replacement)).Write(')')
            .Write(Initializer(null, model.Dimensions is { } dimensions ? "Dimensions = " + Literals.Int(dimensions) : null, model.RateLimits)).Write(';').EndLine();
        writer.Unindent();
    }

    /// <summary>The object initializer of a catalog entry's optional properties (<c> { A = 1, B = 2 }</c>), or nothing when none is set.</summary>
    private static string Initializer(string? first, string? second, CatalogRateLimit? limits)
    {
        var parts = new List<string>(4);
        if (first is not null)
        {
            parts.Add(first);
        }

        if (second is not null)
        {
            parts.Add(second);
        }

        if (limits?.RequestsPerMinute is { } requests)
        {
            parts.Add("RequestsPerMinute = " + Literals.Int(requests));
        }

        if (limits?.TokensPerMinute is { } tokens)
        {
            parts.Add("TokensPerMinute = " + Literals.Int(tokens));
        }

        return parts.Count == 0 ? string.Empty : " { " + string.Join(", ", parts) + " }";
    }

    private static string EmitProvider(ProviderPlan provider, GeneratorOptions options)
    {
        var writer = new SourceWriter(2048 + (provider.Models.Count * 120));
        var p = provider.Provider;
        var enumName = provider.TypeName + "Model";
        var clientName = provider.TypeName + "Client";
        var toModel = "(Model)(int)model";
        writer.WriteFileHeader();
        OpenNamespace(writer, options);

        writer.StartLine().Write("/// <summary>The models ").Write(Literals.Xml(p.Name)).Write(" serves; each value equals the <see cref=\"Model\"/> member of the same name.</summary>").EndLine();
        writer.WriteLine("[global::System.CodeDom.Compiler.GeneratedCode(\"StratumAI.Generator\", \"" + GeneratorVersion + "\")]");
        writer.StartLine().Write(options.Accessibility).Write(" enum ").Write(enumName).EndLine();
        writer.OpenBlock();
        foreach (var model in provider.Models)
        {
            writer.StartLine().Write("/// <summary><c>").Write(Literals.Xml(model.Model.Id)).Write("</c>; same as <see cref=\"Model.").Write(model.Model.EnumName).Write("\"/>.</summary>").EndLine();
            writer.StartLine().Write(model.Model.EnumName).Write(" = ").Write(Literals.Int(model.Value)).Write(',').EndLine();
        }

        writer.CloseBlock();
        writer.WriteLine();

        writer.StartLine().Write("/// <summary>Conversions of <see cref=\"").Write(enumName).Write("\"/> values.</summary>").EndLine();
        writer.WriteLine(options.Accessibility + " static partial class ModelExtensions");
        writer.OpenBlock();
        writer.WriteLine("/// <summary>The <see cref=\"Model\"/> member for a provider model.</summary>");
        writer.WriteLine("/// <param name=\"model\">The provider model.</param>");
        writer.WriteLine("/// <returns>The same model as a <see cref=\"Model\"/>.</returns>");
        writer.StartLine().Write("public static Model ToModel(this ").Write(enumName).Write(" model) => ").Write(toModel).Write(';').EndLine();
        writer.WriteLine();
        writer.WriteLine("/// <summary>The metadata of a provider model.</summary>");
        writer.WriteLine("/// <param name=\"model\">The provider model.</param>");
        writer.WriteLine("/// <returns>The model's metadata.</returns>");
        writer.WriteLine("/// <exception cref=\"global::System.ArgumentOutOfRangeException\"><paramref name=\"model\"/> is not a member of the enum.</exception>");
        writer.StartLine().Write("public static ").Write(ModelInfo).Write(" GetInfo(this ").Write(enumName).Write(" model) => ModelCatalog.Get(").Write(toModel).Write(");").EndLine();
        writer.CloseBlock();
        writer.WriteLine();

        writer.StartLine().Write("/// <summary>Calls ").Write(Literals.Xml(p.Name)).Write(" through a <see cref=\"global::StratumAI.StratumClient\"/>, accepting only ")
            .Write(Literals.Xml(p.Name)).Write("'s models (<see cref=\"").Write(enumName).Write("\"/>).</summary>").EndLine();
        writer.WriteLine("/// <remarks>Thread-safe when the wrapped client is.</remarks>");
        writer.WriteLine("[global::System.CodeDom.Compiler.GeneratedCode(\"StratumAI.Generator\", \"" + GeneratorVersion + "\")]");
        writer.StartLine().Write(options.Accessibility).Write(" sealed partial class ").Write(clientName).EndLine();
        writer.OpenBlock();
        writer.WriteLine("private readonly global::StratumAI.StratumClient _client;");
        writer.WriteLine();
        writer.StartLine().Write("/// <summary>Creates a client for ").Write(Literals.Xml(p.Name)).Write(" over a <see cref=\"global::StratumAI.StratumClient\"/>.</summary>").EndLine();
        writer.WriteLine("/// <param name=\"client\">The client that performs the calls (retries, fallbacks, cost tracking).</param>");
        writer.WriteLine("/// <exception cref=\"global::System.ArgumentNullException\"><paramref name=\"client\"/> is null.</exception>");
        writer.StartLine().Write("public ").Write(clientName).Write("(global::StratumAI.StratumClient client)").EndLine();
        writer.OpenBlock();
        writer.WriteLine("_client = client ?? throw new global::System.ArgumentNullException(nameof(client));");
        writer.CloseBlock();
        writer.WriteLine();
        writer.WriteLine("/// <summary>The provider this client calls.</summary>");
        writer.StartLine().Write("public ").Write(ProviderInfo).Write(" Provider => ModelCatalog.").Write(provider.PropertyName).Write(';').EndLine();
        writer.WriteLine();
        writer.WriteLine("/// <summary>The wrapped client.</summary>");
        writer.WriteLine("public global::StratumAI.StratumClient Client => _client;");
        writer.WriteLine();
        writer.StartLine().Write("/// <summary>Sends a conversation to one of ").Write(Literals.Xml(p.Name)).Write("'s models.</summary>").EndLine();
        writer.WriteLine("/// <param name=\"model\">The model.</param>");
        writer.WriteLine("/// <param name=\"messages\">The conversation.</param>");
        writer.WriteLine("/// <param name=\"options\">Options for the call, or null.</param>");
        writer.WriteLine("/// <param name=\"cancellationToken\">Cancels the call.</param>");
        writer.WriteLine("/// <returns>The model's response.</returns>");
        writer.StartLine().Write("public ").Write(Task).Write('<').Write(Ai).Write("ChatResponse> GetResponseAsync(").Write(enumName)
            .Write(" model, global::System.Collections.Generic.IEnumerable<").Write(Ai).Write("ChatMessage> messages, ").Write(Ai)
            .Write("ChatOptions? options = null, ").Write(CancellationToken).Write(" cancellationToken = default)").EndLine();
        writer.Indent().StartLine().Write("=> _client.GetResponseAsync(ModelCatalog.Get(").Write(toModel).Write("), messages, options, cancellationToken);").EndLine();
        writer.Unindent();
        writer.WriteLine();
        writer.StartLine().Write("/// <summary>Sends one user message to one of ").Write(Literals.Xml(p.Name)).Write("'s models.</summary>").EndLine();
        writer.WriteLine("/// <param name=\"model\">The model.</param>");
        writer.WriteLine("/// <param name=\"prompt\">The user message.</param>");
        writer.WriteLine("/// <param name=\"options\">Options for the call, or null.</param>");
        writer.WriteLine("/// <param name=\"cancellationToken\">Cancels the call.</param>");
        writer.WriteLine("/// <returns>The model's response.</returns>");
        writer.WriteLine("/// <exception cref=\"global::System.ArgumentNullException\"><paramref name=\"prompt\"/> is null.</exception>");
        writer.StartLine().Write("public ").Write(Task).Write('<').Write(Ai).Write("ChatResponse> GetResponseAsync(").Write(enumName)
            .Write(" model, string prompt, ").Write(Ai).Write("ChatOptions? options = null, ").Write(CancellationToken).Write(" cancellationToken = default)").EndLine();
        writer.OpenBlock();
        writer.WriteLine("if (prompt is null)");
        writer.OpenBlock();
        writer.WriteLine("throw new global::System.ArgumentNullException(nameof(prompt));");
        writer.CloseBlock();
        writer.WriteLine();
        writer.StartLine().Write("return _client.GetResponseAsync(ModelCatalog.Get(").Write(toModel).Write("), new ").Write(Ai).Write("ChatMessage[] { new ")
            .Write(Ai).Write("ChatMessage(").Write(Ai).Write("ChatRole.User, prompt) }, options, cancellationToken);").EndLine();
        writer.CloseBlock();
        writer.WriteLine();
        writer.StartLine().Write("/// <summary>An <see cref=\"").Write(Ai).Write("IChatClient\"/> bound to one of ").Write(Literals.Xml(p.Name)).Write("'s models, for code that takes any chat client.</summary>").EndLine();
        writer.WriteLine("/// <param name=\"model\">The model.</param>");
        writer.WriteLine("/// <returns>A chat client that calls <paramref name=\"model\"/>.</returns>");
        writer.StartLine().Write("public ").Write(Ai).Write("IChatClient AsChatClient(").Write(enumName).Write(" model) => _client.GetChatClient(ModelCatalog.Get(").Write(toModel).Write("));").EndLine();
        writer.CloseBlock();
        writer.CloseBlock();
        return writer.ToString();
    }

    private static void OpenNamespace(SourceWriter writer, GeneratorOptions options)
    {
        writer.StartLine().Write("namespace ").Write(options.Namespace).EndLine();
        writer.OpenBlock();
    }

    private static string Capabilities(EquatableArray<string> capabilities)
    {
        var builder = new System.Text.StringBuilder();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var capability in capabilities)
        {
            var member = CapabilityMember(capability);
            if (member is null || !seen.Add(member))
            {
                continue;
            }

            if (builder.Length > 0)
            {
                builder.Append(" | ");
            }

            builder.Append("global::StratumAI.ModelCapabilities.").Append(member);
        }

        return builder.Length == 0 ? "global::StratumAI.ModelCapabilities.None" : builder.ToString();
    }

    private static string? CapabilityMember(string? capability) => capability switch
    {
        "streaming" => "Streaming",
        "tools" => "Tools",
        "vision" => "Vision",
        "json_schema" => "JsonSchema",
        "json_mode" => "JsonMode",
        "reasoning" => "Reasoning",
        "prompt_caching" => "PromptCaching",
        "pdf" => "Pdf",
        "audio" => "Audio",
        "embeddings" => "Embeddings",
        _ => null,
    };

    private static string DateLiteral(string? date)
    {
        if (date is not null
            && DateTime.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            return "new global::System.DateOnly(" + Literals.Int(parsed.Year) + ", " + Literals.Int(parsed.Month) + ", " + Literals.Int(parsed.Day) + ")";
        }

        return "null";
    }

    private static string Tokens(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Money(decimal value) => "$" + value.ToString(CultureInfo.InvariantCulture);
}
