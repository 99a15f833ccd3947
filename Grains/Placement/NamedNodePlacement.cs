
namespace OrleansCache.Grains.Placement;

/// <summary>
/// Places a grain whose string key is a <c>NODE_ID</c> on the node of that name.
/// </summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking, Alias("OrleansCache.NamedNodePlacement")]
public sealed class NamedNodePlacement : PlacementStrategy
{
    /// <summary>The one instance.</summary>
    public static NamedNodePlacement Instance { get; } = new();
}
