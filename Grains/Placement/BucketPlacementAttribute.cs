using Orleans.Placement;

namespace OrleansCache.Grains.Placement;

/// <summary>Marks a grain class placed by <see cref="BucketPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class BucketPlacementAttribute() : PlacementAttribute(BucketPlacement.Instance);
