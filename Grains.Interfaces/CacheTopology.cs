namespace OrleansCache.Grains.Interfaces;

/// <summary>
/// The settings that every node and client of one cluster must agree on.
/// </summary>
/// <param name="Buckets">Number of buckets keys are hashed into (<c>BUCKETS</c>, fixed for the cluster's life).</param>
/// <param name="ReplicationFactor">Copies kept of each bucket, the primary included (<c>REPLICATION_FACTOR</c>).</param>
/// <param name="MaxValueBytes">Largest value accepted, in bytes (<c>MAX_VALUE_BYTES</c>).</param>
[GenerateSerializer, Immutable, Alias("OrleansCache.CacheTopology")]
public sealed record CacheTopology(
    [property: Id(0)] int Buckets,
    [property: Id(1)] int ReplicationFactor,
    [property: Id(2)] int MaxValueBytes);
