using Orleans.Placement;

namespace OrleansCache.Grains.Placement;

/// <summary>Marks a grain class placed by <see cref="ReplicaPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class ReplicaPlacementAttribute() : PlacementAttribute(ReplicaPlacement.Instance);
