using Orleans.Concurrency;

namespace OrleansCache.Grains.Interfaces;

/// <summary>
/// The primary copy of one bucket of keys; its integer key is the bucket number
/// (see <see cref="Routing.KeyHasher"/>). It lives on the first silo of the bucket's preference list.
/// </summary>
/// <remarks>
/// Calls run one at a time per bucket (Orleans turn-based execution), so each key is linearizable
/// while the primary lives. A write returns only after every replica that should exist has applied it.
/// </remarks>
[Alias("OrleansCache.IBucketGrain")]
public interface IBucketGrain : IGrainWithIntegerKey
{
    /// <summary>Returns the entry stored under <paramref name="key"/>, or <see langword="null"/> on a miss.</summary>
    [Alias("Get"), ReadOnly]
    Task<CacheEntry?> GetAsync(string key);

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/>, on the primary and every replica.</summary>
    /// <returns>The version of the new entry.</returns>
    [Alias("Set")]
    Task<long> SetAsync(string key, CacheValue value);

    /// <summary>Removes <paramref name="key"/> from the primary and every replica.</summary>
    /// <returns><see langword="true"/> when the key existed.</returns>
    [Alias("Delete")]
    Task<bool> DeleteAsync(string key);

    /// <summary>Returns a complete copy of the bucket.</summary>
    [Alias("Snapshot"), ReadOnly]
    Task<BucketSnapshot> GetSnapshotAsync();

    /// <summary>Returns the sequence number of the last write applied to the bucket.</summary>
    /// <remarks>Interleaves with other calls: a replica asks it while deciding whether it may move, and the
    /// bucket may at that moment be waiting on that replica.</remarks>
    [Alias("Sequence"), AlwaysInterleave]
    Task<long> GetSequenceAsync();

    /// <summary>Reports the nodes that hold this bucket's primary and replicas right now.</summary>
    [Alias("Locate")]
    Task<BucketLocation> LocateAsync();

    /// <summary>
    /// Brings the bucket in line with the current bucket map: moves the primary, with its entries, to the
    /// node the map names if that is another node; otherwise gives every replica the map calls for a
    /// complete copy if it lacks one. Called by each node's rebalancer when membership changes.
    /// </summary>
    /// <returns><see langword="true"/> when the bucket is moving to another node.</returns>
    [Alias("Reconcile")]
    Task<bool> ReconcileAsync();
}
