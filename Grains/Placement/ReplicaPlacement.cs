
namespace OrleansCache.Grains.Placement;

/// <summary>
/// Places a replica grain (integer key = <see cref="Interfaces.Routing.ReplicaKey"/>) on the node of
/// its rank in its bucket's preference list.
/// </summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking, Alias("OrleansCache.ReplicaPlacement")]
public sealed class ReplicaPlacement : PlacementStrategy
{
    /// <summary>The one instance.</summary>
    public static ReplicaPlacement Instance { get; } = new();
}
