using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace StratumAI.Testing;

/// <summary>
/// A fake LLM provider: a Kestrel server on <c>http://127.0.0.1:&lt;random port&gt;/</c> that answers each
/// request with the next scripted response (recorded provider traffic or a <see cref="FakeResponse"/>,
/// faults included) and records every request it receives.
/// </summary>
/// <remarks>
/// <para>Responses are served first in, first out. A response queued with a path suffix is served only to a
/// request whose path ends with that suffix; other requests take the first queued response that fits them.
/// A request for which nothing fits gets status <see cref="QueueEmptyStatusCode"/> (599) with a JSON error
/// saying so, so a test that forgot to queue a response fails loudly.</para>
/// <para>The server binds the loopback interface only and writes nothing to the console.
/// All members are thread-safe.</para>
/// </remarks>
/// <example>
/// <code>
/// await using var server = await FakeProviderServer.StartAsync();
/// server.EnqueueFixture(FixtureLoader.GetFixturePath("openai/chat__vercel-ai-openai__openai-text.json"));
/// using var http = new HttpClient { BaseAddress = server.BaseUri };
/// var response = await http.PostAsync("v1/chat/completions", new StringContent("{}"));
/// Assert.Equal("{}", server.ReceivedRequests[0].Body);
/// </code>
/// </example>
public sealed class FakeProviderServer : IAsyncDisposable
{
    /// <summary>The status sent when no queued response fits a request.</summary>
    public const int QueueEmptyStatusCode = 599;

