using Orleans.Runtime.Placement;
using OrleansCache.Grains.Interfaces.Routing;
using OrleansCache.Grains.Routing;

namespace OrleansCache.Grains.Placement;

/// <summary>
/// Decides where a bucket, replica or node grain activates, from the bucket map over the silos that
/// can host it. Registered for all three strategies on every silo; stateless, so thread-safe.
/// </summary>
/// <remarks>Orleans asks only when a grain activates: an activation stays where it is when the map
/// changes until something moves it.</remarks>
public sealed class CachePlacementDirector(BucketMapProvider maps) : IPlacementDirector
{
    /// <inheritdoc />
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var (map, addresses) = maps.GetMap(context.GetCompatibleSilos(target));
        var grainId = target.GrainIdentity;
        string? node = strategy switch
        {
            BucketPlacement => map.GetNode(CheckedBucket(grainId.GetIntegerKey(), map), rank: 0),
            ReplicaPlacement => ReplicaNode(grainId.GetIntegerKey(), map),
            NamedNodePlacement => grainId.Key.ToString(),
            _ => throw new ArgumentException($"{nameof(CachePlacementDirector)} does not place {strategy.GetType().Name}.", nameof(strategy)),
        };

        if (node is null || !addresses.TryGetValue(node, out var silo))
        {
            throw new OrleansException($"No active node can host {grainId}: the preference list names {node ?? "no node"} among [{string.Join(", ", map.Nodes)}].");
        }

        return Task.FromResult(silo);
    }

    private static string? ReplicaNode(long key, BucketMap map)
    {
        int bucket = CheckedBucket(ReplicaKey.GetBucket(key), map);
        return map.GetNode(bucket, ReplicaKey.GetRank(key));
    }

    private static int CheckedBucket(long bucket, BucketMap map) =>
        bucket >= 0 && bucket < map.Buckets
            ? (int)bucket
            : throw new OrleansException($"Bucket {bucket} does not exist; this cluster has {map.Buckets} buckets (BUCKETS).");
}
