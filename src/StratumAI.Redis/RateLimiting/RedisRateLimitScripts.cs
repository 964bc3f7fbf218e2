namespace StratumAI.Redis;

/// <summary>The Lua scripts of <see cref="RedisRateLimitStore"/>. Time is Redis's own (<c>TIME</c>), so every process reads one clock.</summary>
internal static class RedisRateLimitScripts
{
    /// <summary>
    /// A sliding log per bucket: a sorted set of the requests let through (score = milliseconds), and for tokens a sorted set of
    /// <c>id:tokens</c> entries with their sum in a counter. An entry counts until a whole window has passed after it (it leaves
    /// only when its score is older than now − window), so no interval of one window ever holds more than the limit. The call
    /// is let through only when its key is not paused and every bucket has room; otherwise nothing is written and the reply is
    /// how long until the first moment it could fit (the pause's end, or the entry whose expiry frees enough room).
    /// KEYS: pause, then per bucket: requests, tokens, token sum. ARGV: bucket count, tokens, id, then per bucket: window ms,
    /// request limit (0 for none), token limit (0 for none). Reply: {1, 0} admitted, or {0, wait ms}.
    /// </summary>

    public const string Acquire = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local paused = redis.call('PTTL', KEYS[1])
        if paused > 0 then
          return {0, paused}
        end
        local n = tonumber(ARGV[1])
        local tokens = tonumber(ARGV[2])
        local id = ARGV[3]
        local wait = 0
        for i = 0, n - 1 do
          local window = tonumber(ARGV[4 + i * 3])
          local rl = tonumber(ARGV[5 + i * 3])
          local tl = tonumber(ARGV[6 + i * 3])
          local rk = KEYS[2 + i * 3]
          local tk = KEYS[3 + i * 3]
          local sk = KEYS[4 + i * 3]
          local older = '(' .. (now - window)
          if rl > 0 then
            redis.call('ZREMRANGEBYSCORE', rk, '-inf', older)
            local count = redis.call('ZCARD', rk)
            if count >= rl then
              local e = redis.call('ZRANGE', rk, count - rl, count - rl, 'WITHSCORES')
              wait = math.max(wait, tonumber(e[2]) + window - now + 1)
            end
          end
          if tl > 0 and tokens > 0 then
            local ask = math.min(tokens, tl)
            local expired = redis.call('ZRANGEBYSCORE', tk, '-inf', older)
            if #expired > 0 then
              local freed = 0
              for _, m in ipairs(expired) do
                freed = freed + tonumber(string.match(m, ':(%d+)$'))
              end
              redis.call('ZREMRANGEBYSCORE', tk, '-inf', older)
              redis.call('DECRBY', sk, freed)
            end
            local used = tonumber(redis.call('GET', sk) or '0')
            if used + ask > tl then
              local entries = redis.call('ZRANGE', tk, 0, -1, 'WITHSCORES')
              local need = used + ask - tl
              local acc = 0
              local w = window
              for j = 1, #entries, 2 do
                acc = acc + tonumber(string.match(entries[j], ':(%d+)$'))
                if acc >= need then
                  w = tonumber(entries[j + 1]) + window - now + 1
                  break
                end
              end
              wait = math.max(wait, w)
            end
          end
        end
        if wait > 0 then
          return {0, wait}
        end
        for i = 0, n - 1 do
          local window = tonumber(ARGV[4 + i * 3])
          if tonumber(ARGV[5 + i * 3]) > 0 then
            redis.call('ZADD', KEYS[2 + i * 3], now, id)
            redis.call('PEXPIRE', KEYS[2 + i * 3], window + 1000)
          end
          local tl = tonumber(ARGV[6 + i * 3])
          if tl > 0 and tokens > 0 then
            local ask = math.min(tokens, tl)
            redis.call('ZADD', KEYS[3 + i * 3], now, id .. ':' .. ask)
            redis.call('INCRBY', KEYS[4 + i * 3], ask)
            redis.call('PEXPIRE', KEYS[3 + i * 3], window + 1000)
            redis.call('PEXPIRE', KEYS[4 + i * 3], window + 1000)
          end
        end
        return {1, 0}
        """;

    /// <summary>Pauses a key: KEYS[1] the pause key, ARGV[1] milliseconds. Never shortens a pause already in force.</summary>
    public const string Pause = """
        local left = redis.call('PTTL', KEYS[1])
        local ms = tonumber(ARGV[1])
        if left < ms then
          redis.call('SET', KEYS[1], '1', 'PX', ms)
        end
        return 1
        """;
}
