namespace StratumAI.Redis;

/// <summary>
/// The server-side scripts of <see cref="RedisBudgetStore"/>. Each runs atomically in Redis, so a check and the reservation it
/// admits, or a settlement and the alerts it fires, are one step for every process.
/// </summary>
/// <remarks>
/// <para>Keys (all under one hash tag, so a store's keys share one cluster slot): a hash per window (<c>s</c> spent,
/// <c>r</c> reserved, <c>a&lt;n&gt;</c> alert flags); a hash per reservation (<c>st</c> open / expired / done, <c>amt</c>,
/// <c>keys</c> its windows); a sorted set of leases (reservation id by expiry, Redis server time in ms); a hash of counters.</para>
/// <para>Leases: every script that reserves or reads first sweeps the leases that ended (at most 64 per run): an open
/// reservation whose lease ended gives its amount back to its windows and becomes <c>expired</c>. A settlement that comes
/// later still adds its cost (the provider billed it), once. A completed reservation stays <c>done</c> for a day, so a
/// retried completion does nothing.</para>
/// <para>Requires Redis 5 or later (scripts replicated by effects, so reading TIME before writing is allowed).</para>
/// </remarks>
internal static class RedisBudgetScripts
{
    private const string Common = RedisDecimalLua.Library + """

        local function now_ms()
          local t = redis.call('TIME')
          return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        end
        local function take(a, b)
          if dcmp(a, b) < 0 then return dparse('0') end
          return dsub(a, b)
        end
        local function sweep(leases, stats, root, now)
          local ended = redis.call('ZRANGEBYSCORE', leases, '-inf', now, 'LIMIT', 0, 64)
          for _, id in ipairs(ended) do
            local rk = root .. ':res:' .. id
            local res = redis.call('HMGET', rk, 'st', 'amt', 'keys')
            if res[1] == 'open' then
              local amt = dparse(res[2])
              for wk in string.gmatch(res[3], '[^\n]+') do
                redis.call('HSET', wk, 'r', dfmt(take(dparse(redis.call('HGET', wk, 'r')), amt)))
              end
              redis.call('HSET', rk, 'st', 'expired')
              redis.call('HINCRBY', stats, 'expired', 1)
            end
            redis.call('ZREM', leases, id)
          end
        end

        """;

    /// <summary>
    /// KEYS: leases, counters, the reservation, then each window. ARGV: root, id, amount, lease ms, marker ms, window count,
    /// then per window its limit and its expiry (unix seconds, 0 for none).
    /// Returns {1} reserved, {2} the id was already used (nothing done), or {0, window index (1-based), spent, reserved}.
    /// </summary>
    public const string Reserve = Common + """
        local now = now_ms()
        sweep(KEYS[1], KEYS[2], ARGV[1], now)
        if redis.call('EXISTS', KEYS[3]) == 1 then return { 2 } end
        local amount = dparse(ARGV[3])
        local n = tonumber(ARGV[6])
        if dcmp(amount, dparse('0')) > 0 then
          for i = 1, n do
            local w = redis.call('HMGET', KEYS[3 + i], 's', 'r')
            local s, r = dparse(w[1]), dparse(w[2])
            if dcmp(dadd(dadd(s, r), amount), dparse(ARGV[5 + 2 * i])) > 0 then
              redis.call('HINCRBY', KEYS[2], 'refused', 1)
              return { 0, i, dfmt(s), dfmt(r) }
            end
          end
        end
        local keys = {}
        for i = 1, n do
          local wk = KEYS[3 + i]
          redis.call('HSET', wk, 'r', dfmt(dadd(dparse(redis.call('HGET', wk, 'r')), amount)))
          local expires = tonumber(ARGV[6 + 2 * i])
          if expires > 0 then redis.call('EXPIREAT', wk, expires) end
          keys[#keys + 1] = wk
        end
        redis.call('HSET', KEYS[3], 'st', 'open', 'amt', ARGV[3], 'keys', table.concat(keys, '\n'))
        redis.call('PEXPIRE', KEYS[3], tonumber(ARGV[4]) + tonumber(ARGV[5]))
        redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), ARGV[2])
        redis.call('HINCRBY', KEYS[2], 'reserved', 1)
        return { 1 }
        """;

