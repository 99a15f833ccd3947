using Microsoft.Extensions.DependencyInjection;
using OrleansCache.Grains.Interfaces;
using OrleansCache.Grains.Placement;
using OrleansCache.Grains.Storage;

namespace OrleansCache.Grains;

/// <summary>
/// A replica of one bucket: applies the writes its primary forwards, in sequence order.
/// </summary>
[ReplicaPlacement]
[CollectionAgeLimit(AlwaysActive = true)] // Holds the only other copy of the data: never collect it for idleness.
public sealed class ReplicaGrain(
    LocalBucketCatalog catalog,
    ILocalSiloDetails silo,
    NodeMemory memory,
    [FromKeyedServices(CacheTime.ServiceKey)] TimeProvider time) : Grain, IReplicaGrain
{
    private readonly BucketStore _store = new(memory, time, replica: true);

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        catalog.Add(this.GetPrimaryKeyLong(), replica: true);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        catalog.Remove(this.GetPrimaryKeyLong(), replica: true);
        _store.Release();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<bool> ApplyAsync(ReplicaWrite write) => Task.FromResult(_store.TryApply(write));

    /// <inheritdoc />
    public Task<bool> ApplyManyAsync(ReplicaWrite[] writes)
    {
        foreach (var write in writes)
        {
            if (!_store.TryApply(write))
            {
                return Task.FromResult(false);
            }
        }

        return Task.FromResult(true);
    }

    /// <inheritdoc />
    public Task ResetAsync(BucketSnapshot snapshot)
    {
        _store.Reset(snapshot);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<BucketSnapshot> GetSnapshotAsync() => Task.FromResult(_store.ToSnapshot());

    /// <inheritdoc />
    public Task<string> GetNodeIdAsync() => Task.FromResult(silo.Name);
}
