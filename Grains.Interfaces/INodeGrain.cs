using Orleans.Concurrency;

namespace OrleansCache.Grains.Interfaces;

/// <summary>
/// One per node, keyed by the node's <c>NODE_ID</c> and always active on that node: the way to ask
/// one particular node about what it holds.
/// </summary>
[Alias("OrleansCache.INodeGrain")]
public interface INodeGrain : IGrainWithStringKey
{
    /// <summary>Returns every entry held on this node, primary and replica copies alike.</summary>
    [Alias("Dump"), ReadOnly]
    Task<IReadOnlyDictionary<string, CacheEntry>> DumpAsync();

    /// <summary>
    /// Tells this node that <paramref name="leaving"/> is stopping: from now on this node leaves it out of the
    /// bucket map, so nothing is placed on it or moved back to it while it hands its buckets off.
    /// </summary>
    [Alias("NodeLeaving"), SiloOnly]
    Task NodeLeavingAsync(SiloAddress leaving);

    /// <summary>
    /// Counts the bucket and replica grains active on this node that the bucket map places on the node
    /// named <paramref name="nodeId"/>: copies still to move there. A node is ready when every other node
    /// answers zero for it.
    /// </summary>
    /// <returns>The count, or <see langword="null"/> while this node's bucket map does not list that node
    /// yet (it has not seen it join), so nothing can be known to be in place.</returns>
    [Alias("CountCopiesOwedTo"), ReadOnly]
    Task<int?> CountCopiesOwedToAsync(string nodeId);

    /// <summary>Whether the replica grain with this key (see <c>ReplicaKey</c>) is active on this node.</summary>
    /// <remarks>A bucket re-activated while the cluster has fewer nodes than <c>REPLICATION_FACTOR</c> asks
    /// this before it reads a replica the map no longer places: such a replica cannot be activated, only
    /// found where it still is.</remarks>
    [Alias("HoldsReplica"), ReadOnly, SiloOnly]
    Task<bool> HoldsReplicaAsync(long replicaKey);

    /// <summary>
    /// Applies writes that the buckets of one node forward to their replicas on this node, carried together in
    /// one message instead of one per bucket: each share goes to its replica (a call on this node when the
    /// replica is here, as the bucket map says it should be), all at once.
    /// </summary>
    /// <returns>Each replica's answer, in the order of <paramref name="batch"/>.</returns>
    [Alias("ApplyReplicaWrites"), SiloOnly]
    Task<ReplicaApplyResult[]> ApplyReplicaWritesAsync(ReplicaWrites[] batch);

    /// <summary>
    /// Reads the shares of a multi-key read (<c>/mget</c>, <c>MGET</c>) whose buckets this node holds, carried in
    /// one message instead of one per bucket: each share is one call of its bucket (on this node, when the bucket
    /// map is right about where it lives), all at once. A share's failure is its answer; the others still answer.
    /// </summary>
    /// <returns>Each bucket's answer, in the order of <paramref name="shares"/>.</returns>
    [Alias("GetShares"), ReadOnly, SiloOnly]
    Task<BucketShareResult[]> GetSharesAsync(BucketKeys[] shares);

    /// <summary>
    /// Writes the shares of a multi-key write (<c>/mset</c>, <c>MSET</c>) whose buckets this node holds, as
    /// <see cref="GetSharesAsync"/> reads: one call per bucket (<see cref="IBucketGrain.SetManyAsync"/>, each share
    /// all or nothing), all at once.
    /// </summary>
    /// <param name="shares">Each bucket's entries.</param>
    /// <param name="expiry">The expiry of every entry, or <see langword="null"/> for none.</param>
    /// <returns>Each bucket's answer, in the order of <paramref name="shares"/>.</returns>
    [Alias("SetShares"), SiloOnly]
    Task<BucketShareResult[]> SetSharesAsync(BucketEntries[] shares, CacheExpiry? expiry);

    /// <summary>Returns this node's keys, bytes and counters.</summary>
    [Alias("Stats"), ReadOnly]
    Task<NodeStats> GetStatsAsync();
}
