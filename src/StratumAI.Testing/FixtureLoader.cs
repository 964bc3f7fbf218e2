using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using StratumAI.Testing.Fixtures;

namespace StratumAI.Testing;

/// <summary>
/// Loads recorded provider traffic from fixture files into <see cref="RecordedExchange"/> values.
/// </summary>
/// <remarks>
/// <para>Supported formats, chosen by file name:</para>
/// <list type="bullet">
/// <item><description><c>*.yaml</c> / <c>*.yml</c>: VCR cassettes: vcrpy and pydantic-ai (<c>interactions</c>; pydantic-ai's <c>parsed_body</c> YAML is turned back into typed JSON; vcrpy's raw <c>body.string</c> is kept verbatim) and Ruby VCR (<c>http_interactions</c>).</description></item>
/// <item><description><c>*.httprr</c>: langchaingo raw HTTP traces; chunked transfer-encoding is decoded.</description></item>
/// <item><description><c>*.json</c> holding <c>{"Entries":[…]}</c>: an Azure SDK / OpenAI .NET test-framework session record, one exchange per entry.</description></item>
/// <item><description><c>*.chunks.txt</c>: one stream event JSON per line, re-framed as the provider's SSE.</description></item>
/// <item><description><c>*.sse</c>, and a <c>*.txt</c> whose first line starts with <c>data:</c> or <c>event:</c>: a raw SSE body, served as <c>text/event-stream</c>.</description></item>
/// <item><description><c>*.ndjson</c> and other <c>*.txt</c>: newline-delimited JSON (Ollama), served as <c>application/x-ndjson</c> (<c>application/json</c> when it holds one object).</description></item>
/// <item><description>Any other <c>*.json</c>: one response body (a UTF-8 byte-order mark is dropped); error bodies get the status they imply (for example Gemini's <c>error.code</c>, OpenAI's <c>invalid_request_error</c> → 400).</description></item>
/// </list>
/// <para>Body-only formats have no recorded request: their <see cref="RecordedExchange.Request"/> is <see langword="null"/>
/// and the response is 200 unless the body is an error.</para>
/// <para>A batch output file (<c>*.jsonl</c>) is not an HTTP recording: <see cref="Load(string)"/> refuses it with
/// <see cref="NotAnHttpRecordingException"/>, and <see cref="LoadBatchResults(string)"/> loads it.</para>
/// <para>All members are thread-safe.</para>
/// </remarks>
public static class FixtureLoader
{
    /// <summary>The environment variable that, when set, names the shared folder (the one holding <c>fixtures/</c>).</summary>
    public const string SharedDirectoryEnvironmentVariable = "STRATUM_SHARED_DIR";

    /// <summary>The assembly metadata key test projects use to record the repository root.</summary>
    public const string RepoRootMetadataKey = "StratumRepoRoot";

    private const string SolutionFileName = "StratumAI.Generators.sln";

    /// <summary>Loads every exchange recorded in the fixture file at <paramref name="path"/>, in recorded order.</summary>
    /// <param name="path">
    /// The fixture file. A relative path that does not exist relative to the current directory is looked up under
    /// <see cref="SharedFixturesDirectory()"/> (so <c>"openai/chat__vercel-ai-openai__openai-text.json"</c> works).
    /// </param>
    /// <returns>The exchanges, at least one.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is <see langword="null"/> or empty.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="NotAnHttpRecordingException">The file is not a recording of HTTP traffic (a batch output <c>*.jsonl</c> file: use <see cref="LoadBatchResults(string)"/>).</exception>
    /// <exception cref="NotSupportedException">The file extension is not one of the supported formats.</exception>
    /// <exception cref="InvalidDataException">The file cannot be parsed as its format.</exception>
    public static IReadOnlyList<RecordedExchange> Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fullPath = ResolvePath(path);
        var bytes = File.ReadAllBytes(fullPath);
        var name = Path.GetFileName(fullPath);

