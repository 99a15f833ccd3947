namespace OrleansCache.Grains.Interfaces;

/// <summary>
/// Where one bucket's copies live right now, as reported by the activations themselves.
/// </summary>
/// <param name="Bucket">The bucket number.</param>
/// <param name="PrimaryNodeId">The <c>NODE_ID</c> of the silo the bucket grain is active on.</param>
/// <param name="ReplicaNodeIds">The <c>NODE_ID</c> of the silo of each replica, in rank order; empty when the
/// bucket has no replica (one node, or <c>REPLICATION_FACTOR=1</c>).</param>
[GenerateSerializer, Immutable, Alias("OrleansCache.BucketLocation")]
public sealed record BucketLocation(
    [property: Id(0)] int Bucket,
    [property: Id(1)] string PrimaryNodeId,
    [property: Id(2)] IReadOnlyList<string> ReplicaNodeIds);
