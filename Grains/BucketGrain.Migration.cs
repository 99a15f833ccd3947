using Microsoft.Extensions.Logging;
using OrleansCache.Grains.Interfaces;
using OrleansCache.Grains.Interfaces.Routing;
using OrleansCache.Grains.Routing;

namespace OrleansCache.Grains;

/// <summary>
/// How a bucket follows the bucket map: it moves with its entries when the map names another node for
/// it, refills replicas that lack a copy, and recovers its entries from replicas after its node died.
/// </summary>
public sealed partial class BucketGrain : IGrainMigrationParticipant
{
    private const string MigratedEntriesKey = "orleans-cache.bucket";

    /// <inheritdoc />
    public async Task<bool> ReconcileAsync()
    {
        if (fence.IsFrozen)
        {
            // The node yields to another cluster and exports what it holds: a bucket that moved now, asked by
            // another node's rebalancer, could miss both that export and the new node's.
            return false;
        }

        var map = maps.Current;
        string? primary = map.GetNode(Bucket, rank: 0);
        if (primary is not null && primary != silo.Name)
        {
            // The placement director sends the activation, entries included, to the node the map names.
            // Calls that arrive meanwhile wait and are forwarded to the new activation.
            LogMoving(logger, Bucket, silo.Name, primary);
            counters.CountMove(replica: false);
            MigrateOnIdle();
            return true;
        }

        await RefillReplicasAsync(map);
        return false;
    }

    /// <inheritdoc />
    public void OnDehydrate(IDehydrationContext dehydrationContext) =>
        dehydrationContext.TryAddValue(MigratedEntriesKey, _departing ?? _store.ToSnapshot());

    /// <inheritdoc />
    public void OnRehydrate(IRehydrationContext rehydrationContext)
    {
        if (rehydrationContext.TryGetValue(MigratedEntriesKey, out BucketSnapshot? snapshot))
        {
            _store.Reset(snapshot);
            _migrated = true;
        }
    }

    /// <summary>
    /// Returns the most advanced complete copy among the bucket's replicas, or <see langword="null"/> when no
    /// replica holds one (a bucket never written, or one that lost every copy), and the newest epoch any of
    /// them has seen.
    /// </summary>
    /// <remarks>
    /// Every replica the map calls for must answer: one that cannot be reached may hold the only copy, so
    /// activation fails and the caller retries rather than starting empty. Ranks beyond the map's copies
    /// (fewer nodes than REPLICATION_FACTOR now) are asked too when they are still active somewhere, which
    /// is what keeps a bucket whole when two of three copies are lost at once.
    /// </remarks>
    private async Task<(BucketSnapshot? Best, long Epoch)> LoadBestReplicaAsync(BucketMap map)
    {
        BucketSnapshot? best = null;
        long epoch = 0;
        for (int rank = 1; rank < options.Value.ReplicationFactor; rank++)
        {
            BucketSnapshot? snapshot;
            try
            {
                if (rank >= map.Copies && !await SpareCopyIsActiveAsync(rank, map))
                {
                    continue;
                }

                snapshot = await Replica(rank).GetSnapshotAsync();
            }
            catch (Exception exception) when (rank >= map.Copies || rank >= maps.Current.Copies)
            {
                // A spare rank, or one that became spare while the bucket activated (a node just died and the map
                // shrank, so the director now refuses to place it): a copy the map no longer places is read when
                // it answers and skipped when it does not, whichever map the activation began with.
                LogSpareCopyUnavailable(logger, exception, Bucket, rank);
                continue;
            }

            epoch = Math.Max(epoch, snapshot?.Epoch ?? 0);
            if (snapshot is not null && (best is null || snapshot.Sequence > best.Sequence))
            {
                best = snapshot;
            }
        }

        return (best, epoch);
    }

