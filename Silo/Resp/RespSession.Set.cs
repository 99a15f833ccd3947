using System.Buffers;
using OrleansCache.ClientLibrary;
using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Silo.Resp;

/// <summary>
/// SET with its options, and the older commands StackExchange.Redis and others still send for them: SETNX,
/// SETEX, PSETEX. Each is one <see cref="CacheClient.SetAsync(string, CacheValue, SetOptions)"/> call, whose
/// bucket checks the condition and writes as one step.
/// </summary>
internal sealed partial class RespSession
{
    // Unix milliseconds of DateTimeOffset.MaxValue: a later EXAT/PXAT cannot be represented.
    private static readonly long MaxUnixMilliseconds = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    private static readonly long MaxTimeToLiveMilliseconds = (long)CacheExpiry.MaxTimeToLive.TotalMilliseconds;

    [Flags]
    private enum SetFlags
    {
        None = 0,
        IfAbsent = 1,
        IfPresent = 2,
        Get = 4,
        KeepTtl = 8,
        Ex = 16,
        Px = 32,
        ExAt = 64,
        PxAt = 128,
        Expiry = Ex | Px | ExAt | PxAt,
    }

    // SET key value [NX | XX] [GET] [EX s | PX ms | EXAT unix-s | PXAT unix-ms | KEEPTTL], as Redis 7.0 parses it.
    private static PendingReply SetWithOptions(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments)
    {
        var flags = SetFlags.None;
        int expiryAt = 0;
        for (int i = 3; i < arguments.Length; i++)
        {
            var option = ReadSetOption(arguments[i]);

            // Redis's rules: NX and XX exclude each other, as the four expiries and KEEPTTL do; an option
            // repeated is accepted (the last expiry wins); an expiry needs a value after it.
            bool allowed = option switch
            {
                SetFlags.IfAbsent => (flags & SetFlags.IfPresent) == 0,
                SetFlags.IfPresent => (flags & SetFlags.IfAbsent) == 0,
                SetFlags.Get => true,
                SetFlags.KeepTtl => (flags & SetFlags.Expiry) == 0,
                SetFlags.None => false,
                _ => (flags & (SetFlags.Expiry | SetFlags.KeepTtl) & ~option) == 0 && i + 1 < arguments.Length,
            };
            if (!allowed)
            {
                return SyntaxError();
            }

            flags |= option;
            if ((option & SetFlags.Expiry) != 0)
            {
                expiryAt = ++i;
            }
        }

        CacheExpiry? expiry = null;
        if (expiryAt > 0 && !TryReadExpiry(arguments[expiryAt], flags, "set", out expiry, out var invalidExpiry))
        {
            return invalidExpiry;
        }

        var options = new SetOptions
        {
            Expiry = expiry,
            KeepTimeToLive = (flags & SetFlags.KeepTtl) != 0,
            Condition = (flags & SetFlags.IfAbsent) != 0 ? SetCondition.IfAbsent
                : (flags & SetFlags.IfPresent) != 0 ? SetCondition.IfPresent
                : SetCondition.Always,
            ReturnPrevious = (flags & SetFlags.Get) != 0,
        };
        if (!TryStartSet(session, arguments[1], arguments[2], options, out var set, out var invalid))
        {
            return invalid;
        }

        // With GET the reply is the old value (or null) whether or not NX/XX let the write happen, as in Redis.
        return options.ReturnPrevious ? PendingReply.PreviousEntry(set) : PendingReply.Written(set);
    }

    // SETNX key value: 1 when written, 0 when the key existed.
    private static PendingReply SetNx(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments)
    {
        var options = new SetOptions { Condition = SetCondition.IfAbsent };
        return TryStartSet(session, arguments[1], arguments[2], options, out var set, out var invalid)
            ? PendingReply.WrittenFlag(set)
            : invalid;
    }

    // SETEX key seconds value (what StackExchange.Redis sends for a StringSet with an expiry).
    private static PendingReply SetEx(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments) =>
        SetWithTimeToLive(session, arguments, SetFlags.Ex, "setex");

