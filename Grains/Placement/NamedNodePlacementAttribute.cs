using Orleans.Placement;

namespace OrleansCache.Grains.Placement;

/// <summary>Marks a grain class placed by <see cref="NamedNodePlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class NamedNodePlacementAttribute() : PlacementAttribute(NamedNodePlacement.Instance);
