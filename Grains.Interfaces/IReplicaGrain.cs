using Orleans.Concurrency;

namespace OrleansCache.Grains.Interfaces;

/// <summary>
/// A replica of one bucket, kept on a later silo of the bucket's preference list; its integer key
/// encodes the bucket and the replica's rank (see <see cref="Routing.ReplicaKey"/>).
/// </summary>
/// <remarks>Only the bucket's primary writes to it.</remarks>
[Alias("OrleansCache.IReplicaGrain")]
public interface IReplicaGrain : IGrainWithIntegerKey
{
    /// <summary>Applies one write forwarded by the primary.</summary>
    /// <returns><see langword="false"/> when the write's sequence number shows the replica missed an earlier
    /// write; the primary must then send a full copy with <see cref="ResetAsync"/>. A write already
    /// applied is acknowledged again.</returns>
    [Alias("Apply")]
    Task<bool> ApplyAsync(ReplicaWrite write);

    /// <summary>Applies consecutive writes forwarded by the primary, in order, as <see cref="ApplyAsync"/> would
    /// one by one (one call for a batch: a multi-set or a round of evictions).</summary>
    /// <returns><see langword="false"/> when a gap shows the replica missed an earlier write.</returns>
    [Alias("ApplyMany")]
    Task<bool> ApplyManyAsync(ReplicaWrite[] writes);

    /// <summary>Replaces the replica's whole content with <paramref name="snapshot"/>.</summary>
    [Alias("Reset")]
    Task ResetAsync(BucketSnapshot snapshot);

    /// <summary>Returns a complete copy of the replica.</summary>
    [Alias("Snapshot"), ReadOnly]
    Task<BucketSnapshot> GetSnapshotAsync();

    /// <summary>Returns the <c>NODE_ID</c> of the silo this replica is active on.</summary>
    [Alias("NodeId"), ReadOnly]
    Task<string> GetNodeIdAsync();
}