    // PSETEX key milliseconds value.
    private static PendingReply PSetEx(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments) =>
        SetWithTimeToLive(session, arguments, SetFlags.Px, "psetex");

    private static PendingReply SetWithTimeToLive(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments, SetFlags unit, string command)
    {
        if (!TryReadExpiry(arguments[2], unit, command, out var expiry, out var invalidExpiry))
        {
            return invalidExpiry;
        }

        return TryStartSet(session, arguments[1], arguments[3], new SetOptions { Expiry = expiry }, out var set, out var invalid)
            ? PendingReply.Stored(set)
            : invalid;
    }

    private static bool TryStartSet(
        RespSession session,
        in ReadOnlySequence<byte> rawKey,
        in ReadOnlySequence<byte> value,
        SetOptions options,
        out Task<SetResult> set,
        out PendingReply invalid)
    {
        set = null!;
        if (!TryReadKey(rawKey, out var key, out invalid))
        {
            return false;
        }

        set = session.Run(
            key,
            (Value: new CacheValue(value.ToArray(), ValueFormat.Raw), Options: options),
            static (cache, key, write) => cache.SetAsync(key, write.Value, write.Options));
        return true;
    }

    private static SetFlags ReadSetOption(in ReadOnlySequence<byte> argument) => argument.Length switch
    {
        2 when IsOption(argument, "NX"u8) => SetFlags.IfAbsent,
        2 when IsOption(argument, "XX"u8) => SetFlags.IfPresent,
        2 when IsOption(argument, "EX"u8) => SetFlags.Ex,
        2 when IsOption(argument, "PX"u8) => SetFlags.Px,
        3 when IsOption(argument, "GET"u8) => SetFlags.Get,
        4 when IsOption(argument, "EXAT"u8) => SetFlags.ExAt,
        4 when IsOption(argument, "PXAT"u8) => SetFlags.PxAt,
        7 when IsOption(argument, "KEEPTTL"u8) => SetFlags.KeepTtl,
        _ => SetFlags.None,
    };

    /// <summary>
    /// Reads the expiry of a SET-like command as Redis does: an integer (else <c>ERR value is not an integer or
    /// out of range</c>), positive, in seconds or milliseconds, relative or a Unix time (<paramref name="flags"/>
    /// says which). A time to live over <see cref="CacheExpiry.MaxTimeToLive"/> (100 years), which Redis would
    /// take, is an invalid expire time here.
    /// </summary>
    private static bool TryReadExpiry(in ReadOnlySequence<byte> argument, SetFlags flags, string command, out CacheExpiry? expiry, out PendingReply invalid)
    {
        expiry = null;
        invalid = default;
        if (!TryReadInteger(argument, out long amount))
        {
            invalid = NotAnInteger();
            return false;
        }

        long unitMilliseconds = (flags & (SetFlags.Ex | SetFlags.ExAt)) != 0 ? 1000 : 1;
        bool absolute = (flags & (SetFlags.ExAt | SetFlags.PxAt)) != 0;
        if (amount <= 0 || amount > ExpiryLimitMilliseconds(absolute) / unitMilliseconds)
        {
            invalid = InvalidExpireTime(command);
            return false;
        }

        long milliseconds = amount * unitMilliseconds;
        // A Unix time already past is accepted, as Redis does: the key is written already expired, so it is gone.
        expiry = absolute
            ? CacheExpiry.At(DateTimeOffset.FromUnixTimeMilliseconds(milliseconds))
            : CacheExpiry.After(TimeSpan.FromMilliseconds(milliseconds));
        return true;
    }

    // The latest Unix time, or the longest time to live, an expiry may name.
    private static long ExpiryLimitMilliseconds(bool absolute) => absolute ? MaxUnixMilliseconds : MaxTimeToLiveMilliseconds;

    private static PendingReply InvalidExpireTime(string command) =>
        PendingReply.Error($"ERR invalid expire time in '{command}' command");
}
