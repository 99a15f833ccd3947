using OrleansCache.Grains.Interfaces;

namespace OrleansCache.ClientLibrary;

/// <summary>
/// The operations over every key of the cluster: scans (Redis <c>SCAN</c>, <c>KEYS</c>, <c>RANDOMKEY</c>) and
/// <c>FLUSHALL</c>; and <c>RENAME</c>, which spans two buckets. Each visits the buckets by number, so it does not depend on which node holds which bucket.
/// </summary>
public sealed partial class CacheClient
{
    /// <summary>The most keys <see cref="KeysAsync"/> answers: beyond, a client must scan.</summary>
    public const int MaxKeysListed = 1_000_000;

    // Buckets asked at once by one scan step at first; doubled each round (up to MaxScanParallelism) while the step
    // has found fewer keys than it wants, so a sparse cluster is crossed in a few rounds, not a round per bucket.
    private const int FirstScanParallelism = 8;
    private const int MaxScanParallelism = 64;

    /// <summary>
    /// Returns the keys of the buckets from <paramref name="cursor"/> on, at least <paramref name="count"/> of them
    /// when there are that many left, and the cursor to continue from (Redis <c>SCAN</c>).
    /// </summary>
    /// <remarks>
    /// The cursor is a bucket number and every step reads whole buckets, so a key present for the whole scan is
    /// returned exactly once, however buckets move between nodes meanwhile; a key written or deleted during the scan
    /// may or may not be. <paramref name="count"/> is a hint, as in Redis: a step returns whole buckets.
    /// </remarks>
    /// <exception cref="CacheArgumentException">The cursor is not one a scan returned.</exception>
    public async Task<ScanPage> ScanAsync(long cursor, KeyFilter filter, int count)
    {
        var topology = await GetTopologyAsync();
        if (cursor < 0 || cursor >= topology.Buckets)
        {
            throw new CacheArgumentException(CacheArgumentError.InvalidArgument, "invalid cursor");
        }

        var keys = new List<string>();
        int next = (int)cursor;
        int width = FirstScanParallelism;
        while (next < topology.Buckets && keys.Count < count)
        {
            next = await ScanBucketsAsync(next, Math.Min(width, topology.Buckets - next), filter, keys);
            width = Math.Min(2 * width, MaxScanParallelism);
        }

        return new ScanPage(next >= topology.Buckets ? 0 : next, keys);
    }

    /// <summary>Returns every key <paramref name="filter"/> keeps (Redis <c>KEYS</c>), sorted within each bucket.</summary>
    /// <exception cref="CacheArgumentException">More than <see cref="MaxKeysListed"/> keys match.</exception>
    public async Task<IReadOnlyList<string>> KeysAsync(KeyFilter filter)
    {
        var topology = await GetTopologyAsync();
        var keys = new List<string>();
        for (int next = 0; next < topology.Buckets;)
        {
            next = await ScanBucketsAsync(next, Math.Min(MaxScanParallelism, topology.Buckets - next), filter, keys);
            if (keys.Count > MaxKeysListed)
            {
                throw new CacheArgumentException(
                    CacheArgumentError.InvalidArgument, $"more than {MaxKeysListed} keys match; use SCAN to list them a part at a time");
            }
        }

        return keys;
    }

    /// <summary>Returns a key picked at random, or <see langword="null"/> when the cluster holds none (Redis <c>RANDOMKEY</c>).</summary>
    public async Task<string?> RandomKeyAsync()
    {
        var topology = await GetTopologyAsync();
        int start = Random.Shared.Next(topology.Buckets);
        var keys = new List<string>();
        for (int visited = 0; visited < topology.Buckets && keys.Count == 0;)
        {
            // From a random bucket on, wrapping around, until one holds a key.
            int first = (start + visited) % topology.Buckets;
            int width = Math.Min(FirstScanParallelism, Math.Min(topology.Buckets - visited, topology.Buckets - first));
            await ScanBucketsAsync(first, width, KeyFilter.All, keys);
            visited += width;
        }

        return keys.Count == 0 ? null : keys[Random.Shared.Next(keys.Count)];
    }

    /// <summary>
    /// Gives the value under <paramref name="from"/>, with its expiry, the name <paramref name="to"/> (Redis <c>RENAME</c>,
    /// or <c>RENAMENX</c> when <paramref name="onlyIfAbsent"/>): written under the new name, replacing whatever was
    /// there, then deleted under the old one unless something wrote it meanwhile.
    /// </summary>
    /// <remarks>
    /// The two names are in different buckets as a rule, so this is not one atomic step: between the write and the
    /// delete, both names read the value, and a node lost in that instant can leave both. A write to the old name
    /// while the rename runs is kept (as if it came after the rename). Keys that share a bucket (one hash tag) are
    /// renamed through the same two steps.
    /// </remarks>
    /// <returns><see langword="false"/> when <paramref name="onlyIfAbsent"/> and the new name exists (nothing changed).</returns>
    /// <exception cref="CacheArgumentException">The old name holds nothing (<c>no such key</c>).</exception>
    public async Task<bool> RenameAsync(CacheKey from, CacheKey to, bool onlyIfAbsent)
    {
        var entry = await GetAsync(from) ?? throw new CacheArgumentException(CacheArgumentError.InvalidArgument, "no such key");
        if (from.Value == to.Value)
        {
            return !onlyIfAbsent;
        }

        var expiry = entry.SlidingExpiration is { } window ? CacheExpiry.Sliding(window, entry.AbsoluteExpiration)
            : entry.ExpiresAt is { } at ? CacheExpiry.At(at)
            : null;
        var options = new SetOptions { Expiry = expiry, Condition = onlyIfAbsent ? SetCondition.IfAbsent : SetCondition.Always };
        var written = await SetAsync(to, new CacheValue(entry.Value, entry.Format), options);
        if (written.Written)
        {
            await CallAsync(from, static (grain, s) => grain.DeleteAsync(s.Key, s.Version), (Key: from.Value, entry.Version));
        }

        return written.Written;
    }

    /// <summary>Deletes every key of the cluster, each delete replicated as any other (Redis <c>FLUSHALL</c>).</summary>
    /// <returns>How many keys were deleted.</returns>
    /// <remarks>Not atomic: a write made while it runs may survive it, as in a Redis cluster flushed node by node.</remarks>
    public async Task<long> FlushAllAsync()
    {
        var topology = await GetTopologyAsync();
        var calls = new Task<int>[topology.Buckets];
        for (int bucket = 0; bucket < calls.Length; bucket++)
        {
            calls[bucket] = CallBucketAsync(bucket, static (grain, _) => grain.DeleteAllAsync(), 0);
        }

        return Sum(await Task.WhenAll(calls));
    }

    // Scans buckets [first, first + width) at once, adding what they hold in bucket order; returns the next bucket.
    private async Task<int> ScanBucketsAsync(int first, int width, KeyFilter filter, List<string> keys)
    {
        var calls = new Task<string[]>[width];
        for (int i = 0; i < width; i++)
        {
            calls[i] = CallBucketAsync(first + i, static (grain, filter) => grain.ScanAsync(filter), filter);
        }

        foreach (var found in await Task.WhenAll(calls))
        {
            keys.AddRange(found);
        }

        return first + width;
    }
}
