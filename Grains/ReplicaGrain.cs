using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansCache.Grains.Interfaces;
using OrleansCache.Grains.Interfaces.Routing;
using OrleansCache.Grains.Placement;
using OrleansCache.Grains.Routing;
using OrleansCache.Grains.Storage;

namespace OrleansCache.Grains;

/// <summary>
/// A replica of one bucket: applies the writes its primary forwards, in sequence order, and serves reads
/// while the primary's node does not answer.
/// </summary>
[ReplicaPlacement]
[CollectionAgeLimit(AlwaysActive = true)] // Holds the only other copy of the data: never collect it for idleness.
public sealed partial class ReplicaGrain(
    BucketMapProvider maps,
    LocalBucketCatalog catalog,
    ILocalSiloDetails silo,
    NodeMemory memory,
    NodeCounters counters,
    NodeFence fence,
    [FromKeyedServices(CacheTime.ServiceKey)] TimeProvider time,
    ILogger<ReplicaGrain> logger) : Grain, IReplicaGrain, IGrainMigrationParticipant, IDisposable
{
    private const string MigratedEntriesKey = "orleans-cache.replica";

    private readonly BucketStore _store = new(memory, time, replica: true);

    // False until the replica holds a copy of the bucket: a new activation is empty whatever the bucket
    // holds, and must neither answer reads nor be taken for the bucket's content.
    private bool _complete;
    private BucketSnapshot? _departing;

    private int Bucket => ReplicaKey.GetBucket(this.GetPrimaryKeyLong());

    private int Rank => ReplicaKey.GetRank(this.GetPrimaryKeyLong());

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        catalog.Add(this.GetPrimaryKeyLong(), replica: true, this);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Orleans dehydrates a moving grain after this returns: keep what it carries, then free the store.
        _departing = reason.ReasonCode == DeactivationReasonCode.Migrating && _complete ? _store.ToSnapshot() : null;
        _store.Release();
        return Task.CompletedTask;
    }

    /// <summary>Called by Orleans when the activation is gone; a moved replica is active on its new node by then.</summary>
    public void Dispose() => catalog.Remove(this.GetPrimaryKeyLong(), replica: true, this);

    /// <inheritdoc />
    public Task<bool> ApplyAsync(ReplicaWrite write)
    {
        if (!Follows(write.Epoch))
        {
            return Task.FromResult(false);
        }

        // A write numbered 1 follows an empty bucket, so applying it makes a complete copy too.
        bool applied = _store.TryApply(write);
        _complete |= applied && _store.Sequence > 0;
        return Task.FromResult(applied);
    }

    /// <inheritdoc />
    public Task<bool> ApplyManyAsync(ReplicaWrite[] writes)
    {
        if (!Follows(writes[0].Epoch))
        {
            return Task.FromResult(false);
        }

        bool applied = true;
        foreach (var write in writes)
        {
            if (!(applied = _store.TryApply(write)))
            {
                break;
            }
        }

        _complete |= _store.Sequence > 0 && (applied || _complete);
        return Task.FromResult(applied);
    }

    /// <inheritdoc />
    public Task ResetAsync(BucketSnapshot snapshot)
    {
        ThrowIfStale(snapshot.Epoch);
        _store.Reset(snapshot);
        _complete = true;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<long> FollowAsync(long epoch)
    {
        ThrowIfStale(epoch);
        _store.Epoch = epoch;
        return Task.FromResult(_complete ? _store.Sequence : -1);
    }

    /// <inheritdoc />
    public Task<BucketSnapshot?> GetSnapshotAsync() => Task.FromResult(_complete ? _store.ToSnapshot() : null);

    /// <inheritdoc />
    public Task<long> GetSequenceAsync() => Task.FromResult(_complete ? _store.Sequence : -1);

    /// <inheritdoc />
    public Task<CacheEntry?> GetAsync(string key) =>
        _complete ? Task.FromResult(_store.Get(key)) : throw NotFilled();

    /// <inheritdoc />
    public Task<string> GetNodeIdAsync() => Task.FromResult(silo.Name);

    /// <inheritdoc />
    public async Task<bool> ReconcileAsync()
    {
        if (fence.IsFrozen)
        {
            // The node yields to another cluster and exports what it holds: stay, as the primary does.
            return false;
        }

        var map = maps.Current;
        if (Rank >= map.Copies)
        {
            // Fewer nodes than copies: the map has no place for this rank. Keep it where it is (the primary
            // reads it if it has to recover, and refills it if the rank is needed again), unless this node
            // is stopping: the copies the map does name hold everything. Dropping it once the primary reported
            // holding as much lost keys in testing (two of four nodes killed at once, under load): it stays.
            if (maps.IsLeaving(silo.SiloAddress))
            {
                DeactivateOnIdle();
            }

            return false;
        }

        string? node = map.GetNode(Bucket, Rank);
        if (node is null || node == silo.Name)
        {
            return false;
        }

        // A move that fails drops the activation's memory. When nodes die this may be the only copy left
        // (two of three copies lost at once lost keys in testing), so move only once the primary has it all.
        if (_complete && await GrainFactory.GetGrain<IBucketGrain>(Bucket).GetSequenceAsync() < _store.Sequence)
        {
            return true; // Not moved yet: the rebalancer asks again shortly.
        }

        LogMoving(logger, Bucket, Rank, silo.Name, node);
        counters.CountMove(replica: true);
        MigrateOnIdle();
        return true;
    }

    /// <inheritdoc />
    public void OnDehydrate(IDehydrationContext dehydrationContext)
    {
        if (_departing is not null)
        {
            dehydrationContext.TryAddValue(MigratedEntriesKey, _departing);
        }
    }

    /// <inheritdoc />
    public void OnRehydrate(IRehydrationContext rehydrationContext)
    {
        if (rehydrationContext.TryGetValue(MigratedEntriesKey, out BucketSnapshot? snapshot))
        {
            _store.Reset(snapshot);
            _complete = true;
        }
    }

    // Whether writes of this epoch apply to the content: they do from the activation the replica follows; one
    // that has not claimed the replica (a newer epoch) gets a full copy sent first, since the content may hold
    // writes of an older activation that it never had; an older one is refused.
    private bool Follows(long epoch)
    {
        ThrowIfStale(epoch);
        return epoch == _store.Epoch;
    }

    private void ThrowIfStale(long epoch)
    {
        if (epoch < _store.Epoch)
        {
            throw new StalePrimaryException(
                $"Bucket {Bucket}: replica {Rank} on node {silo.Name} follows the primary activation of epoch {_store.Epoch}, not the older {epoch}.",
                _store.Epoch);
        }
    }

    private InvalidOperationException NotFilled() =>
        new($"Replica {Rank} of bucket {Bucket} on node {silo.Name} holds no copy yet.");

    [LoggerMessage(Level = LogLevel.Debug, Message = "Replica {Rank} of bucket {Bucket} moves from {From} to {To}")]
    private static partial void LogMoving(ILogger logger, int bucket, int rank, string from, string to);
}
