using System.Buffers;
using System.Text;
using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Silo.Resp;

/// <summary>
/// The commands over the key space rather than one value: TYPE, SCAN, KEYS, RANDOMKEY, FLUSHDB/FLUSHALL, RENAME,
/// RENAMENX, EXPIRETIME/PEXPIRETIME. The scans visit the cluster's buckets by number (see <see cref="ClientLibrary.CacheClient.ScanAsync"/>).
/// </summary>
internal sealed partial class RespSession
{
    // SCAN's COUNT when none is given, as Redis's.
    private const int DefaultScanCount = 10;

    private static PendingReply Type(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments) =>
        TryReadKey(arguments[1], out var key, out var invalid)
            ? PendingReply.SimpleString(session.Run(key, 0, static async (cache, key, _) => (await cache.GetAsync(key))?.Format switch
            {
                null => "none",
                ValueFormat.Hash => "hash",
                _ => "string",
            }))
            : invalid;

    // SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]: the cursor a bucket number, 0 to start and when done.
    private static PendingReply Scan(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments)
    {
        if (!ulong.TryParse(Text(arguments[1]), out ulong cursor) || Text(arguments[1]).Length != arguments[1].Length)
        {
            return PendingReply.Error("ERR invalid cursor");
        }

        string? pattern = null;
        long count = DefaultScanCount;
        var type = KeyType.Any;
        bool knownType = true;
        for (int i = 2; i < arguments.Length; i += 2)
        {
            if (i + 1 >= arguments.Length)
            {
                return SyntaxError();
            }

            if (IsOption(arguments[i], "MATCH"u8))
            {
                pattern = Text(arguments[i + 1], CacheKeys.MaxKeyBytes * 4);
            }
            else if (IsOption(arguments[i], "COUNT"u8))
            {
                if (!TryReadInteger(arguments[i + 1], out count))
                {
                    return NotAnInteger();
                }

                if (count < 1)
                {
                    return SyntaxError();
                }
            }
            else if (IsOption(arguments[i], "TYPE"u8))
            {
                (type, knownType) = Text(arguments[i + 1]).ToLowerInvariant() switch
                {
                    "string" => (KeyType.String, true),
                    "hash" => (KeyType.Hash, true),
                    _ => (KeyType.Any, false),
                };
            }
            else
            {
                return SyntaxError();
            }
        }

        if (!knownType)
        {
            // Lists, sets, sorted sets and streams are not stored here: no key can be of that type.
            return PendingReply.Array(["0", Array.Empty<object>()]);
        }

        var filter = new KeyFilter(pattern == "*" ? null : pattern, type);
        if (cursor > int.MaxValue)
        {
            return PendingReply.Error("ERR invalid cursor");
        }

        return PendingReply.Array(session.RunAfterBatch(async cache =>
        {
            var page = await cache.ScanAsync((long)cursor, filter, (int)Math.Min(count, int.MaxValue));
            var keys = new object[page.Keys.Count];
            for (int i = 0; i < keys.Length; i++)
            {
                keys[i] = page.Keys[i];
            }

            return new object[] { page.Cursor.ToString(System.Globalization.CultureInfo.InvariantCulture), keys };
        }));
    }

    private static PendingReply Keys(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments)
    {
        string pattern = Text(arguments[1], CacheKeys.MaxKeyBytes * 4);
        var filter = new KeyFilter(pattern == "*" ? null : pattern, KeyType.Any);
        return PendingReply.Array(session.RunAfterBatch(async cache =>
        {
            var keys = await cache.KeysAsync(filter);
            var reply = new object[keys.Count];
            for (int i = 0; i < reply.Length; i++)
            {
                reply[i] = keys[i];
            }

            return reply;
        }));
    }

    private static PendingReply RandomKey(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments) =>
        PendingReply.BulkOrNull(session.RunAfterBatch(static async cache =>
            await cache.RandomKeyAsync() is { } key ? Encoding.UTF8.GetBytes(key) : null));

    // FLUSHDB and FLUSHALL [ASYNC | SYNC]: one database, so both empty the whole cluster; either mode waits for it.
    private static PendingReply FlushAll(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments)
    {
        if (arguments.Length > 2 || (arguments.Length == 2 && !IsOption(arguments[1], "ASYNC"u8) && !IsOption(arguments[1], "SYNC"u8)))
        {
            return SyntaxError();
        }

        return PendingReply.Stored(session.RunAfterBatch(static cache => cache.FlushAllAsync()));
    }

    // RENAME key newkey: OK, or ERR no such key. After the earlier commands of the batch on either name.
    private static PendingReply Rename(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments) =>
        TryReadKeys(arguments[1..], step: 1, out var keys, out var invalid)
            ? PendingReply.Stored(session.Run(keys, false, static (cache, keys, _) => cache.RenameAsync(keys[0], keys[1], onlyIfAbsent: false)))
            : invalid;

    // RENAMENX key newkey: 1 when renamed, 0 when newkey exists.
    private static PendingReply RenameNx(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments) =>
        TryReadKeys(arguments[1..], step: 1, out var keys, out var invalid)
            ? PendingReply.Flag(session.Run(keys, true, static (cache, keys, _) => cache.RenameAsync(keys[0], keys[1], onlyIfAbsent: true)))
            : invalid;

    private static PendingReply ExpireTime(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments) =>
        ExpiryInstant(session, arguments[1], milliseconds: false);

    private static PendingReply PExpireTime(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments) =>
        ExpiryInstant(session, arguments[1], milliseconds: true);

    // EXPIRETIME/PEXPIRETIME: the Unix time the key expires at; -2 for a missing key, -1 for one without expiry.
    private static PendingReply ExpiryInstant(RespSession session, in ReadOnlySequence<byte> rawKey, bool milliseconds)
    {
        if (!TryReadKey(rawKey, out var key, out var invalid))
        {
            return invalid;
        }

        return PendingReply.Integer(session.Run(key, milliseconds, static async (cache, key, milliseconds) =>
        {
            var ttl = await cache.GetTimeToLiveAsync(key);
            return !ttl.Exists ? -2
                : ttl.ExpiresAt is not { } at ? -1
                : milliseconds ? at.ToUnixTimeMilliseconds() : at.ToUnixTimeSeconds();
        }));
    }
}
