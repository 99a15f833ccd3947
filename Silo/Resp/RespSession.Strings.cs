using System.Buffers;
using System.Globalization;
using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Silo.Resp;

/// <summary>
/// The string commands beyond GET and SET: GETDEL, GETEX, GETSET, GETRANGE/SUBSTR, SETRANGE, APPEND, STRLEN,
/// INCRBYFLOAT, MSETNX. Those that change a value are one call to its bucket; those that only read it are a GET
/// whose answer is cut or measured here.
/// </summary>
internal sealed partial class RespSession
{
    private static PendingReply GetDel(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments) =>
        TryReadKey(arguments[1], out var key, out var invalid)
            ? PendingReply.Entry(session.Run(key, 0, static (cache, key, _) => cache.GetAndDeleteAsync(key)))
            : invalid;

    // GETEX key [EX s | PX ms | EXAT t | PXAT t | PERSIST]: without an option it is a GET.
    private static PendingReply GetEx(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments)
    {
        CacheExpiry? expiry = null;
        bool persist = false;
        if (arguments.Length == 3 && IsOption(arguments[2], "PERSIST"u8))
        {
            persist = true;
        }
        else if (arguments.Length == 4 && ReadSetOption(arguments[2]) is var unit && (unit & SetFlags.Expiry) != 0)
        {
            if (!TryReadExpiry(arguments[3], unit, "getex", out expiry, out var invalidExpiry))
            {
                return invalidExpiry;
            }
        }
        else if (arguments.Length != 2)
        {
            return SyntaxError();
        }

        if (!TryReadKey(arguments[1], out var key, out var invalid))
        {
            return invalid;
        }

        return expiry is null && !persist
            ? PendingReply.Entry(session.Run(key, 0, static (cache, key, _) => cache.GetAsync(key)))
            : PendingReply.Entry(session.Run(key, expiry, static (cache, key, expiry) => cache.GetAndExpireAsync(key, expiry)));
    }

    // GETSET key value: SET ... GET under its older name.
    private static PendingReply GetSet(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments) =>
        TryStartSet(session, arguments[1], arguments[2], new SetOptions { ReturnPrevious = true }, out var set, out var invalid)
            ? PendingReply.PreviousEntry(set)
            : invalid;

    // GETRANGE key start end (and SUBSTR, its old name): Redis's rules for negative and out-of-range indexes.
    private static PendingReply GetRange(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments)
    {
        if (!TryReadInteger(arguments[2], out long start) || !TryReadInteger(arguments[3], out long end))
        {
            return NotAnInteger();
        }

        if (!TryReadKey(arguments[1], out var key, out var invalid))
        {
            return invalid;
        }

        return PendingReply.Bulk(session.Run(key, (start, end), static async (cache, key, range) =>
        {
            byte[] value = await StringOfAsync(cache.GetAsync(key)) ?? [];
            return Slice(value, range.start, range.end);
        }));
    }

    private static PendingReply StrLen(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments) =>
        TryReadKey(arguments[1], out var key, out var invalid)
            ? PendingReply.Integer(session.Run(key, 0, static async (cache, key, _) => (long)((await StringOfAsync(cache.GetAsync(key)))?.Length ?? 0)))
            : invalid;

    // SETRANGE key offset value.
    private static PendingReply SetRange(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments)
    {
        if (!TryReadInteger(arguments[2], out long offset))
        {
            return NotAnInteger();
        }

        if (offset < 0)
        {
            return PendingReply.Error("ERR offset is out of range");
        }

        if (!TryReadKey(arguments[1], out var key, out var invalid))
        {
            return invalid;
        }

        return PendingReply.Integer(session.Run(
            key, (offset, value: arguments[3].ToArray()), static (cache, key, write) => cache.SetRangeAsync(key, write.offset, write.value)));
    }

    private static PendingReply Append(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments) =>
        TryReadKey(arguments[1], out var key, out var invalid)
            ? PendingReply.Integer(session.Run(key, arguments[2].ToArray(), static (cache, key, suffix) => cache.AppendAsync(key, suffix)))
            : invalid;

    // INCRBYFLOAT key increment: the increment read as Redis reads a float (no spaces, no "inf" or "nan").
    private static PendingReply IncrByFloat(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments)
    {
        string text = Text(arguments[2], 128);
        if (arguments[2].Length is 0 or > 64 || char.IsWhiteSpace(text[0]) || char.IsWhiteSpace(text[^1])
            || !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double by) || !double.IsFinite(by))
        {
            return PendingReply.Error("ERR value is not a valid float");
        }

        return TryReadKey(arguments[1], out var key, out var invalid)
            ? PendingReply.Bulk(session.Run(key, by, static (cache, key, by) => cache.IncrementByFloatAsync(key, by)))
            : invalid;
    }

    // MSETNX key value [key value ...]: 1 when all were set, 0 when any existed; the keys must share a bucket.
    private static PendingReply MSetNx(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments)
    {
        if (arguments.Length % 2 == 0)
        {
            return WrongArity("msetnx");
        }

        if (!TryReadKeys(arguments[1..], step: 2, out var keys, out var invalid))
        {
            return invalid;
        }

        var entries = Pairs(keys, arguments);
        return PendingReply.Flag(session.Run(keys, entries, static (cache, _, entries) => cache.SetManyIfNoneExistAsync(entries)));
    }

    /// <summary>The bytes of a string read by <paramref name="get"/>, or <see langword="null"/> when absent; a hash is
    /// refused as Redis refuses string commands on one.</summary>
    private static async Task<byte[]?> StringOfAsync(Task<CacheEntry?> get)
    {
        var entry = await get;
        return entry?.Format == ValueFormat.Hash
            ? throw new CacheArgumentException(CacheArgumentError.WrongType, CacheProblems.WrongType)
            : entry?.Value;
    }

    // GETRANGE's arithmetic, as Redis's getrangeCommand: negative indexes count from the end, both ends are
    // clamped into the string, and an empty or inverted range is the empty string.
    private static byte[] Slice(byte[] value, long start, long end)
    {
        long length = value.Length;
        if (start < 0 && end < 0 && start > end)
        {
            return [];
        }

        start = start < 0 ? Math.Max(length + start, 0) : start;
        end = end < 0 ? Math.Max(length + end, 0) : end;
        end = Math.Min(end, length - 1);
        return start > end || length == 0 ? [] : value[(int)start..(int)(end + 1)];
    }
}
