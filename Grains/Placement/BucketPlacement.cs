
namespace OrleansCache.Grains.Placement;

/// <summary>
/// Places a bucket grain (integer key = bucket) on its bucket's primary node.
/// </summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking, Alias("OrleansCache.BucketPlacement")]
public sealed class BucketPlacement : PlacementStrategy
{
    /// <summary>The one instance.</summary>
    public static BucketPlacement Instance { get; } = new();
}
