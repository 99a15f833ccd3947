using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansCache.Grains.Interfaces;
using OrleansCache.Grains.Interfaces.Routing;
using OrleansCache.Grains.Placement;
using OrleansCache.Grains.Replication;
using OrleansCache.Grains.Routing;
using OrleansCache.Grains.Storage;

namespace OrleansCache.Grains;

/// <summary>
/// The primary copy of one bucket. Every write is applied here, then forwarded to each replica the
/// bucket map names, and acknowledged (and visible) only when all of them have applied it.
/// </summary>
/// <remarks>
/// This file holds its identity and life cycle (activation, recovery, deactivation); what a caller can ask
/// is in <c>BucketGrain.Operations.cs</c>, how a change becomes safe in <c>BucketGrain.WritePipeline.cs</c>,
/// how the bucket follows the map in <c>BucketGrain.Migration.cs</c>, and the merge of another cluster's
/// copy in <c>BucketGrain.Merge.cs</c>.
/// </remarks>
[BucketPlacement]
[CollectionAgeLimit(AlwaysActive = true)] // A cache's only copy of its data is in memory: never collect it for idleness.
public sealed partial class BucketGrain(
    BucketMapProvider maps,
    LocalBucketCatalog catalog,
    LocalReads reads,
    ILocalSiloDetails silo,
    IOptions<CacheOptions> options,
    NodeMemory memory,
    NodeCounters counters,
    ExpirySweeper sweeper,
    NodeFence fence,
    ReplicationChannels replication,
    [FromKeyedServices(CacheTime.ServiceKey)] TimeProvider time,
    ILogger<BucketGrain> logger) : Grain, IBucketGrain, IDisposable
{
    private readonly BucketStore _store = new(memory, time, replica: false);
    private bool _migrated;
    private BucketSnapshot? _departing;

    private int Bucket => (int)this.GetPrimaryKeyLong();

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        catalog.Add(this.GetPrimaryKeyLong(), replica: false, this);

        // A moved bucket brought its entries along (see OnRehydrate). One re-activated after its node died
        // starts empty here, while its replicas hold every acknowledged write: take the most advanced copy
        // before answering anything.
        var map = maps.Current;
        long newestEpoch = _store.Epoch;
        if (!_migrated)
        {
            var (best, epoch) = await LoadBestReplicaAsync(map);
            newestEpoch = epoch;
            if (best is not null)
            {
                _store.Reset(best);
                LogRecovered(logger, Bucket, best.Entries.Count, best.Sequence);
                counters.CountRecovery();
            }
        }

        await ClaimReplicasAsync(map, newestEpoch);
        TrackExpiries();

        // Recovered and followed by its replicas: this node's doors may now read committed entries directly.
        reads.Publish(Bucket, _store);
    }

    /// <inheritdoc />
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        reads.Withdraw(Bucket, _store);
        sweeper.Untrack(Bucket);

        // Orleans dehydrates a moving grain after this returns: keep what it carries, then free the store.
        _departing = reason.ReasonCode == DeactivationReasonCode.Migrating ? _store.ToSnapshot() : null;
        _store.Release();
        return Task.CompletedTask;
    }

    /// <summary>Called by Orleans when the activation is gone; a moved bucket is active on its new node by then.</summary>
    public void Dispose()
    {
        reads.Withdraw(Bucket, _store);
        catalog.Remove(this.GetPrimaryKeyLong(), replica: false, this);
    }

    /// <inheritdoc />
    public Task<BucketSnapshot> GetSnapshotAsync() => Task.FromResult(_store.ToSnapshot());

    /// <inheritdoc />
    public Task<long> GetSequenceAsync() => Task.FromResult(_store.Sequence);

    /// <inheritdoc />
    public async Task<BucketLocation> LocateAsync()
    {
        var replicas = Replicas(maps.Current);
        var nodes = new string[replicas.Length];
        for (int i = 0; i < replicas.Length; i++)
        {
            nodes[i] = await replicas[i].GetNodeIdAsync();
        }

        return new BucketLocation(Bucket, silo.Name, nodes);
    }

    private IReplicaGrain[] Replicas(BucketMap map)
    {
        if (map.Copies <= 1)
        {
            return [];
        }

        var replicas = new IReplicaGrain[map.Copies - 1];
        for (int rank = 1; rank < map.Copies; rank++)
        {
            replicas[rank - 1] = Replica(rank);
        }

        return replicas;
    }

    private IReplicaGrain Replica(int rank) => GrainFactory.GetGrain<IReplicaGrain>(ReplicaKey.Create(Bucket, rank));

    [LoggerMessage(Level = LogLevel.Debug, Message = "Bucket {Bucket} recovered {Count} entries at sequence {Sequence} from its replicas")]
    private static partial void LogRecovered(ILogger logger, int bucket, int count, long sequence);
}
