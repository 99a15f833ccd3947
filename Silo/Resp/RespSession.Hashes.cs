using System.Buffers;
using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Silo.Resp;

/// <summary>
/// The hash commands (HSET, HMSET, HSETNX, HGET, HMGET, HGETALL, HKEYS, HVALS, HDEL, HEXISTS, HLEN, HSTRLEN): what
/// <c>Microsoft.Extensions.Caching.StackExchangeRedis</c> stores its entries with. Each is one
/// <see cref="ClientLibrary.CacheClient.HashAsync"/> call, which its key's bucket applies as one step.
/// </summary>
internal sealed partial class RespSession
{
    // HSET key field value [field value ...]: how many fields were added.
    private static PendingReply HSet(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments) =>
        arguments.Length % 2 != 0
            ? WrongArity("hset")
            : PendingReply.HashCount(StartHash(session, arguments, HashOperation.Set, pairs: true));

    // HMSET key field value [field value ...]: HSET's older name, which answers OK.
    private static PendingReply HMSet(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments) =>
        arguments.Length % 2 != 0
            ? WrongArity("hmset")
            : PendingReply.Stored(StartHash(session, arguments, HashOperation.Set, pairs: true));

    private static PendingReply HSetNx(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments) =>
        PendingReply.HashCount(StartHash(session, arguments, HashOperation.SetIfAbsent, pairs: true));

    private static PendingReply HGet(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments) =>
        PendingReply.HashValue(StartHash(session, arguments, HashOperation.Get));

    private static PendingReply HMGet(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments) =>
        PendingReply.HashValues(StartHash(session, arguments, HashOperation.Get));

    private static PendingReply HGetAll(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments) =>
        PendingReply.HashValues(StartHash(session, arguments, HashOperation.GetAll));

    private static PendingReply HKeys(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments) =>
        PendingReply.HashValues(StartHash(session, arguments, HashOperation.Names));

    private static PendingReply HVals(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments) =>
        PendingReply.HashValues(StartHash(session, arguments, HashOperation.Values));

    private static PendingReply HDel(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments) =>
        PendingReply.HashCount(StartHash(session, arguments, HashOperation.Delete));

    private static PendingReply HExists(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments) =>
        PendingReply.HashCount(StartHash(session, arguments, HashOperation.Exists));

    private static PendingReply HLen(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments) =>
        PendingReply.HashCount(StartHash(session, arguments, HashOperation.Length));

    private static PendingReply HStrLen(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments) =>
        PendingReply.HashCount(StartHash(session, arguments, HashOperation.ValueLength));

    /// <summary>
    /// Starts a hash command on the key in <paramref name="arguments"/>[1] with the fields after it (field and value
    /// pairs when <paramref name="pairs"/>). A key that breaks the rules fails the returned task, which the reply
    /// writes as the error every key command gives.
    /// </summary>
    private static Task<HashResult> StartHash(
        RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments, HashOperation operation, bool pairs = false)
    {
        if (!ClientLibrary.CacheKey.TryCreate(arguments[1], out var key, out var problem))
        {
            return Task.FromException<HashResult>(new CacheArgumentException(CacheArgumentError.InvalidKey, problem));
        }

        int step = pairs ? 2 : 1;
        var rest = arguments[2..];
        var fields = new byte[rest.Length / step][];
        var values = pairs ? new byte[fields.Length][] : null;
        for (int i = 0; i < fields.Length; i++)
        {
            fields[i] = rest[i * step].ToArray();
            if (values is not null)
            {
                values[i] = rest[(i * step) + 1].ToArray();
            }
        }

        return session.Run(key, new HashCommand(operation, fields, values), static (cache, key, command) => cache.HashAsync(key, command));
    }
}
