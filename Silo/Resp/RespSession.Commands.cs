using System.Buffers;
using System.Buffers.Text;
using System.Collections.Frozen;
using System.Text;
using OrleansCache.ClientLibrary;
using OrleansCache.Grains.Interfaces;
using OrleansCache.Silo.Security;

namespace OrleansCache.Silo.Resp;

/// <summary>
/// The command table and the handlers. Adding a command is one row here and one small method: parse the
/// arguments, start the <see cref="CacheClient"/> call through <c>Run</c> (on one key, or on all the keys of a
/// multi-key command), return the <see cref="PendingReply"/> that renders its result.
/// </summary>
internal sealed partial class RespSession
{
    // The table Dispatch looks names up in, case-insensitively, without allocating (a span lookup).
    private static readonly FrozenDictionary<string, RespCommand> Commands = new RespCommand[]
    {
        new("get", 2, Get, ReplyValues.One),
        new("set", -3, Set, ReplyValues.One) { FirstValue = 2 },
        new("setnx", 3, SetNx) { FirstValue = 2 },
        new("setex", 4, SetEx) { FirstValue = 3 },
        new("psetex", 4, PSetEx) { FirstValue = 3 },
        new("del", -2, Del),

        // UNLINK is DEL that frees memory in the background; clients pick it over DEL for Redis 4 and later.
        new("unlink", -2, Del),
        new("exists", -2, Exists),
        new("mget", -2, MGet, ReplyValues.PerKey),
        new("mset", -3, MSet) { FirstValue = 2, ValueStep = 2 },
        new("getdel", 2, GetDel, ReplyValues.One),
        new("getex", -2, GetEx, ReplyValues.One),
        new("getset", 3, GetSet, ReplyValues.One) { FirstValue = 2 },
        new("getrange", 4, GetRange, ReplyValues.One),
        new("substr", 4, GetRange, ReplyValues.One),
        new("setrange", 4, SetRange) { FirstValue = 3 },
        new("append", 3, Append) { FirstValue = 2 },
        new("strlen", 2, StrLen),
        new("incrbyfloat", 3, IncrByFloat),
        new("msetnx", -3, MSetNx) { FirstValue = 2, ValueStep = 2 },
        new("incr", 2, Incr),
        new("incrby", 3, IncrBy),
        new("decr", 2, Decr),
        new("decrby", 3, DecrBy),
        new("expire", -3, Expire),
        new("pexpire", -3, PExpire),
        new("expireat", -3, ExpireAt),
        new("pexpireat", -3, PExpireAt),
        new("ttl", 2, Ttl),
        new("pttl", 2, PTtl),
        new("persist", 2, Persist),
        new("expiretime", 2, ExpireTime),
        new("pexpiretime", 2, PExpireTime),
        new("type", 2, Type),
        new("scan", -2, Scan),
        new("keys", 2, Keys),
        new("randomkey", 1, RandomKey),
        new("flushall", -1, FlushAll),
        new("flushdb", -1, FlushAll),
        new("rename", 3, Rename),
        new("renamenx", 3, RenameNx),
        new("hset", -4, HSet) { FirstValue = 3, ValueStep = 2 },
        new("hmset", -4, HMSet) { FirstValue = 3, ValueStep = 2 },
        new("hsetnx", 4, HSetNx) { FirstValue = 3 },
        new("hget", 3, HGet, ReplyValues.One),
        new("hmget", -3, HMGet, ReplyValues.PerKey),
        new("hgetall", 2, HGetAll, ReplyValues.One),
        new("hkeys", 2, HKeys, ReplyValues.One),
        new("hvals", 2, HVals, ReplyValues.One),
        new("hdel", -3, HDel),
        new("hexists", 3, HExists),
        new("hlen", 2, HLen),
        new("hstrlen", 3, HStrLen),
        new("dbsize", 1, DbSize),
        new("ping", -1, Ping),
        new("echo", 2, Echo),
        new("hello", -1, Hello),
        new("auth", -2, Auth),
        new("client", -2, Client),
        new("select", 2, Select),
        new("command", -1, Command),
        new("config", -2, Config),
        new("info", -1, Info),
        new("quit", -1, Quit),
        new("cluster", -2, Cluster),
        new("readonly", 1, ReadOnly),
        new("readwrite", 1, ReadOnly),
    }.ToFrozenDictionary(c => c.Name, StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenDictionary<string, RespCommand>.AlternateLookup<ReadOnlySpan<char>> CommandsBySpan =
        Commands.GetAlternateLookup<ReadOnlySpan<char>>();

    // The longest command name Redis has is under 32 bytes; anything longer is unknown without a lookup.
    private const int MaxCommandNameBytes = 32;

    // "-9223372036854775808": a 64-bit integer's longest decimal text.
    private const int MaxIntegerBytes = 20;

    private static PendingReply Get(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments)
    {
        if (!TryReadKey(arguments[1], out var key, out var invalid))
        {
            return invalid;
        }

        return PendingReply.Entry(session.Run(key, 0, static (cache, key, _) => cache.GetAsync(key)));
    }

    private static PendingReply Set(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments)
    {
        if (arguments.Length > 3)
        {
            return SetWithOptions(session, arguments);
        }

        if (!TryReadKey(arguments[1], out var key, out var invalid))
        {
            return invalid;
        }

        return PendingReply.Stored(session.Run(key, arguments[2].ToArray(), static (cache, key, value) => cache.SetAsync(key, value)));
    }

    private static PendingReply Del(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments)
    {
        if (!TryReadKeys(arguments[1..], step: 1, out var keys, out var invalid))
        {
            return invalid;
        }

        return PendingReply.Integer(session.Run(keys, 0, static (cache, keys, _) => cache.DeleteManyAsync(keys)));
    }

    private static PendingReply Exists(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments)
    {
        if (!TryReadKeys(arguments[1..], step: 1, out var keys, out var invalid))
        {
            return invalid;
        }

        return PendingReply.Integer(session.Run(keys, 0, static (cache, keys, _) => cache.CountExistingAsync(keys)));
    }

    private static PendingReply MGet(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments)
    {
        if (!TryReadKeys(arguments[1..], step: 1, out var keys, out var invalid))
        {
            return invalid;
        }

        // Bounded in bytes as /mget is: a client naming one large key many times must not make the node hold
        // its value that many times over (nor write it into the connection's buffer that many times).
        return PendingReply.Entries(session.Run(keys, session._server.MaxBulkBytes, static async (cache, keys, maxValueBytes) =>
            await BoundedReads.GetManyAsync(cache, keys, maxValueBytes)
                ?? throw new CacheArgumentException(
                    CacheArgumentError.InvalidArgument,
                    $"the values of these keys are larger than the limit of {BoundedReads.MaxBytes} bytes for one MGET; ask for fewer keys at a time")));
    }

    private static PendingReply MSet(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments)
    {
        if (arguments.Length % 2 == 0)
        {
            return WrongArity("mset");
        }

        if (!TryReadKeys(arguments[1..], step: 2, out var keys, out var invalid))
        {
            return invalid;
        }

        // Every key is checked before any is written, and each bucket's share is written in one call. Not
        // atomic across buckets. A key named twice keeps its last value, as with Redis: the bucket applies in order.
        var entries = Pairs(keys, arguments);
        return PendingReply.Stored(session.Run(keys, entries, static async (cache, _, entries) =>
        {
            await cache.SetManyAsync(entries);
            return true;
        }));
    }

    // The key and value pairs of MSET and MSETNX: key i's value is argument 2 + 2i.
    private static KeyValuePair<CacheKey, CacheValue>[] Pairs(CacheKey[] keys, ReadOnlySpan<ReadOnlySequence<byte>> arguments)
    {
        var entries = new KeyValuePair<CacheKey, CacheValue>[keys.Length];
        for (int i = 0; i < keys.Length; i++)
        {
            entries[i] = new(keys[i], new CacheValue(arguments[2 + (2 * i)].ToArray(), ValueFormat.Raw));
        }

        return entries;
    }

    private static PendingReply Ping(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments) => arguments.Length switch
    {
        1 => PendingReply.SimpleString("PONG"),
        2 => PendingReply.Bulk(arguments[1].ToArray()),
        _ => WrongArity("ping"),
    };

    private static PendingReply Echo(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments) =>
        PendingReply.Bulk(arguments[1].ToArray());

    private static PendingReply Select(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments)
    {
        if (!TryReadInteger(arguments[1], out long index))
        {
            return NotAnInteger();
        }

        // One key space per cluster: database 0 is the only one.
        return index == 0 ? PendingReply.Ok : PendingReply.Error("ERR DB index is out of range");
    }

    private static PendingReply Quit(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments)
    {
        session._quit = true;
        return PendingReply.Ok;
    }

    private static bool TryFindCommand(in ReadOnlySequence<byte> name, out RespCommand command)
    {
        command = null!;
        if (name.Length is 0 or > MaxCommandNameBytes)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[MaxCommandNameBytes];
        name.CopyTo(bytes);
        Span<char> chars = stackalloc char[MaxCommandNameBytes];
        int length = (int)name.Length;
        for (int i = 0; i < length; i++)
        {
            // Command names are ASCII; any other byte cannot match.
            chars[i] = bytes[i] < 0x80 ? (char)bytes[i] : '\0';
        }

        return CommandsBySpan.TryGetValue(chars[..length], out command!);
    }

    /// <summary>Reads a key as a <see cref="CacheKey"/>, checked and hashed once here; a key that breaks the rule
    /// is an error reply in the facade's words (<see cref="CacheProblems"/>).</summary>
    private static bool TryReadKey(in ReadOnlySequence<byte> raw, out CacheKey key, out PendingReply invalid)
    {
        invalid = default;
        if (CacheKey.TryCreate(raw, out key, out var problem))
        {
            return true;
        }

        invalid = PendingReply.Error($"ERR {problem}");
        return false;
    }

    // Reads every step-th argument as a key; none is used unless all are valid.
    private static bool TryReadKeys(ReadOnlySpan<ReadOnlySequence<byte>> arguments, int step, out CacheKey[] keys, out PendingReply invalid)
    {
        keys = new CacheKey[(arguments.Length + step - 1) / step];
        invalid = default;
        for (int i = 0; i < keys.Length; i++)
        {
            if (!TryReadKey(arguments[i * step], out keys[i], out invalid))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Reads an integer argument as Redis does: an optional '-' and decimal digits, no '+', spaces or leading
    /// zeros, within a 64-bit signed range.
    /// </summary>
    private static bool TryReadInteger(in ReadOnlySequence<byte> raw, out long value)
    {
        value = 0;
        if (raw.Length is 0 or > MaxIntegerBytes)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[MaxIntegerBytes];
        raw.CopyTo(bytes);
        bytes = bytes[..(int)raw.Length];
        int firstDigit = bytes[0] == (byte)'-' ? 1 : 0;
        bool canonical = bytes.Length > firstDigit && (bytes[firstDigit] is >= (byte)'1' and <= (byte)'9' || bytes.SequenceEqual("0"u8));
        return canonical && Utf8Parser.TryParse(bytes, out value, out int consumed) && consumed == bytes.Length;
    }

    /// <summary>Whether <paramref name="argument"/> is the option <paramref name="name"/> (upper case ASCII), in any case.</summary>
    private static bool IsOption(in ReadOnlySequence<byte> argument, ReadOnlySpan<byte> name)
    {
        if (argument.Length != name.Length)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[name.Length];
        argument.CopyTo(bytes);
        return Ascii.EqualsIgnoreCase(bytes, name);
    }

    private static PendingReply NotAnInteger() => PendingReply.Error("ERR value is not an integer or out of range");

    private static PendingReply SyntaxError() => PendingReply.Error("ERR syntax error");

    private static PendingReply UnknownCommand(ReadOnlySpan<ReadOnlySequence<byte>> arguments)
    {
        // Redis's wording: the name and the first arguments, each quoted, up to about 128 characters.
        var quoted = new StringBuilder();
        for (int i = 1; i < arguments.Length && quoted.Length < 128; i++)
        {
            var text = Text(arguments[i], 128 - quoted.Length);
            quoted.Append('\'').Append(text).Append("' ");
        }

        return PendingReply.Error($"ERR unknown command '{Text(arguments[0], 128)}', with args beginning with: {quoted}");
    }

    private static PendingReply WrongArity(string name) =>
        PendingReply.Error($"ERR wrong number of arguments for '{name}' command");

    private static PendingReply UnknownSubcommand(string command, in ReadOnlySequence<byte> subcommand) =>
        PendingReply.Error($"ERR unknown subcommand '{Text(subcommand, 128)}'. Try {command} HELP.");

    // An argument as text, for messages and small options (never for keys or values).
    private static string Text(in ReadOnlySequence<byte> argument, int maxBytes = 64) =>
        Encoding.UTF8.GetString(argument.Slice(0, Math.Min(argument.Length, maxBytes)));
}
