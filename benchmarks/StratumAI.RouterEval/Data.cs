using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace StratumAI.RouterEval;

/// <summary>One prompt with every model's outcome: correctness in {0,1} and USD cost.</summary>
/// <remarks>The learned text feature in <see cref="Features"/> and <see cref="Analysis"/> is replaced by <see cref="Fit.Run"/>.</remarks>
internal sealed record Row(string Prompt, double[] Features, double[] Correct, double[] Cost, int PromptTokens, ComplexityAnalysis Analysis, SparseText Text);

/// <summary>A dataset with its models and its train and test rows.</summary>
internal sealed record Dataset(string Name, string Source, string[] Models, List<Row> Train, List<Row> Test, string CostNote);

internal static class Data
{
    public static string RepoRoot()
    {
        var attribute = typeof(Data).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "StratumRepoRoot");
        if (attribute?.Value is { Length: > 0 } root && File.Exists(Path.Combine(root, "StratumAI.Generators.sln")))
        {
            return Path.GetFullPath(root);
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "StratumAI.Generators.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Cannot find the repository root (StratumAI.Generators.sln).");
    }

    public static Dataset RouterBench(string dataDir, string task, string title)
    {
        var train = ReadRouterBench(Path.Combine(dataDir, "routerbench_subset", task + "_train.csv"), out var models);
        var test = ReadRouterBench(Path.Combine(dataDir, "routerbench_subset", task + "_test.csv"), out var testModels);
        if (!models.SequenceEqual(testModels, StringComparer.Ordinal))
        {
            throw new InvalidDataException($"{task}: train and test model columns differ.");
        }

        return new Dataset(title, $"RouterBench via RouterDC, {task}_train.csv / {task}_test.csv (rows with a missing value dropped)", models, train, test,
            "per-prompt USD cost from RouterBench");
    }

    private static List<Row> ReadRouterBench(string path, out string[] models)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        var header = Csv.ReadRecord(reader) ?? throw new InvalidDataException(path + " is empty.");
        var promptColumn = Array.IndexOf(header, "prompt");
        var modelColumns = new List<(string Name, int Correct, int Cost)>();
        for (var i = 0; i < header.Length; i++)
        {
            var name = header[i];
            if (name.Length == 0 || name.Contains('|', StringComparison.Ordinal) || name is "sample_id" or "prompt" or "eval_name" or "oracle_model_to_route_to")
            {
                continue;
            }

            modelColumns.Add((name, i, Array.IndexOf(header, name + "|total_cost")));
        }

        models = modelColumns.Select(m => m.Name).ToArray();
        var rows = new List<Row>();
        while (Csv.ReadRecord(reader) is { } record)
        {
            var correct = new double[modelColumns.Count];
            var cost = new double[modelColumns.Count];
            var complete = true;
            for (var m = 0; m < modelColumns.Count; m++)
            {
                var c = record[modelColumns[m].Correct];
                var k = record[modelColumns[m].Cost];
                if (c.Length == 0 || k.Length == 0)
                {
                    complete = false;
                    break;
                }

                correct[m] = double.Parse(c, CultureInfo.InvariantCulture);
                cost[m] = double.Parse(k, CultureInfo.InvariantCulture);
            }

            if (complete)
            {
                var prompt = PythonLiteral.FirstString(record[promptColumn]);
                rows.Add(Featurize(prompt, correct, cost));
            }
        }

        return rows;
    }

    public static (Dataset Mmlu, Dataset Gsm8k) RouteLlm(string dataDir, decimal strongIn, decimal strongOut, decimal weakIn, decimal weakOut)
    {
        string[] models = ["mistralai/Mixtral-8x7B-Instruct-v0.1", "gpt-4-1106-preview"];
        double[] inPrice = [(double)weakIn, (double)strongIn];
        double[] outPrice = [(double)weakOut, (double)strongOut];
        var tokenizer = Microsoft.ML.Tokenizers.TiktokenTokenizer.CreateForModel("gpt-4o");

        var mmluDir = Path.Combine(dataDir, "routellm", "mmlu_responses");
        var contaminated = Contaminated(Path.Combine(mmluDir, "contaminated_prompts.jsonl"));
        var mmluTrain = new List<Row>();
        var mmluTest = new List<Row>();
        foreach (var file in Directory.GetFiles(mmluDir, "mmlu_*.csv").Order(StringComparer.Ordinal))
        {
            using var reader = new StreamReader(file, Encoding.UTF8);
            var header = Csv.ReadRecord(reader)!;
            var columns = models.Select(m => Array.IndexOf(header, m)).ToArray();
            while (Csv.ReadRecord(reader) is { } record)
            {
                var prompt = record[0];
                if (contaminated.Contains(prompt))
                {
                    continue;
                }

                // RouteLLM's MMLU answers are a single letter; 5 output tokens is a generous allowance.
                var correct = columns.Select(c => bool.Parse(record[c]) ? 1.0 : 0.0).ToArray();
                var row = Featurize(prompt, correct, null);
                var cost = new double[2];
                for (var m = 0; m < 2; m++)
                {
                    cost[m] = ((row.PromptTokens * inPrice[m]) + (5 * outPrice[m])) / 1_000_000.0;
                }

                (IsTrain(prompt) ? mmluTrain : mmluTest).Add(row with { Cost = cost });
            }
        }

        var gsmDir = Path.Combine(dataDir, "routellm", "gsm8k");
        var gsmContaminated = Contaminated(Path.Combine(gsmDir, "contaminated_prompts.jsonl"));
        var gsmTrain = new List<Row>();
        var gsmTest = new List<Row>();
        using (var reader = new StreamReader(Path.Combine(gsmDir, "gsm8k_responses.csv"), Encoding.UTF8))
        {
            var header = Csv.ReadRecord(reader)!;
            var columns = models.Select(m => Array.IndexOf(header, m)).ToArray();
            var responses = models.Select(m => Array.IndexOf(header, m + "_response")).ToArray();
            while (Csv.ReadRecord(reader) is { } record)
            {
                var prompt = record[0];
                if (gsmContaminated.Contains(prompt))
                {
                    continue;
                }

                var correct = columns.Select(c => bool.Parse(record[c]) ? 1.0 : 0.0).ToArray();
                var row = Featurize(prompt, correct, null);
                var cost = new double[2];
                for (var m = 0; m < 2; m++)
                {
                    var output = tokenizer.CountTokens(record[responses[m]]);
                    cost[m] = ((row.PromptTokens * inPrice[m]) + (output * outPrice[m])) / 1_000_000.0;
                }

                (IsTrain(prompt) ? gsmTrain : gsmTest).Add(row with { Cost = cost });
            }
        }

        var note = string.Create(CultureInfo.InvariantCulture, $"catalog prices from litellm_model_prices.json: gpt-4-1106-preview ${strongIn}/${strongOut}, mistral/open-mixtral-8x7b ${weakIn}/${weakOut} per 1M tokens; o200k token counts");
        return (
            new Dataset("MMLU (RouteLLM)", "RouteLLM mmlu_responses/*.csv, split by FNV-1a hash of the prompt (contaminated prompts removed)", models, mmluTrain, mmluTest, note + "; 5 output tokens per answer"),
            new Dataset("GSM8K (RouteLLM)", "RouteLLM gsm8k_responses.csv, split by FNV-1a hash of the prompt (contaminated prompts removed)", models, gsmTrain, gsmTest, note + "; output tokens counted from each model's recorded response"));
    }

    /// <summary>Fixed split: the low bit of a 64-bit FNV-1a hash of the prompt's UTF-8 bytes; even hashes train.</summary>
    public static bool IsTrain(string prompt)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(prompt))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return (hash & 1) == 0;
    }

    private static HashSet<string> Contaminated(string path)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(path))
        {
            if (line.Length > 0)
            {
                using var doc = JsonDocument.Parse(line);
                set.Add(doc.RootElement.GetProperty("eval_prompt").GetString()!);
            }
        }

        return set;
    }

    private static Row Featurize(string prompt, double[] correct, double[]? cost)
    {
        var analysis = ComplexityAnalyzer.Default.Analyze([new ChatMessage(ChatRole.User, prompt)]);
        var values = analysis.Contributions.Select(c => c.Value).ToArray();
        var terms = new List<int>();
        new PromptScanner(null, terms).Scan(prompt);
        return new Row(prompt, values, correct, cost ?? [], analysis.Features.PromptTokens, analysis, SparseText.From(terms));
    }

    public static (decimal Input, decimal Output) LiteLlmPrice(string path, string model)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var entry = doc.RootElement.GetProperty(model);
        var input = entry.GetProperty("input_cost_per_token").GetDecimal() * 1_000_000m;
        var output = entry.GetProperty("output_cost_per_token").GetDecimal() * 1_000_000m;
        return (input, output);
    }
}

