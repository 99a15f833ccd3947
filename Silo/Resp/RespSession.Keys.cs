using System.Buffers;
using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Silo.Resp;

/// <summary>
/// Counters (INCR, INCRBY, DECR, DECRBY) and a key's expiry (EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT, TTL,
/// PTTL, PERSIST): each one call to its key's bucket, which applies it atomically.
/// </summary>
internal sealed partial class RespSession
{
    private static PendingReply Incr(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments) =>
        Increment(session, arguments[1], 1);

    private static PendingReply Decr(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments) =>
        Increment(session, arguments[1], -1);

    private static PendingReply IncrBy(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments) =>
        TryReadInteger(arguments[2], out long by) ? Increment(session, arguments[1], by) : NotAnInteger();

    private static PendingReply DecrBy(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments)
    {
        if (!TryReadInteger(arguments[2], out long by))
        {
            return NotAnInteger();
        }

        // -long.MinValue is long.MinValue again: refused before negating, in Redis's words.
        return by == long.MinValue
            ? PendingReply.Error("ERR decrement would overflow")
            : Increment(session, arguments[1], -by);
    }

    private static PendingReply Increment(RespSession session, in ReadOnlySequence<byte> rawKey, long by)
    {
        if (!TryReadKey(rawKey, out var key, out var invalid))
        {
            return invalid;
        }

        return PendingReply.Integer(session.Run(key, by, static (cache, key, by) => cache.IncrementAsync(key, by)));
    }

    private static PendingReply Expire(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments) =>
        SetExpiry(session, arguments, "expire", unitMilliseconds: 1000, absolute: false);

    private static PendingReply PExpire(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments) =>
        SetExpiry(session, arguments, "pexpire", unitMilliseconds: 1, absolute: false);

    private static PendingReply ExpireAt(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments) =>
        SetExpiry(session, arguments, "expireat", unitMilliseconds: 1000, absolute: true);

    private static PendingReply PExpireAt(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments) =>
        SetExpiry(session, arguments, "pexpireat", unitMilliseconds: 1, absolute: true);

    /// <summary>
    /// EXPIRE and its kin: 1 when the key exists (a time already past deletes it, as Redis does), 0 when not.
    /// A time to live over 100 years, or a Unix time past year 9999, is an invalid expire time here.
    /// </summary>
    private static PendingReply SetExpiry(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments, string command, long unitMilliseconds, bool absolute)
    {
        var condition = ExpiryCondition.None;
        for (int i = 3; i < arguments.Length; i++)
        {
            var option = arguments[i];
            var one = IsOption(option, "NX"u8) ? ExpiryCondition.IfNone
                : IsOption(option, "XX"u8) ? ExpiryCondition.IfAny
                : IsOption(option, "GT"u8) ? ExpiryCondition.IfLater
                : IsOption(option, "LT"u8) ? ExpiryCondition.IfEarlier
                : ExpiryCondition.None;
            if (one == ExpiryCondition.None)
            {
                return PendingReply.Error($"ERR Unsupported option {Text(option)}");
            }

            condition |= one;
        }

        // Redis 7.0's rules for combining them, in its words.
        if (condition.HasFlag(ExpiryCondition.IfNone) && condition != ExpiryCondition.IfNone)
        {
            return PendingReply.Error("ERR NX and XX, GT or LT options at the same time are not compatible");
        }

        if (condition.HasFlag(ExpiryCondition.IfLater) && condition.HasFlag(ExpiryCondition.IfEarlier))
        {
            return PendingReply.Error("ERR GT and LT options at the same time are not compatible");
        }

        if (!TryReadInteger(arguments[2], out long amount))
        {
            return NotAnInteger();
        }

        if (amount > ExpiryLimitMilliseconds(absolute) / unitMilliseconds)
        {
            return InvalidExpireTime(command);
        }

        if (!TryReadKey(arguments[1], out var key, out var invalid))
        {
            return invalid;
        }

        // Zero or negative is a time already past: the facade deletes the key. Clamped, so no range check can throw.
        long milliseconds = Math.Max(amount, -1) * unitMilliseconds;
        if (condition != ExpiryCondition.None)
        {
            // A time already past is an instant before now: the condition compares it, then the key is deleted.
            var at = absolute || milliseconds <= 0
                ? CacheExpiry.At(DateTimeOffset.FromUnixTimeMilliseconds(absolute ? Math.Max(milliseconds, 0) : 0))
                : CacheExpiry.After(TimeSpan.FromMilliseconds(milliseconds));
            return PendingReply.Flag(session.Run(key, (at, condition), static (cache, key, s) => cache.ExpireAsync(key, s.at, s.condition)));
        }

        var expire = absolute
            ? session.Run(key, DateTimeOffset.FromUnixTimeMilliseconds(Math.Max(milliseconds, 0)), static (cache, key, at) => cache.ExpireAtAsync(key, at))
            : session.Run(key, TimeSpan.FromMilliseconds(Math.Max(milliseconds, 0)), static (cache, key, ttl) => cache.ExpireAsync(key, ttl));
        return PendingReply.Flag(expire);
    }

    private static PendingReply Ttl(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments) =>
        TimeToLive(session, arguments[1], milliseconds: false);

    private static PendingReply PTtl(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments) =>
        TimeToLive(session, arguments[1], milliseconds: true);

    private static PendingReply TimeToLive(RespSession session, in ReadOnlySequence<byte> rawKey, bool milliseconds)
    {
        if (!TryReadKey(rawKey, out var key, out var invalid))
        {
            return invalid;
        }

        return PendingReply.TimeToLive(session.Run(key, 0, static (cache, key, _) => cache.GetTimeToLiveAsync(key)), milliseconds);
    }

    private static PendingReply Persist(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments)
    {
        if (!TryReadKey(arguments[1], out var key, out var invalid))
        {
            return invalid;
        }

        return PendingReply.Flag(session.Run(key, 0, static (cache, key, _) => cache.PersistAsync(key)));
    }
}
