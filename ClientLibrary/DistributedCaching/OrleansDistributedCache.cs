using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Options;
using OrleansCache.Grains.Interfaces;

namespace OrleansCache.ClientLibrary.DistributedCaching;

/// <summary>
/// <see cref="IDistributedCache"/> over the cache cluster, through <see cref="CacheClient"/>: what
/// <c>AddOrleansCache</c> registers, and what HybridCache uses as its distributed (L2) layer. It also implements
/// <see cref="IBufferDistributedCache"/>, which HybridCache prefers.
/// </summary>
/// <remarks>
/// <para>Every write is on the key's primary and its replica before it returns, so a value that was set survives
/// the loss of one node (with the cluster's default <c>REPLICATION_FACTOR</c> of 2).</para>
/// <para>Expiry follows <see cref="DistributedCacheEntryOptions"/> as Microsoft's caches read it:
/// an <see cref="DistributedCacheEntryOptions.AbsoluteExpiration"/> that is not in the future is refused with
/// <see cref="ArgumentOutOfRangeException"/> (a relative or sliding expiration that is not positive is refused by
/// <see cref="DistributedCacheEntryOptions"/> itself); a sliding entry lives while it is read (<c>Get</c>) or
/// refreshed (<c>Refresh</c>) within its window, and never past its absolute expiration when one is given; no
/// expiration at all means the entry never expires. When both an absolute and a relative expiration are given, the
/// relative one applies, as in Microsoft's Redis and memory caches (the absolute one is still refused when past).</para>
/// <para>A relative expiration is counted from the write by the node that applies it; an absolute one is an instant
/// that every node holds as is. A sliding window is applied by the node on each read.</para>
/// <para>Keys are 1 to 1024 bytes of UTF-8 once <see cref="OrleansCacheOptions.InstanceName"/> is put before them;
/// another key is refused with <see cref="ArgumentException"/>. A value larger than the cluster's
/// <c>MAX_VALUE_BYTES</c> (default 1 MiB) is refused with <see cref="CacheArgumentException"/>.</para>
/// <para>Each asynchronous method throws <see cref="OperationCanceledException"/> without calling the cluster when
/// its token is already cancelled, and stops waiting when it is cancelled later; the call itself is not recalled,
/// so a set or remove cancelled in flight may still be applied. The synchronous methods block on the asynchronous
/// ones, as there is no synchronous Orleans call.</para>
/// <para>Values returned are the caller's to keep: each read brings its own copy over the network from the
/// cluster. Thread-safe; one instance serves the whole application.</para>
/// </remarks>
public sealed class OrleansDistributedCache(CacheClient cache, IOptions<OrleansCacheOptions> options, TimeProvider time)
    : IDistributedCache, IBufferDistributedCache
{
    private readonly string? _prefix = options.Value.InstanceName is { Length: > 0 } prefix ? prefix : null;

    /// <inheritdoc />
    public byte[]? Get(string key) => GetAsync(key, CancellationToken.None).GetAwaiter().GetResult();

    /// <inheritdoc />
    /// <remarks>Reading a sliding entry moves its expiry a window ahead of the read.</remarks>
    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        var cacheKey = KeyOf(key);
        token.ThrowIfCancellationRequested();
        var entry = await cache.GetAsync(cacheKey).WaitAsync(token);
        return entry?.Value;
    }

    /// <inheritdoc />
    public bool TryGet(string key, IBufferWriter<byte> destination) =>
        TryGetAsync(key, destination, CancellationToken.None).AsTask().GetAwaiter().GetResult();

    /// <inheritdoc />
    public async ValueTask<bool> TryGetAsync(string key, IBufferWriter<byte> destination, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var value = await GetAsync(key, token);
        if (value is null)
        {
            return false;
        }

        destination.Write(value);
        return true;
    }

    /// <inheritdoc />
    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) =>
        SetAsync(key, value, options, CancellationToken.None).GetAwaiter().GetResult();

    /// <inheritdoc />
    public async Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        var cacheKey = KeyOf(key);
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(options);
        var setOptions = SetOptionsOf(options, time.GetUtcNow());
        token.ThrowIfCancellationRequested();

        // The array is not copied: it is serialized onto the wire before the call returns.
        await cache.SetAsync(cacheKey, new CacheValue(value, ValueFormat.Raw), setOptions).WaitAsync(token);
    }

    /// <inheritdoc />
    public void Set(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options) =>
        SetAsync(key, value, options, CancellationToken.None).AsTask().GetAwaiter().GetResult();

    /// <inheritdoc />
    public async ValueTask SetAsync(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options, CancellationToken token = default) =>
        await SetAsync(key, value.ToArray(), options, token);

    /// <inheritdoc />
    public void Refresh(string key) => RefreshAsync(key, CancellationToken.None).GetAwaiter().GetResult();

    /// <inheritdoc />
    /// <remarks>Moves a sliding entry's expiry a window ahead (never past its absolute expiration) without
    /// returning its value; does nothing to an entry without sliding expiration, or a missing one.</remarks>
    public async Task RefreshAsync(string key, CancellationToken token = default)
    {
        var cacheKey = KeyOf(key);
        token.ThrowIfCancellationRequested();
        await cache.RefreshAsync(cacheKey).WaitAsync(token);
    }

    /// <inheritdoc />
    public void Remove(string key) => RemoveAsync(key, CancellationToken.None).GetAwaiter().GetResult();

    /// <inheritdoc />
    public async Task RemoveAsync(string key, CancellationToken token = default)
    {
        var cacheKey = KeyOf(key);
        token.ThrowIfCancellationRequested();
        await cache.DeleteAsync(cacheKey).WaitAsync(token);
    }

    /// <summary>
    /// Turns Microsoft's entry options into the cluster's: no expiry; a time to live (relative, counted by the node);
    /// an instant (absolute); or a sliding window capped by the absolute time. As Microsoft's caches compute it, a
    /// relative expiration given with an absolute one replaces it.
    /// </summary>
    private static SetOptions SetOptionsOf(DistributedCacheEntryOptions options, DateTimeOffset now)
    {
        var absolute = options.AbsoluteExpiration;
        if (absolute <= now)
        {
            ThrowAbsoluteExpirationInPast(absolute.Value);
        }

        var relative = options.AbsoluteExpirationRelativeToNow;
        CacheExpiry? expiry;
        if (options.SlidingExpiration is { } window)
        {
            expiry = CacheExpiry.Sliding(window, relative is { } limit ? now + limit : absolute);
        }
        else if (relative is { } timeToLive)
        {
            expiry = CacheExpiry.After(timeToLive);
        }
        else if (absolute is { } instant)
        {
            expiry = CacheExpiry.At(instant);
        }
        else
        {
            return SetOptions.Default;
        }

        if (expiry.Validate() is { } problem)
        {
            ThrowInvalidExpiry(problem);
        }

        return new SetOptions { Expiry = expiry };
    }

    private CacheKey KeyOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!CacheKey.TryCreate(_prefix is null ? key : string.Concat(_prefix, key), out var cacheKey, out string? problem))
        {
            ThrowInvalidKey(problem);
        }

        return cacheKey;
    }

    [DoesNotReturn]
    private static void ThrowInvalidKey(string problem) => throw new ArgumentException(problem, "key");

    [DoesNotReturn]
    private static void ThrowAbsoluteExpirationInPast(DateTimeOffset absolute) =>
        throw new ArgumentOutOfRangeException(
            nameof(DistributedCacheEntryOptions.AbsoluteExpiration), absolute, "The absolute expiration value must be in the future.");

    [DoesNotReturn]
    private static void ThrowInvalidExpiry(string problem) =>
        throw new ArgumentOutOfRangeException("options", problem);
}
