using System.Globalization;

namespace StratumAI.Redis;

/// <summary>
/// Exact decimal arithmetic inside Redis scripts. Lua numbers are doubles, which cannot hold money exactly (0.1 + 0.2), and
/// <c>INCRBYFLOAT</c> rounds; so every amount crosses into a script as the invariant text of a non-negative
/// <see cref="decimal"/> ("0.000375") and is added, subtracted and compared there as a fixed-point integer of
/// <see cref="Scale"/> fraction digits held in base-10^7 limbs. Results come back as the same kind of text.
/// </summary>
internal static class RedisDecimalLua
{
    /// <summary>Fraction digits every amount is scaled to: <see cref="decimal"/>'s largest scale, so no amount is ever rounded.</summary>
    public const int Scale = 28;

    /// <summary>
    /// The Lua functions <c>dparse(text)</c>, <c>dadd(a, b)</c>, <c>dsub(a, b)</c> (a &gt;= b), <c>dcmp(a, b)</c> (-1, 0, 1) and
    /// <c>dfmt(a)</c>, over limb tables; prepended to the scripts that handle money.
    /// </summary>
    public const string Library = """
        local DSCALE = 28
        local DBASE = 10000000
        local function dparse(s)
          if s == nil or s == false or s == '' then s = '0' end
          local i, f = string.match(s, '^(%d*)%.?(%d*)$')
          if i == nil then error('stratum: not a decimal: ' .. tostring(s)) end
          if #f > DSCALE then error('stratum: too many fraction digits: ' .. s) end
          local digits = (i == '' and '0' or i) .. f .. string.rep('0', DSCALE - #f)
          local limbs = {}
          local n = #digits
          while n > 0 do
            local lo = n - 6
            if lo < 1 then lo = 1 end
            limbs[#limbs + 1] = tonumber(string.sub(digits, lo, n))
            n = lo - 1
          end
          return limbs
        end
        local function dtrim(a)
          while #a > 1 and a[#a] == 0 do a[#a] = nil end
          return a
        end
        local function dadd(a, b)
          local r, carry = {}, 0
          local n = math.max(#a, #b)
          for k = 1, n do
            local v = (a[k] or 0) + (b[k] or 0) + carry
            if v >= DBASE then r[k] = v - DBASE; carry = 1 else r[k] = v; carry = 0 end
          end
          if carry > 0 then r[n + 1] = carry end
          return dtrim(r)
        end
        local function dcmp(a, b)
          a = dtrim(a); b = dtrim(b)
          if #a ~= #b then return #a < #b and -1 or 1 end
          for k = #a, 1, -1 do
            if a[k] ~= b[k] then return a[k] < b[k] and -1 or 1 end
          end
          return 0
        end
        local function dsub(a, b)
          local r, borrow = {}, 0
          for k = 1, #a do
            local v = a[k] - (b[k] or 0) - borrow
            if v < 0 then r[k] = v + DBASE; borrow = 1 else r[k] = v; borrow = 0 end
          end
          if borrow > 0 or #dtrim(b) > #a then error('stratum: negative amount') end
          return dtrim(r)
        end
        local function dfmt(a)
          a = dtrim(a)
          local parts = { tostring(a[#a]) }
          for k = #a - 1, 1, -1 do parts[#parts + 1] = string.format('%07d', a[k]) end
          local digits = table.concat(parts)
          if #digits <= DSCALE then digits = string.rep('0', DSCALE - #digits + 1) .. digits end
          local i = string.sub(digits, 1, #digits - DSCALE)
          local f = string.gsub(string.sub(digits, #digits - DSCALE + 1), '0+$', '')
          if f == '' then return i end
          return i .. '.' .. f
        end
        """;

    /// <summary>The text a script reads: a non-negative amount, invariant, never an exponent.</summary>
    /// <param name="amount">The amount; must not be negative.</param>
    /// <returns>The text.</returns>
    public static string Format(decimal amount) => amount.ToString(CultureInfo.InvariantCulture);

    /// <summary>Reads an amount a script returned (<c>dfmt</c>) or stored.</summary>
    /// <param name="text">The text; null or empty is zero.</param>
    /// <returns>The amount.</returns>
    public static decimal Parse(string? text) =>
        string.IsNullOrEmpty(text) ? 0m : decimal.Parse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
}