        IReadOnlyList<RecordedExchange> exchanges;
        if (name.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase))
        {
            throw new NotAnHttpRecordingException(
                $"'{fullPath}' is a batch output file (JSON Lines, one batch result per line), not a recording of HTTP traffic. "
                + $"Load it with {nameof(FixtureLoader)}.{nameof(LoadBatchResults)} and serve its content as the body of the file download.");
        }
        else if (name.EndsWith(".httprr", StringComparison.OrdinalIgnoreCase) || HttprrReader.IsHttprr(bytes))
        {
            exchanges = HttprrReader.Read(bytes, fullPath);
        }
        else if (name.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
        {
            exchanges = VcrCassetteReader.Read(new UTF8Encoding(false).GetString(bytes).TrimStart('\uFEFF'), fullPath);
        }
        else if (name.EndsWith(".chunks.txt", StringComparison.OrdinalIgnoreCase))
        {
            exchanges = [BodyOnlyFixtureReader.ReadChunks(bytes, fullPath)];
        }
        else if (name.EndsWith(".sse", StringComparison.OrdinalIgnoreCase)
            || (name.EndsWith(".txt", StringComparison.OrdinalIgnoreCase) && BodyOnlyFixtureReader.StartsLikeSse(bytes)))
        {
            exchanges = [BodyOnlyFixtureReader.ReadSse(bytes, fullPath)];
        }
        else if (name.EndsWith(".ndjson", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".txt", StringComparison.OrdinalIgnoreCase))
        {
            exchanges = [BodyOnlyFixtureReader.ReadNdJson(bytes, fullPath)];
        }
        else if (name.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            exchanges = ReadJsonFixture(bytes, fullPath);
        }
        else
        {
            throw new NotSupportedException(
                $"'{fullPath}' is not a supported fixture format (.yaml, .yml, .httprr, .chunks.txt, .sse, .ndjson, .txt, .json; .jsonl batch output files load with {nameof(LoadBatchResults)}).");
        }

        if (exchanges.Count == 0)
        {
            throw new InvalidDataException($"'{fullPath}' holds no recorded exchanges.");
        }

        return exchanges;
    }

    /// <summary>
    /// Loads a batch output file: the JSON Lines file a batch produces, one result per line (OpenAI's output file,
    /// Anthropic's Message Batch results). It is a file a provider serves as a download body, not a recording of HTTP
    /// traffic, which is why <see cref="Load(string)"/> refuses it.
    /// </summary>
    /// <param name="path">The file; a relative path is looked up like in <see cref="Load(string)"/>.</param>
    /// <returns>The file's content and its results, in file order.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is <see langword="null"/> or empty.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">A non-blank line is not a JSON object with a string <c>custom_id</c>, or the file has no result.</exception>
    public static RecordedBatchResults LoadBatchResults(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fullPath = ResolvePath(path);
        return BatchResultsReader.Read(File.ReadAllBytes(fullPath), fullPath);
    }

    /// <summary>
    /// Returns the full path of a fixture given its path relative to <see cref="SharedFixturesDirectory()"/>,
    /// for example <c>GetFixturePath("openai/chat__vercel-ai-openai__openai-text.json")</c>.
    /// </summary>
    /// <param name="relativePath">The path below the fixtures folder; <c>/</c> or the platform separator.</param>
    /// <returns>The full path.</returns>
    /// <exception cref="ArgumentException"><paramref name="relativePath"/> is <see langword="null"/> or empty.</exception>
    /// <exception cref="DirectoryNotFoundException">The shared fixtures folder cannot be found.</exception>
    /// <exception cref="FileNotFoundException">No such fixture exists.</exception>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static string GetFixturePath(string relativePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(relativePath);
        var directory = FindSharedFixturesDirectory(Assembly.GetCallingAssembly());
        var fullPath = Path.GetFullPath(Path.Combine(directory, relativePath.Replace('/', Path.DirectorySeparatorChar)));
        if (!File.Exists(fullPath))
        {
            throw new FileNotFoundException($"No fixture '{relativePath}' under '{directory}'.", fullPath);
        }

        return fullPath;
    }

    /// <summary>
    /// Finds the shared fixtures folder (<c>../shared/fixtures</c> relative to the repository root).
    /// </summary>
    /// <remarks>
    /// Looks, in order: at the <c>STRATUM_SHARED_DIR</c> environment variable (the shared folder; its
    /// <c>fixtures</c> subfolder is returned); at the <c>StratumRepoRoot</c> <see cref="AssemblyMetadataAttribute"/>
    /// of the calling assembly, then of any loaded assembly; then walks up from <see cref="AppContext.BaseDirectory"/>
    /// to the folder holding <c>StratumAI.Generators.sln</c>.
    /// </remarks>
    /// <returns>The full path of the fixtures folder.</returns>
    /// <exception cref="DirectoryNotFoundException">No candidate folder exists.</exception>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static string SharedFixturesDirectory() => FindSharedFixturesDirectory(Assembly.GetCallingAssembly());

    /// <summary>
    /// Finds the shared fixtures folder like <see cref="SharedFixturesDirectory()"/>, reading the
    /// <c>StratumRepoRoot</c> metadata of <paramref name="testAssembly"/> first.
    /// </summary>
    /// <param name="testAssembly">The assembly whose <c>StratumRepoRoot</c> metadata names the repository root.</param>
    /// <returns>The full path of the fixtures folder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="testAssembly"/> is <see langword="null"/>.</exception>
    /// <exception cref="DirectoryNotFoundException">No candidate folder exists.</exception>
    public static string SharedFixturesDirectory(Assembly testAssembly)
    {
        ArgumentNullException.ThrowIfNull(testAssembly);
        return FindSharedFixturesDirectory(testAssembly);
    }

    private static string FindSharedFixturesDirectory(Assembly? preferred)
    {
        var tried = new List<string>();

        var fromEnvironment = Environment.GetEnvironmentVariable(SharedDirectoryEnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            var candidate = Path.GetFullPath(Path.Combine(fromEnvironment, "fixtures"));
            if (Directory.Exists(candidate))
            {
                return candidate;
            }

            tried.Add($"{candidate} (from {SharedDirectoryEnvironmentVariable})");
        }

        var assemblies = new List<Assembly>();
        if (preferred is not null)
        {
            assemblies.Add(preferred);
        }

        assemblies.AddRange(AppDomain.CurrentDomain.GetAssemblies().Where(a => !a.IsDynamic && a != preferred));
        foreach (var assembly in assemblies)
        {
            foreach (var metadata in assembly.GetCustomAttributes<AssemblyMetadataAttribute>())
            {
                if (metadata.Key == RepoRootMetadataKey && !string.IsNullOrWhiteSpace(metadata.Value))
                {
                    var candidate = Path.GetFullPath(Path.Combine(metadata.Value, "..", "shared", "fixtures"));
                    if (Directory.Exists(candidate))
                    {
                        return candidate;
                    }

                    tried.Add($"{candidate} (from {RepoRootMetadataKey} of {assembly.GetName().Name})");
                }
            }
        }

        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, SolutionFileName)))
            {
                var candidate = Path.GetFullPath(Path.Combine(directory.FullName, "..", "shared", "fixtures"));
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }

                tried.Add($"{candidate} (beside the folder holding {SolutionFileName})");
                break;
            }
        }

        throw new DirectoryNotFoundException(
            "Cannot find the shared fixtures folder. Set " + SharedDirectoryEnvironmentVariable
            + " to the shared folder, or run from a build of the repository. Tried: "
            + (tried.Count == 0 ? "(no candidates)" : string.Join("; ", tried)));
    }

    /// <summary>A <c>.json</c> fixture is a test-framework session record (<c>{"Entries":[…]}</c>) or one response body.</summary>
    private static IReadOnlyList<RecordedExchange> ReadJsonFixture(byte[] bytes, string fullPath)
    {
        try
        {
            using var document = JsonDocument.Parse(BodyOnlyFixtureReader.StripBom(bytes));
            if (SessionRecordReader.IsSessionRecord(document.RootElement))
            {
                return SessionRecordReader.Read(document.RootElement, fullPath);
            }
        }
        catch (JsonException)
        {
            // Not JSON at all: ReadJson reports it with the file name.
        }

        return [BodyOnlyFixtureReader.ReadJson(bytes, fullPath)];
    }

    private static string ResolvePath(string path)
    {
        if (File.Exists(path))
        {
            return Path.GetFullPath(path);
        }

        if (!Path.IsPathRooted(path))
        {
            string? directory = null;
            try
            {
                directory = FindSharedFixturesDirectory(null);
            }
            catch (DirectoryNotFoundException)
            {
                // Fall through to the "not found" error below, which names the path the caller gave.
                directory = null;
            }

            if (directory is not null)
            {
                var candidate = Path.GetFullPath(Path.Combine(directory, path.Replace('/', Path.DirectorySeparatorChar)));
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new FileNotFoundException($"Fixture file '{path}' does not exist.", path);
    }
}
