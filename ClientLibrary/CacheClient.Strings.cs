using OrleansCache.Grains.Interfaces;

namespace OrleansCache.ClientLibrary;

/// <summary>
/// The string commands that read and change a value in one step, expiry under a condition, and MSETNX: each one
/// call to its key's bucket, through the same path (and the same retry of calls Orleans rejected undelivered) as
/// every other keyed operation.
/// </summary>
public sealed partial class CacheClient
{
    /// <summary>Returns the string under <paramref name="key"/> and deletes it, atomically (Redis <c>GETDEL</c>).</summary>
    /// <exception cref="CacheArgumentException"><see cref="CacheArgumentError.WrongType"/> for a hash.</exception>
    public async Task<CacheEntry?> GetAndDeleteAsync(CacheKey key) =>
        await CallAsync(key, static (grain, key) => grain.GetAndDeleteAsync(key), key.Value);

    /// <summary>Returns the string under <paramref name="key"/> and sets its expiry to <paramref name="expiry"/>, or
    /// removes it when <see langword="null"/>, atomically (Redis <c>GETEX</c>).</summary>
    /// <exception cref="CacheArgumentException">The expiry is invalid, or <see cref="CacheArgumentError.WrongType"/>.</exception>
    public async Task<CacheEntry?> GetAndExpireAsync(CacheKey key, CacheExpiry? expiry)
    {
        ThrowIfInvalid(expiry);
        return await CallAsync(key, static (grain, s) => grain.GetAndExpireAsync(s.Key, s.expiry), (Key: key.Value, expiry));
    }

    /// <summary>Appends <paramref name="suffix"/> to the string under <paramref name="key"/> and returns its new length
    /// (Redis <c>APPEND</c>).</summary>
    /// <exception cref="CacheArgumentException">The result would pass <c>MAX_VALUE_BYTES</c>, or <see cref="CacheArgumentError.WrongType"/>.</exception>
    public async Task<long> AppendAsync(CacheKey key, byte[] suffix)
    {
        var value = new CacheValue(suffix, ValueFormat.Raw);
        await ThrowIfTooLargeAsync(value);
        return await CallAsync(key, static (grain, s) => grain.AppendAsync(s.Key, s.value), (Key: key.Value, value));
    }

    /// <summary>Overwrites the string under <paramref name="key"/> from <paramref name="offset"/> on and returns its
    /// new length (Redis <c>SETRANGE</c>).</summary>
    /// <exception cref="CacheArgumentException">A negative offset, a result past <c>MAX_VALUE_BYTES</c>, or
    /// <see cref="CacheArgumentError.WrongType"/>.</exception>
    public async Task<long> SetRangeAsync(CacheKey key, long offset, byte[] value)
    {
        var topology = await GetTopologyAsync();
        if (offset < 0)
        {
            throw new CacheArgumentException(CacheArgumentError.InvalidArgument, "offset is out of range");
        }

        if (value.Length > 0 && offset + value.Length > topology.MaxValueBytes)
        {
            throw new CacheArgumentException(CacheArgumentError.ValueTooLarge, CacheProblems.ValueTooLarge(offset + value.Length, topology.MaxValueBytes));
        }

        return await CallAsync(
            key, static (grain, s) => grain.SetRangeAsync(s.Key, s.offset, s.value), (Key: key.Value, offset: (int)offset, value: new CacheValue(value, ValueFormat.Raw)));
    }

    /// <summary>Adds <paramref name="by"/> to the number under <paramref name="key"/> and returns the result as stored
    /// (Redis <c>INCRBYFLOAT</c>).</summary>
    /// <exception cref="CacheArgumentException">The increment is not finite, the stored value is not a number
    /// (<see cref="CacheArgumentError.NotAFloat"/>), the result is not finite, or <see cref="CacheArgumentError.WrongType"/>.</exception>
    public async Task<byte[]> IncrementByFloatAsync(CacheKey key, double by)
    {
        if (!double.IsFinite(by))
        {
            throw new CacheArgumentException(CacheArgumentError.InvalidArgument, "increment would produce NaN or Infinity");
        }

        return await CallAsync(key, static (grain, s) => grain.IncrementByFloatAsync(s.Key, s.by), (Key: key.Value, by));
    }

    /// <summary>Sets an existing key's expiry only when <paramref name="condition"/> holds against its current one
    /// (Redis 7.0's <c>EXPIRE key seconds NX|XX|GT|LT</c>); an expiry already past deletes the key.</summary>
    /// <returns>Whether it was set.</returns>
    /// <exception cref="CacheArgumentException">The expiry is invalid, or it is sliding (conditions compare fixed times).</exception>
    public async Task<bool> ExpireAsync(CacheKey key, CacheExpiry expiry, ExpiryCondition condition)
    {
        ThrowIfInvalid(expiry);
        if (expiry.SlidingExpiration is not null)
        {
            throw new CacheArgumentException(CacheArgumentError.InvalidExpiry, "A conditional expiry is a time to live or an instant, not sliding.");
        }

        return await CallAsync(key, static (grain, s) => grain.ExpireAsync(s.Key, s.expiry, s.condition), (Key: key.Value, expiry, condition));
    }

    /// <summary>Stores every entry only if none of their keys exists, atomically (Redis <c>MSETNX</c>). The keys must
    /// share a bucket, as Redis Cluster requires them to share a slot (give them one hash tag, <c>{user:1}:a</c>).</summary>
    /// <returns>Whether they were stored.</returns>
    /// <exception cref="CacheArgumentException">The keys are in more than one bucket (<see cref="CacheArgumentError.CrossSlot"/>),
    /// or a value is too large.</exception>
    public async Task<bool> SetManyIfNoneExistAsync(IReadOnlyList<KeyValuePair<CacheKey, CacheValue>> entries)
    {
        var keys = new CacheKey[entries.Count];
        for (int i = 0; i < keys.Length; i++)
        {
            keys[i] = entries[i].Key;
            await ThrowIfTooLargeAsync(entries[i].Value);
        }

        var groups = await GroupByBucketAsync(keys);
        if (groups.Count > 1)
        {
            throw new CacheArgumentException(CacheArgumentError.CrossSlot, "Keys in request don't hash to the same slot");
        }

        var share = new KeyValuePair<string, CacheValue>[entries.Count];
        for (int i = 0; i < share.Length; i++)
        {
            share[i] = new(entries[i].Key.Value, entries[i].Value);
        }

        int bucket = groups.Keys.First();
        return await CallBucketAsync(bucket, static (grain, share) => grain.SetManyIfNoneExistAsync(share), share);
    }
}