/// <summary>RFC 4180 CSV: quoted fields may hold commas, doubled quotes and newlines.</summary>
internal static class Csv
{
    public static string[]? ReadRecord(TextReader reader)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        var any = false;
        while (true)
        {
            var next = reader.Read();
            if (next < 0)
            {
                if (!any)
                {
                    return null;
                }

                fields.Add(field.ToString());
                return fields.ToArray();
            }

            any = true;
            var c = (char)next;
            if (quoted)
            {
                if (c == '"')
                {
                    if (reader.Peek() == '"')
                    {
                        reader.Read();
                        field.Append('"');
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    field.Append(c);
                }

                continue;
            }

            switch (c)
            {
                case '"':
                    quoted = true;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    break;
                case '\r':
                    break;
                case '\n':
                    fields.Add(field.ToString());
                    return fields.ToArray();
                default:
                    field.Append(c);
                    break;
            }
        }
    }
}

/// <summary>Reads the first string of a Python list literal such as <c>['a\'b', "c"]</c>, with Python's escapes.</summary>
internal static class PythonLiteral
{
    public static string FirstString(string literal)
    {
        var i = 0;
        while (i < literal.Length && char.IsWhiteSpace(literal[i]))
        {
            i++;
        }

        if (i >= literal.Length || literal[i] != '[')
        {
            throw new FormatException("Not a Python list literal: " + Shorten(literal));
        }

        i++;
        while (i < literal.Length && char.IsWhiteSpace(literal[i]))
        {
            i++;
        }

        if (i >= literal.Length || (literal[i] != '\'' && literal[i] != '"'))
        {
            throw new FormatException("The list does not start with a string: " + Shorten(literal));
        }

        var quote = literal[i++];
        var text = new StringBuilder();
        while (i < literal.Length)
        {
            var c = literal[i++];
            if (c == quote)
            {
                return text.ToString();
            }

            if (c != '\\')
            {
                text.Append(c);
                continue;
            }

            if (i >= literal.Length)
            {
                break;
            }

            var e = literal[i++];
            switch (e)
            {
                case 'n': text.Append('\n'); break;
                case 't': text.Append('\t'); break;
                case 'r': text.Append('\r'); break;
                case '0': text.Append('\0'); break;
                case 'a': text.Append('\a'); break;
                case 'b': text.Append('\b'); break;
                case 'f': text.Append('\f'); break;
                case 'v': text.Append('\v'); break;
                case '\\': text.Append('\\'); break;
                case '\'': text.Append('\''); break;
                case '"': text.Append('"'); break;
                case '\n': break;
                case 'x': text.Append((char)Convert.ToInt32(literal.Substring(i, 2), 16)); i += 2; break;
                case 'u': text.Append((char)Convert.ToInt32(literal.Substring(i, 4), 16)); i += 4; break;
                case 'U': text.Append(char.ConvertFromUtf32(Convert.ToInt32(literal.Substring(i, 8), 16))); i += 8; break;
                default: text.Append('\\').Append(e); break;
            }
        }

        throw new FormatException("Unterminated string in Python literal: " + Shorten(literal));
    }

    private static string Shorten(string s) => s.Length <= 60 ? s : s[..60] + "…";
}
