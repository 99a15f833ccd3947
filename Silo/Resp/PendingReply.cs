using System.Buffers;
using System.Text;
using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Silo.Resp;

/// <summary>
/// The reply a command owes its client: either known at once, or the cache calls it started, to be
/// awaited when its turn in the connection's reply order comes.
/// </summary>
/// <remarks>
/// A struct with the task (or tasks) held as one object, so that a command costs no allocation beyond its
/// cache call: with <c>-P 16</c>, a batch of 16 GETs makes 16 of these in a reused list.
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
        Stored,
        DeletedCount,
        ExistingCount,
        Entries,
        AllStored,
    }

    public static PendingReply Ok { get; } = new(ReplyKind.Ok);

    public static PendingReply Null { get; } = new(ReplyKind.Null);

    /// <summary>An error; <paramref name="message"/> starts with its code, e.g. <c>ERR syntax error</c>.</summary>
    public static PendingReply Error(string message) => new(ReplyKind.Error, message);

    public static PendingReply Integer(long value) => new(ReplyKind.Integer, number: value);

    public static PendingReply Bulk(byte[] value) => new(ReplyKind.Bulk, value);

    public static PendingReply SimpleString(string value) => new(ReplyKind.SimpleString, value);

    /// <summary>A flat array of strings (as bulk strings), longs (integers) and nested arrays.</summary>
    public static PendingReply Array(object[] values) => new(ReplyKind.Values, values);

    /// <summary>The value of a GET: a bulk string, or null on a miss.</summary>
    public static PendingReply Entry(Task<CacheEntry?> get) => new(ReplyKind.Entry, get);

    /// <summary><c>+OK</c> once a SET is stored.</summary>
    public static PendingReply Stored(Task<long> set) => new(ReplyKind.Stored, set);

    /// <summary>How many of the deletes found their key (DEL).</summary>
    public static PendingReply DeletedCount(Task<bool>[] deletes) => new(ReplyKind.DeletedCount, deletes);

    /// <summary>How many of the reads found their key (EXISTS).</summary>
    public static PendingReply ExistingCount(Task<CacheEntry?>[] gets) => new(ReplyKind.ExistingCount, gets);

    /// <summary>An array of values or nulls (MGET).</summary>
    public static PendingReply Entries(Task<CacheEntry?>[] gets) => new(ReplyKind.Entries, gets);

    /// <summary><c>+OK</c> once every SET is stored (MSET).</summary>
    public static PendingReply AllStored(Task<long>[] sets) => new(ReplyKind.AllStored, sets);

    /// <summary>Waits for the cache calls, if any; throws what the first failed call threw.</summary>
    public ValueTask CompleteAsync() => _state switch
    {
        Task task => new ValueTask(task),
        Task[] tasks => WhenEachAsync(tasks),
        _ => ValueTask.CompletedTask,
    };

    /// <summary>Writes the reply; call once <see cref="CompleteAsync"/> has completed without throwing.</summary>
    public void Write(IBufferWriter<byte> output)
    {
        switch (_kind)
        {
            case ReplyKind.Ok:
            case ReplyKind.Stored:
            case ReplyKind.AllStored:
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
                WriteEntry(output, ((Task<CacheEntry?>)_state!).Result);
                break;
            case ReplyKind.DeletedCount:
                int deleted = 0;
                foreach (var delete in (Task<bool>[])_state!)
                {
                    deleted += delete.Result ? 1 : 0;
                }

                RespWriter.WriteInteger(output, deleted);
                break;
            case ReplyKind.ExistingCount:
                int existing = 0;
                foreach (var get in (Task<CacheEntry?>[])_state!)
                {
                    existing += get.Result is null ? 0 : 1;
                }

                RespWriter.WriteInteger(output, existing);
                break;
            case ReplyKind.Entries:
                var gets = (Task<CacheEntry?>[])_state!;
                RespWriter.WriteArrayHeader(output, gets.Length);
                foreach (var get in gets)
                {
                    WriteEntry(output, get.Result);
                }

                break;
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

    private static async ValueTask WhenEachAsync(Task[] tasks)
    {
        // Every call is already running; wait for them in order, the first failure failing the command.
        foreach (var task in tasks)
        {
            await task;
        }
    }
}
