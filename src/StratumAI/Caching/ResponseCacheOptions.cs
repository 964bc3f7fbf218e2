using System.Text.Json;
using Microsoft.Extensions.AI;

namespace StratumAI;

/// <summary>Settings of a <see cref="ResponseCacheChatClient"/>.</summary>
/// <remarks>Set the properties before the client serves its first call; they are read on every call and not synchronised.</remarks>
public sealed class ResponseCacheOptions
{
    private TimeSpan _defaultTtl = TimeSpan.FromHours(1);
    private string _keyPrefix = "stratum:chat:";
    private JsonSerializerOptions _serializerOptions = AIJsonUtilities.DefaultOptions;
    private int _localEntryLimit = 1024;
    private TimeSpan _localDuration = TimeSpan.FromMinutes(5);

    /// <summary>Whether every call is cached for <see cref="DefaultTtl"/> without asking.</summary>
    /// <value>False by default: only calls that opt in with <see cref="StratumChatOptionsExtensions.WithCacheTtl"/> or
    /// <see cref="StratumChatOptionsExtensions.WithCache"/>(true) are cached. <c>WithCache(false)</c> still bypasses the cache
    /// for one call.</value>
    public bool CacheEveryCall { get; set; }

    /// <summary>How long a response is kept when the call asked for caching without a TTL of its own.</summary>
    /// <value>One hour by default.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public TimeSpan DefaultTtl
    {
        get => _defaultTtl;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _defaultTtl = value;
        }
    }

    /// <summary>Prefix of every key written to the cache, so StratumAI's entries can share a cache with others.</summary>
    /// <value><c>stratum:chat:</c> by default.</value>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public string KeyPrefix
    {
        get => _keyPrefix;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            _keyPrefix = value;
        }
    }

    /// <summary>Where hits are logged (<c>ChatCacheHit</c>, event 1012, Debug, with what the hit saved), or null for nowhere.</summary>
    /// <value>Null by default: <c>UseStratumCache</c> uses the pipeline's <see cref="Microsoft.Extensions.Logging.ILoggerFactory"/> when it finds one.</value>
    public Microsoft.Extensions.Logging.ILogger? Logger { get; set; }

    /// <summary>The clock that stamps an entry's expiry and checks it on read.</summary>
    /// <value>Null by default: the <see cref="TimeProvider"/> of the pipeline's services, else <see cref="TimeProvider.System"/>.</value>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>
    /// The catalog used to name the model in the key (an alias and its model id share entries) and to attach the
    /// <see cref="ModelInfo"/> to a hit.
    /// </summary>
    /// <value>Null by default: the <see cref="StratumClient.Models"/> of the inner <see cref="StratumClient"/> when there is one,
    /// else <see cref="ModelRegistry.Default"/>.</value>
    public ModelRegistry? Models { get; set; }

    /// <summary>Serialises cached responses and the values hashed into keys.</summary>
    /// <value><see cref="AIJsonUtilities.DefaultOptions"/> by default (source-generated, AOT-safe); set options that also
    /// know your own <see cref="AIContent"/> types when you use them.</value>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public JsonSerializerOptions JsonSerializerOptions
    {
        get => _serializerOptions;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            _serializerOptions = value;
        }
    }

    /// <summary>How many decoded entries the client keeps in process memory, in front of the store, so a hit skips the store and the JSON decoding.</summary>
    /// <value>1,024 by default; 0 turns the local copies off (every hit reads and decodes the store's bytes).</value>
    /// <remarks>
    /// A local copy is served until the entry expires or <see cref="LocalDuration"/> has passed, whichever is first; an entry
    /// removed from the store by someone else is therefore still served here for at most that long (as HybridCache's own local tier does).
    /// When the limit is reached, stale copies are dropped first, then about a tenth of the copies, in effect at random; the
    /// store keeps those entries.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int LocalEntryLimit
    {
        get => _localEntryLimit;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _localEntryLimit = value;
        }
    }

    /// <summary>The longest a decoded entry is served from process memory before the store is read again.</summary>
    /// <value>Five minutes by default.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public TimeSpan LocalDuration
    {
        get => _localDuration;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _localDuration = value;
        }
    }
}
