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
    /// write, or it comes from a primary activation that has not claimed this replica (a newer epoch than the
    /// replica's content); the primary must then send a full copy with <see cref="ResetAsync"/>. A write
    /// already applied is acknowledged again.</returns>
    /// <exception cref="StalePrimaryException">The write comes from an older primary activation than the one
    /// the replica follows.</exception>
    [Alias("Apply"), SiloOnly]
    Task<bool> ApplyAsync(ReplicaWrite write);

    /// <summary>Applies consecutive writes forwarded by the primary, in order, as <see cref="ApplyAsync"/> would
    /// one by one (one call for a batch: a multi-set or a round of evictions).</summary>
    /// <returns><see langword="false"/> when a gap shows the replica missed an earlier write.</returns>
    [Alias("ApplyMany"), SiloOnly]
    Task<bool> ApplyManyAsync(ReplicaWrite[] writes);

    /// <summary>Replaces the replica's whole content with <paramref name="snapshot"/>, and follows its epoch.</summary>
    /// <exception cref="StalePrimaryException">The copy comes from an older primary activation than the one
    /// the replica follows.</exception>
    [Alias("Reset"), SiloOnly]
    Task ResetAsync(BucketSnapshot snapshot);

    /// <summary>
    /// Makes the replica follow the primary activation of <paramref name="epoch"/>: from now on it refuses writes
    /// and copies from older activations. A primary claims its replicas so before it serves anything.
    /// </summary>
    /// <returns>The sequence number of the last write applied, or -1 while the replica holds no copy.</returns>
    /// <exception cref="StalePrimaryException">The replica already follows a newer activation: the caller is stale.</exception>
    /// <remarks>Interleaves with other calls, as <see cref="GetSnapshotAsync"/> does: an activating primary claims
    /// its replica while the replica may be waiting on that primary (see <see cref="ReconcileAsync"/>). It only
    /// raises the epoch, and the replica's writes and copies are applied without awaiting anything, so no write is
    /// split by it.</remarks>
    [Alias("Follow"), AlwaysInterleave, SiloOnly]
    Task<long> FollowAsync(long epoch);

    /// <summary>Returns a complete copy of the replica, or <see langword="null"/> while it holds no copy of
    /// the bucket yet (it was just created and its primary has not filled it).</summary>
    /// <remarks>Interleaves with other calls (it only reads): a recovering primary asks it while the replica
    /// may be waiting on that primary.</remarks>
    [Alias("Snapshot"), AlwaysInterleave, SiloOnly]
    Task<BucketSnapshot?> GetSnapshotAsync();

    /// <summary>Returns the sequence number of the last write applied, or -1 while the replica holds no copy.</summary>
    /// <remarks>Interleaves with other calls, as <see cref="GetSnapshotAsync"/> does.</remarks>
    [Alias("Sequence"), AlwaysInterleave, SiloOnly]
    Task<long> GetSequenceAsync();

    /// <summary>
    /// Reads one entry from the replica: how reads are served while the primary's node does not answer.
    /// The replica has applied every acknowledged write, so the answer is never older than one.
    /// </summary>
    /// <exception cref="InvalidOperationException">The replica holds no copy of the bucket yet.</exception>
    [Alias("Get"), ReadOnly]
    Task<CacheEntry?> GetAsync(string key);

    /// <summary>
    /// Moves the replica, with its entries, to the node the current bucket map names for its rank, if that
    /// is another node and the bucket's primary holds every write the replica holds (so a move that fails
    /// loses nothing: the primary refills the replica). Called by each node's rebalancer.
    /// </summary>
    /// <returns><see langword="true"/> when the replica is moving to another node, or waits to.</returns>
    [Alias("Reconcile"), SiloOnly]
    Task<bool> ReconcileAsync();

    /// <summary>Returns the <c>NODE_ID</c> of the silo this replica is active on.</summary>
    [Alias("NodeId"), ReadOnly]
    Task<string> GetNodeIdAsync();
}