    /// <summary>
    /// KEYS: leases, counters, the reservation (or the counters again for a charge), then each window. ARGV: mode
    /// (<c>settle</c>, <c>release</c> or <c>charge</c>), id, actual cost, marker ms, window count, then per window its expiry
    /// (unix seconds, 0 for none), its threshold count k and k threshold amounts (ascending).
    /// Returns {0} already completed (nothing done), or {1, was open (1/0), then per alert fired: window index, threshold index, spent}.
    /// </summary>
    public const string Complete = Common + """
        local mode = ARGV[1]
        local open = false
        local amt = nil
        if mode ~= 'charge' then
          local res = redis.call('HMGET', KEYS[3], 'st', 'amt')
          if res[1] == 'done' then return { 0 } end
          open = res[1] == 'open'
          if open then amt = dparse(res[2]) end
        end
        local actual = dparse(ARGV[3])
        local spends = dcmp(actual, dparse('0')) > 0
        local n = tonumber(ARGV[5])
        local fired = {}
        local pos = 6
        for i = 1, n do
          local wk = KEYS[3 + i]
          local expires = tonumber(ARGV[pos]); pos = pos + 1
          local k = tonumber(ARGV[pos]); pos = pos + 1
          if open then
            redis.call('HSET', wk, 'r', dfmt(take(dparse(redis.call('HGET', wk, 'r')), amt)))
          end
          if spends then
            local s = dadd(dparse(redis.call('HGET', wk, 's')), actual)
            local text = dfmt(s)
            redis.call('HSET', wk, 's', text)
            if expires > 0 then redis.call('EXPIREAT', wk, expires) end
            for j = 1, k do
              if dcmp(s, dparse(ARGV[pos + j - 1])) >= 0 and redis.call('HSETNX', wk, 'a' .. j, '1') == 1 then
                fired[#fired + 1] = i; fired[#fired + 1] = j; fired[#fired + 1] = text
              end
            end
          end
          pos = pos + k
        end
        if mode ~= 'charge' then
          redis.call('HSET', KEYS[3], 'st', 'done')
          redis.call('PEXPIRE', KEYS[3], tonumber(ARGV[4]))
          redis.call('ZREM', KEYS[1], ARGV[2])
          if open then
            redis.call('HINCRBY', KEYS[2], mode == 'release' and 'released' or 'settled', 1)
          else
            redis.call('HINCRBY', KEYS[2], mode == 'release' and 'late_released' or 'late_settled', 1)
          end
        else
          redis.call('HINCRBY', KEYS[2], 'charged', 1)
        end
        local reply = { 1, open and 1 or 0 }
        for _, v in ipairs(fired) do reply[#reply + 1] = v end
        return reply
        """;

    /// <summary>KEYS: leases, counters, the window. ARGV: root. Sweeps ended leases, then returns {spent, reserved}.</summary>
    public const string Status = Common + """
        sweep(KEYS[1], KEYS[2], ARGV[1], now_ms())
        local w = redis.call('HMGET', KEYS[3], 's', 'r')
        return { dfmt(dparse(w[1])), dfmt(dparse(w[2])) }
        """;

    /// <summary>
    /// KEYS: leases, counters. ARGV: root, lease ms, marker ms, then the ids of this process's open reservations. Extends the
    /// lease of each one still open, sweeps ended ones, and returns the number of open leases in the store.
    /// </summary>
    public const string Renew = Common + """
        local now = now_ms()
        local lease = tonumber(ARGV[2])
        for i = 4, #ARGV do
          if redis.call('ZSCORE', KEYS[1], ARGV[i]) then
            redis.call('ZADD', KEYS[1], 'XX', now + lease, ARGV[i])
            redis.call('PEXPIRE', ARGV[1] .. ':res:' .. ARGV[i], lease + tonumber(ARGV[3]))
          end
        end
        sweep(KEYS[1], KEYS[2], ARGV[1], now)
        return redis.call('ZCARD', KEYS[1])
        """;
}