    /// <summary>
    /// Makes every replica the map names follow this activation's epoch before the bucket serves anything, so an
    /// older activation still running somewhere (its node paused, or cut off and declared dead) can no longer
    /// have writes acknowledged. A replica that applied writes of that activation after it was read above is
    /// read again: such a write may have been acknowledged.
    /// </summary>
    /// <remarks>A replica that cannot be reached is left unclaimed: its first write from this activation is
    /// answered with a request for a full copy (see <see cref="IReplicaGrain.ApplyAsync"/>), which claims it.</remarks>
    private async Task ClaimReplicasAsync(BucketMap map, long newestEpoch)
    {
        _store.Epoch = newestEpoch + 1;
        int retakes = 3;
        for (int rank = 1; rank < map.Copies; rank++)
        {
            long sequence;
            try
            {
                sequence = await Replica(rank).FollowAsync(_store.Epoch);
            }
            catch (StalePrimaryException stale) when (retakes-- > 0)
            {
                // A replica follows a newer activation than any copy showed (one that claimed it and stopped before
                // writing, or one running beside this one): take an epoch above it and claim every replica again.
                _store.Epoch = stale.Following + 1;
                rank = 0;
                continue;
            }
            catch (Exception exception) when (exception is not StalePrimaryException)
            {
                LogClaimFailed(logger, Bucket, rank, exception.Message);
                continue;
            }

            if (sequence > _store.Sequence && await Replica(rank).GetSnapshotAsync() is { } newer && newer.Sequence > _store.Sequence)
            {
                _store.Reset(newer with { Epoch = _store.Epoch });
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Bucket {Bucket}: replica {Rank} could not be claimed yet: {Reason}")]
    private static partial void LogClaimFailed(ILogger logger, int bucket, int rank, string reason);

    /// <summary>
    /// Whether the replica of <paramref name="rank"/>, which the map no longer places, is still active on a node.
    /// </summary>
    /// <remarks>Asking the replica itself would make Orleans place it, which the director refuses for a rank
    /// the map does not name; Orleans retries a refused placement with back-off, which cost every first
    /// write to a bucket on a one-node cluster 0.45 s and five warnings in the log.</remarks>
    private async Task<bool> SpareCopyIsActiveAsync(int rank, BucketMap map)
    {
        long key = ReplicaKey.Create(Bucket, rank);
        if (catalog.Contains(key, replica: true))
        {
            return true;
        }

        foreach (string node in map.Nodes)
        {
            if (node == silo.Name)
            {
                continue;
            }

            try
            {
                if (await GrainFactory.GetGrain<INodeGrain>(node).HoldsReplicaAsync(key))
                {
                    return true;
                }
            }
            catch (Exception exception)
            {
                // A node that does not answer (one just killed, not yet declared dead) may hold it: ask the
                // replica itself, which Orleans finds wherever it is active, at the cost of a refused placement
                // when it is nowhere.
                LogSpareCopyUnknown(logger, exception, Bucket, rank, node);
                return true;
            }
        }

        return false;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Bucket {Bucket}: node {Node} did not say whether it holds spare copy {Rank}")]
    private static partial void LogSpareCopyUnknown(ILogger logger, Exception exception, int bucket, int rank, string node);

    /// <summary>Gives every replica the map calls for the bucket's complete content, if it lacks it.</summary>
    private async Task RefillReplicasAsync(BucketMap map)
    {
        for (int rank = 1; rank < map.Copies; rank++)
        {
            var replica = Replica(rank);
            long sequence = await replica.GetSequenceAsync();
            if (sequence != _store.Sequence)
            {
                LogRefill(logger, Bucket, rank, sequence, _store.Sequence);
                await replica.ResetAsync(_store.ToSnapshot());
                counters.CountReplicaResync();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Bucket {Bucket} moves from {From} to {To}")]
    private static partial void LogMoving(ILogger logger, int bucket, string from, string to);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Bucket {Bucket} refills replica {Rank}: it was at sequence {Sequence}, the primary at {Primary}")]
    private static partial void LogRefill(ILogger logger, int bucket, int rank, long sequence, long primary);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Bucket {Bucket}: spare copy {Rank} could not be read")]
    private static partial void LogSpareCopyUnavailable(ILogger logger, Exception exception, int bucket, int rank);
}
