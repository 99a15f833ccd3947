using System.Buffers;
using System.Text;
using OrleansCache.ClientLibrary;
using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Silo.Resp;

/// <summary>
/// The reply a command owes its client: either known at once, or the cache calls it started, to be
/// awaited when its turn in the connection's reply order comes.
/// </summary>
/// <remarks>
/// A struct holding the command's one cache call as its task, so that a command costs no allocation beyond
/// that call: with <c>-P 16</c>, a batch of 16 GETs makes 16 of these in a reused list. Multi-key commands
/// make one facade call too (<see cref="CacheClient.GetManyAsync(IReadOnlyList{CacheKey})"/>, ...), which groups their keys by bucket.
/// </remarks>
internal readonly struct PendingReply
{
    private readonly ReplyKind _kind;
    private readonly object? _state;
    private readonly long _number;

    private PendingReply(ReplyKind kind, object? state = null, long number = 0)
    {
        _kind = kind;
        _state = state;
        _number = number;
    }

    private enum ReplyKind : byte
    {
        Ok,
        Null,
        Error,
        Integer,
        Bulk,
        SimpleString,
        Values,
        Entry,
        Entries,
        Stored,
        Written,
        WrittenFlag,
        PreviousEntry,
        Count,
        Flag,
        TimeToLive,
        BulkTask,
        HashCount,
        HashValue,
        HashValues,
        StatusTask,
        ValuesTask,
    }

    public static PendingReply Ok { get; } = new(ReplyKind.Ok);

    /// <summary>Whether this is an error reply known without a cache call (bad arguments, unknown command).</summary>
    public bool IsError => _kind == ReplyKind.Error;

    public static PendingReply Null { get; } = new(ReplyKind.Null);

    /// <summary>An error; <paramref name="message"/> starts with its code, e.g. <c>ERR syntax error</c>.</summary>
    public static PendingReply Error(string message) => new(ReplyKind.Error, message);

    public static PendingReply Integer(long value) => new(ReplyKind.Integer, number: value);

    public static PendingReply Bulk(byte[] value) => new(ReplyKind.Bulk, value);

    public static PendingReply SimpleString(string value) => new(ReplyKind.SimpleString, value);

    /// <summary>A flat array of strings and byte arrays (as bulk strings), longs (integers), nested arrays, and nulls.</summary>
    public static PendingReply Array(object[] values) => new(ReplyKind.Values, values);

    /// <summary>The value of a GET: a bulk string, or null on a miss.</summary>
    public static PendingReply Entry(Task<CacheEntry?> get) => new(ReplyKind.Entry, get);

    /// <summary>An array of values or nulls (MGET).</summary>
    public static PendingReply Entries(Task<CacheEntry?[]> gets) => new(ReplyKind.Entries, gets);

    /// <summary><c>+OK</c> once the write is stored (SET, SETEX, MSET).</summary>
    public static PendingReply Stored(Task write) => new(ReplyKind.Stored, write);

    /// <summary><c>+OK</c> when a conditional SET wrote, null when its condition prevented it (SET NX/XX).</summary>
    public static PendingReply Written(Task<SetResult> set) => new(ReplyKind.Written, set);

    /// <summary><c>1</c> when a conditional SET wrote, <c>0</c> when not (SETNX).</summary>
    public static PendingReply WrittenFlag(Task<SetResult> set) => new(ReplyKind.WrittenFlag, set);

    /// <summary>The value a SET replaced, or null when there was none, written or not (SET ... GET).</summary>
    public static PendingReply PreviousEntry(Task<SetResult> set) => new(ReplyKind.PreviousEntry, set);

    /// <summary>An integer the cache computes (DEL, EXISTS, INCR, DBSIZE).</summary>
    public static PendingReply Integer(Task<long> count) => new(ReplyKind.Count, count);

    /// <summary><c>1</c> or <c>0</c> (EXPIRE, PERSIST).</summary>
    public static PendingReply Flag(Task<bool> done) => new(ReplyKind.Flag, done);

    /// <summary>Redis's TTL (in seconds, rounded) or PTTL: <c>-2</c> for a missing key, <c>-1</c> for one that never expires.</summary>
    public static PendingReply TimeToLive(Task<KeyTimeToLive> ttl, bool milliseconds) =>
        new(ReplyKind.TimeToLive, ttl, milliseconds ? 1 : 1000);

    /// <summary>A bulk string the cache computes (INFO with statistics, GETRANGE, INCRBYFLOAT).</summary>
    public static PendingReply Bulk(Task<byte[]> value) => new(ReplyKind.BulkTask, value);

    /// <summary>A bulk string the cache computes, or null (RANDOMKEY).</summary>
    public static PendingReply BulkOrNull(Task<byte[]?> value) => new(ReplyKind.BulkTask, value);

    /// <summary>The count a hash command answers (HSET, HDEL, HLEN, HEXISTS, HSTRLEN, HSETNX).</summary>
    public static PendingReply HashCount(Task<HashResult> hash) => new(ReplyKind.HashCount, hash);

    /// <summary>The one value a hash command answers, or null (HGET).</summary>
    public static PendingReply HashValue(Task<HashResult> hash) => new(ReplyKind.HashValue, hash);

    /// <summary>The values a hash command answers, as an array with nulls for missing fields (HMGET, HGETALL, HKEYS, HVALS).</summary>
    public static PendingReply HashValues(Task<HashResult> hash) => new(ReplyKind.HashValues, hash);

    /// <summary>A status the cache computes, as a simple string (TYPE).</summary>
    public static PendingReply SimpleString(Task<string> status) => new(ReplyKind.StatusTask, status);

    /// <summary>An array the cache computes, as <see cref="Array(object[])"/> writes it (SCAN, KEYS).</summary>
    public static PendingReply Array(Task<object[]> values) => new(ReplyKind.ValuesTask, values);

    /// <summary>Waits for the cache call, if any; throws what it threw.</summary>
    public ValueTask CompleteAsync() => _state is Task task ? new ValueTask(task) : ValueTask.CompletedTask;

    /// <summary>Writes the reply; call once <see cref="CompleteAsync"/> has completed without throwing.</summary>
    public void Write(IBufferWriter<byte> output)
    {
        switch (_kind)
        {
            case ReplyKind.Ok:
            case ReplyKind.Stored:
                RespWriter.WriteOk(output);
                break;
            case ReplyKind.Null:
                RespWriter.WriteNull(output);
                break;
            case ReplyKind.Error:
                RespWriter.WriteError(output, (string)_state!);
                break;
            case ReplyKind.Integer:
                RespWriter.WriteInteger(output, _number);
                break;
            case ReplyKind.Bulk:
                RespWriter.WriteBulk(output, (byte[])_state!);
                break;
            case ReplyKind.SimpleString:
                RespWriter.WriteSimpleString(output, Encoding.UTF8.GetBytes((string)_state!));
                break;
            case ReplyKind.Values:
                WriteValues(output, (object[])_state!);
                break;
            case ReplyKind.Entry:
                var got = ((Task<CacheEntry?>)_state!).Result;
                if (got?.Format == ValueFormat.Hash)
                {
                    // GET of a hash: refused as Redis refuses it. MGET, as in Redis, answers null for it instead.
                    RespWriter.WriteError(output, WrongType);
                }
                else
                {
                    WriteEntry(output, got);
                }

                break;
            case ReplyKind.Entries:
                var entries = ((Task<CacheEntry?[]>)_state!).Result;
                RespWriter.WriteArrayHeader(output, entries.Length);
                foreach (var entry in entries)
                {
                    WriteEntry(output, entry?.Format == ValueFormat.Hash ? null : entry);
                }

                break;
            case ReplyKind.Written:
                if (((Task<SetResult>)_state!).Result.Written)
                {
                    RespWriter.WriteOk(output);
                }
                else
                {
                    RespWriter.WriteNull(output);
                }

                break;
            case ReplyKind.WrittenFlag:
                RespWriter.WriteInteger(output, ((Task<SetResult>)_state!).Result.Written ? 1 : 0);
                break;
            case ReplyKind.PreviousEntry:
                WriteEntry(output, ((Task<SetResult>)_state!).Result.Previous);
                break;
            case ReplyKind.Count:
                RespWriter.WriteInteger(output, ((Task<long>)_state!).Result);
                break;
            case ReplyKind.Flag:
                RespWriter.WriteInteger(output, ((Task<bool>)_state!).Result ? 1 : 0);
                break;
            case ReplyKind.TimeToLive:
                RespWriter.WriteInteger(output, ToRedisTimeToLive(((Task<KeyTimeToLive>)_state!).Result, unitMilliseconds: _number));
                break;
            case ReplyKind.BulkTask:
                WriteBulkOrNull(output, ((Task<byte[]?>)_state!).Result);
                break;
            case ReplyKind.StatusTask:
                RespWriter.WriteSimpleString(output, Encoding.UTF8.GetBytes(((Task<string>)_state!).Result));
                break;
            case ReplyKind.ValuesTask:
                WriteValues(output, ((Task<object[]>)_state!).Result);
                break;
            case ReplyKind.HashCount:
                RespWriter.WriteInteger(output, ((Task<HashResult>)_state!).Result.Count);
                break;
            case ReplyKind.HashValue:
                WriteBulkOrNull(output, ((Task<HashResult>)_state!).Result.Values![0]);
                break;
            case ReplyKind.HashValues:
                var values = ((Task<HashResult>)_state!).Result.Values!;
                RespWriter.WriteArrayHeader(output, values.Length);
                foreach (var value in values)
                {
                    WriteBulkOrNull(output, value);
                }

                break;
        }
    }

    private static long ToRedisTimeToLive(KeyTimeToLive ttl, long unitMilliseconds)
    {
        if (!ttl.Exists)
        {
            return -2;
        }

        if (ttl.Remaining is not { } remaining)
        {
            return -1;
        }

        // As Redis: never negative, and TTL rounds to the nearest second (a fresh EX 100 reads 100, not 99).
        long milliseconds = Math.Max(0, (long)remaining.TotalMilliseconds);
        return (milliseconds + (unitMilliseconds / 2)) / unitMilliseconds;
    }

    /// <summary>Redis's reply to a command on a key holding another kind of value.</summary>
    public const string WrongType = "WRONGTYPE " + CacheProblems.WrongType;

    private static void WriteBulkOrNull(IBufferWriter<byte> output, byte[]? value)
    {
        if (value is null)
        {
            RespWriter.WriteNull(output);
        }
        else
        {
            RespWriter.WriteBulk(output, value);
        }
    }

    private static void WriteEntry(IBufferWriter<byte> output, CacheEntry? entry)
    {
        // A JSON value stored through POST /set comes back as its JSON text, as GET /cache/{key} returns it.
        if (entry is null)
        {
            RespWriter.WriteNull(output);
        }
        else
        {
            RespWriter.WriteBulk(output, entry.Value);
        }
    }

    private static void WriteValues(IBufferWriter<byte> output, object[] values)
    {
        RespWriter.WriteArrayHeader(output, values.Length);
        foreach (var value in values)
        {
            switch (value)
            {
                case string text:
                    RespWriter.WriteBulk(output, text);
                    break;
                case byte[] bytes:
                    RespWriter.WriteBulk(output, bytes);
                    break;
                case long number:
                    RespWriter.WriteInteger(output, number);
                    break;
                case object[] nested:
                    WriteValues(output, nested);
                    break;
                default:
                    RespWriter.WriteNull(output);
                    break;
            }
        }
    }
}
