using Microsoft.Extensions.Options;
using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Grains.Storage;

/// <summary>
/// The committed entries of the bucket primaries active on this silo, which the node's own doors read without a
/// grain message: a GET of a key whose primary is here costs a dictionary lookup instead of an Orleans call.
/// </summary>
/// <remarks>
/// A bucket grain publishes its store once it has recovered and claimed its replicas, and withdraws it before
/// it deactivates, moves, or learns that a newer activation replaced it, so a store found here belongs to the
/// bucket's serving primary as a call to the grain would find it. The store answers only from committed state
/// (<see cref="BucketStore.TryReadCommitted"/>); whatever it cannot answer (a write under way, an expired entry,
/// a sliding expiry to move ahead) goes to the grain as before. On a one-node cluster a GET through the Redis
/// protocol went from one local grain call to none (docs/benchmarks.md, "Reads without a grain message").
/// </remarks>
public sealed class LocalReads(
    IOptions<CacheOptions> options,
    NodeCounters counters)
{
    private readonly BucketStore?[] _stores = new BucketStore?[options.Value.Buckets];

    /// <summary>Makes <paramref name="store"/> the one read for <paramref name="bucket"/> here.</summary>
    public void Publish(int bucket, BucketStore store) => Volatile.Write(ref _stores[bucket], store);

    /// <summary>Stops reads of <paramref name="store"/>; a newer activation's store, published since, stays.</summary>
    public void Withdraw(int bucket, BucketStore store) => Interlocked.CompareExchange(ref _stores[bucket], null, store);

    /// <summary>
    /// Reads <paramref name="key"/> of <paramref name="bucket"/> here when its primary is active on this silo and
    /// can answer from committed state, counting the hit or miss as the grain would.
    /// </summary>
    /// <returns><see langword="false"/> when the bucket grain must be asked.</returns>
    public bool TryRead(int bucket, string key, out CacheEntry? entry)
    {
        entry = null;
        if (StoreOf(bucket) is not { } store || !store.TryReadCommitted(key, out entry))
        {
            return false;
        }

        counters.CountRead(hit: entry is not null);
        return true;
    }

    /// <summary>
    /// Reads every one of <paramref name="keys"/> of <paramref name="bucket"/> here, as <see cref="TryRead(int, string, out CacheEntry?)"/>
    /// reads one; when one of them cannot be, none is counted and the grain must be asked for all of them.
    /// </summary>
    /// <param name="bucket">The keys' bucket.</param>
    /// <param name="keys">Valid keys of that bucket.</param>
    /// <param name="entries">Where each key's entry goes, at its key's index; partly written when this fails.</param>
    /// <returns><see langword="false"/> when the bucket grain must be asked.</returns>
    public bool TryRead(int bucket, IReadOnlyList<string> keys, CacheEntry?[] entries)
    {
        if (StoreOf(bucket) is not { } store)
        {
            return false;
        }

        int hits = 0;
        for (int i = 0; i < keys.Count; i++)
        {
            if (!store.TryReadCommitted(keys[i], out entries[i]))
            {
                return false;
            }

            hits += entries[i] is null ? 0 : 1;
        }

        counters.CountReads(hits, keys.Count - hits);
        return true;
    }

    private BucketStore? StoreOf(int bucket) =>
        (uint)bucket < (uint)_stores.Length ? Volatile.Read(ref _stores[bucket]) : null;
}