    // Framing is the server's job (the replayed body may be re-encoded), content-type is sent from
    // FakeResponse.ContentType, and alt-svc would advertise an HTTP/3 endpoint that does not exist here.
    private static readonly HashSet<string> SkippedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "content-length", "transfer-encoding", "connection", "keep-alive", "content-encoding", "content-type",
        "upgrade", "proxy-connection", "te", "trailer", "alt-svc",
    };

    private readonly object _gate = new();
    private readonly List<QueuedResponse> _queue = [];
    private readonly List<ReceivedRequest> _received = [];
    private readonly CancellationTokenSource _stopping = new();
    private WebApplication? _app;
    private int _disposed;

    private FakeProviderServer()
    {
    }

    /// <summary>Gets the base address, <c>http://127.0.0.1:&lt;port&gt;/</c> (always ends with <c>/</c>).</summary>
    public Uri BaseUri { get; private set; } = null!;

    /// <summary>Gets the endpoint the server listens on (a loopback address).</summary>
    public IPEndPoint ListeningEndPoint { get; private set; } = null!;

    /// <summary>Gets a snapshot of the requests received so far, in arrival order.</summary>
    public IReadOnlyList<ReceivedRequest> ReceivedRequests
    {
        get
        {
            lock (_gate)
            {
                return [.. _received];
            }
        }
    }

    /// <summary>Gets the number of queued responses not yet served.</summary>
    public int PendingResponseCount
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>Starts a server on <c>127.0.0.1</c> with a port chosen by the operating system.</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The started server; dispose it to stop it.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="IOException">The server could not bind a loopback port.</exception>
    public static async Task<FakeProviderServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var server = new FakeProviderServer();
        try
        {
            await server.StartCoreAsync(cancellationToken).ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Queues a response for the next request (whose path ends with <paramref name="pathEndsWith"/>, when given).</summary>
    /// <param name="response">The response to serve.</param>
    /// <param name="pathEndsWith">
    /// When not <see langword="null"/>, serve this response only to a request whose path (without query) ends with
    /// this text, compared ordinally, for example <c>"/chat/completions"</c>.
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="response"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The response has an invalid status, negative delay, byte count or chunk size.</exception>
    /// <exception cref="ObjectDisposedException">The server has been disposed.</exception>
    public void Enqueue(FakeResponse response, string? pathEndsWith = null)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Validate();
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        lock (_gate)
        {
            _queue.Add(new QueuedResponse(response, pathEndsWith));
        }
    }

    /// <summary>Queues the recorded response of <paramref name="exchange"/> for the next request.</summary>
    /// <param name="exchange">The recorded exchange whose response to replay.</param>
    /// <param name="pathEndsWith">When not <see langword="null"/>, serve it only to a request whose path ends with this text.</param>
    /// <exception cref="ArgumentNullException"><paramref name="exchange"/> is <see langword="null"/>.</exception>
    /// <exception cref="ObjectDisposedException">The server has been disposed.</exception>
    public void Enqueue(RecordedExchange exchange, string? pathEndsWith = null)
        => Enqueue(FakeResponse.FromExchange(exchange), pathEndsWith);

    /// <summary>Loads a fixture with <see cref="FixtureLoader.Load"/> and queues the responses of all its exchanges, in order.</summary>
    /// <param name="path">The fixture file (relative paths are also looked up under the shared fixtures folder).</param>
    /// <param name="pathEndsWith">When not <see langword="null"/>, serve them only to requests whose path ends with this text.</param>
    /// <returns>The exchanges that were queued.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is <see langword="null"/> or empty.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="NotSupportedException">The file is not a supported fixture format.</exception>
    /// <exception cref="InvalidDataException">The file cannot be parsed.</exception>
    /// <exception cref="ObjectDisposedException">The server has been disposed.</exception>
    public IReadOnlyList<RecordedExchange> EnqueueFixture(string path, string? pathEndsWith = null)
    {
        var exchanges = FixtureLoader.Load(path);
        var responses = exchanges.Select(FakeResponse.FromExchange).ToList();
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        lock (_gate)
        {
            foreach (var response in responses)
            {
                _queue.Add(new QueuedResponse(response, pathEndsWith));
            }
        }

        return exchanges;
    }

    /// <summary>Removes every queued response that has not been served yet.</summary>
    public void ClearQueue()
    {
        lock (_gate)
        {
            _queue.Clear();
        }
    }

    /// <summary>Stops the server, aborting requests still in progress (including scripted delays).</summary>
    /// <returns>A task that completes when the server has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_app is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _app.StopAsync(timeout.Token).ConfigureAwait(false);
            }
            finally
            {
                await _app.DisposeAsync().ConfigureAwait(false);
            }
        }

        _stopping.Dispose();
    }

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        // The empty builder reads no appsettings, environment variables or ASPNETCORE_URLS and adds no
        // logging providers: the server must bind where we say and stay quiet inside users' test runs.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(FakeProviderServer).Assembly.GetName().Name });
        builder.Services.AddLogging();
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(2));
        builder.WebHost.UseKestrelCore().ConfigureKestrel(options =>
        {
            options.AddServerHeader = false;
            options.Limits.MinResponseDataRate = null;
            options.Limits.MinRequestBodyDataRate = null;
            options.Limits.MaxRequestBodySize = null;
            options.ResponseHeaderEncodingSelector = static _ => Encoding.UTF8;
            options.Listen(IPAddress.Loopback, 0);
        });

        var app = builder.Build();
        app.Run(HandleAsync);
        _app = app;
        await app.StartAsync(cancellationToken).ConfigureAwait(false);

        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        var address = addresses?.FirstOrDefault()
            ?? throw new IOException("The fake provider server started but reported no listening address.");
        // Report what Kestrel actually bound, not what was asked for, so tests can check it.
        var bound = new Uri(address, UriKind.Absolute);
        ListeningEndPoint = new IPEndPoint(IPAddress.Parse(bound.Host), bound.Port);
        BaseUri = new Uri($"http://{bound.Host}:{bound.Port.ToString(CultureInfo.InvariantCulture)}/", UriKind.Absolute);
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        var cancellationToken = linked.Token;
        try
        {
            var request = await ReadRequestAsync(context, cancellationToken).ConfigureAwait(false);
            QueuedResponse? next;
            lock (_gate)
            {
                _received.Add(request);
                var index = _queue.FindIndex(q => q.Matches(request.Path));
                next = index < 0 ? null : _queue[index];
                if (index >= 0)
                {
                    _queue.RemoveAt(index);
                }
            }

            if (next is null)
            {
                await WriteQueueEmptyAsync(context, request, cancellationToken).ConfigureAwait(false);
                return;
            }

            await ServeAsync(context, next.Response, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away or the server is stopping: there is nobody left to answer.
            context.Abort();
        }
    }

    private static async Task<ReceivedRequest> ReadRequestAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var receivedAt = DateTimeOffset.UtcNow;
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, cancellationToken).ConfigureAwait(false);
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var header in context.Request.Headers)
        {
            foreach (var value in header.Value)
            {
                headers.Add(new(header.Key, value ?? string.Empty));
            }
        }

        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(target))
        {
            target = context.Request.Path.ToUriComponent() + context.Request.QueryString.ToUriComponent();
        }

        return new ReceivedRequest(context.Request.Method, target, headers, body.ToArray()) { ReceivedAt = receivedAt };
    }

    private static async Task ServeAsync(HttpContext context, FakeResponse response, CancellationToken cancellationToken)
    {
        if (response.DelayBeforeHeaders > TimeSpan.Zero)
        {
            await Task.Delay(response.DelayBeforeHeaders, cancellationToken).ConfigureAwait(false);
        }

        if (response.CloseWithoutResponse)
        {
            context.Abort();
            return;
        }

        var http = context.Response;
        http.StatusCode = response.StatusCode;
        foreach (var header in response.Headers)
        {
            if (!SkippedHeaders.Contains(header.Key))
            {
                http.Headers.Append(header.Key, header.Value);
            }
        }

        if (response.ContentType is not null)
        {
            http.ContentType = response.ContentType;
        }

        // 1xx, 204 and 304 responses have no body by definition; Kestrel refuses to send one.
        if (response.StatusCode is < 200 or 204 or 304)
        {
            await http.StartAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        var body = response.Body;
        var limit = response.AbortAfterBodyBytes is { } cut ? Math.Min(cut, body.Length) : body.Length;
        if (response.ChunkSize == 0 || response.AbortAfterBodyBytes is not null)
        {
            // A known length lets the client tell a cut body from a complete one.
            http.ContentLength = body.Length;
        }

        await http.StartAsync(cancellationToken).ConfigureAwait(false);
        var toSend = body[..limit];
        if (response.ChunkSize > 0)
        {
            for (var offset = 0; offset < toSend.Length; offset += response.ChunkSize)
            {
                if (offset > 0 && response.DelayBetweenChunks > TimeSpan.Zero)
                {
                    await Task.Delay(response.DelayBetweenChunks, cancellationToken).ConfigureAwait(false);
                }

                var piece = toSend.Slice(offset, Math.Min(response.ChunkSize, toSend.Length - offset));
                await http.Body.WriteAsync(piece, cancellationToken).ConfigureAwait(false);
                await http.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        else if (toSend.Length > 0)
        {
            await http.Body.WriteAsync(toSend, cancellationToken).ConfigureAwait(false);
        }

        if (response.AbortAfterBodyBytes is not null)
        {
            // Returning with fewer bytes than Content-Length makes Kestrel flush what was written and then
            // close the connection. Aborting here instead would send a TCP reset that can overtake the bytes
            // already written, so the client would not reliably see the partial body.
            await http.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task WriteQueueEmptyAsync(HttpContext context, ReceivedRequest request, CancellationToken cancellationToken)
    {
        var message = $"StratumAI.Testing.FakeProviderServer: no response was queued for {request.Method} {request.PathAndQuery}. "
            + "Call Enqueue or EnqueueFixture before sending the request (or check the pathEndsWith filter).";
        var json = JsonSerializer.SerializeToUtf8Bytes(
            new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal)
            {
                ["error"] = new(StringComparer.Ordinal)
                {
                    ["message"] = message,
                    ["type"] = "fake_server_queue_empty",
                    ["method"] = request.Method,
                    ["path"] = request.PathAndQuery,
                },
            });
        context.Response.StatusCode = QueueEmptyStatusCode;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = json.Length;
        await context.Response.Body.WriteAsync(json, cancellationToken).ConfigureAwait(false);
    }

    private sealed record QueuedResponse(FakeResponse Response, string? PathEndsWith)
    {
        public bool Matches(string path) => PathEndsWith is null || path.EndsWith(PathEndsWith, StringComparison.Ordinal);
    }
}
