namespace OrleansCache.Grains.Interfaces;

/// <summary>
/// One node's share of the data and its counters since it started.
/// </summary>
/// <param name="NodeId">The node's <c>NODE_ID</c>.</param>
/// <param name="Keys">Entries in the buckets this node is primary for (expired ones not yet reclaimed included).</param>
/// <param name="ReplicaKeys">Entries in the replica copies this node holds.</param>
/// <param name="Bytes">Estimated memory of all its entries, primary and replica copies: keys, values and
/// per-entry bookkeeping. This is what <c>MAX_MEMORY_BYTES</c> limits.</param>
/// <param name="MaxBytes">Its <c>MAX_MEMORY_BYTES</c>.</param>
/// <param name="EvictionPolicy">Its <c>EVICTION_POLICY</c>: <c>lru</c> or <c>noeviction</c>.</param>
/// <param name="Hits">Reads of its primaries that found a live entry.</param>
/// <param name="Misses">Reads of its primaries that found none (or an expired one).</param>
/// <param name="Evictions">Entries its primaries evicted to stay within <c>MAX_MEMORY_BYTES</c>.</param>
/// <param name="Expirations">Expired entries its primaries reclaimed, on access or by the sweep.</param>
[GenerateSerializer, Immutable, Alias("OrleansCache.NodeStats")]
public sealed record NodeStats(
    [property: Id(0)] string NodeId,
    [property: Id(1)] long Keys,
    [property: Id(2)] long ReplicaKeys,
    [property: Id(3)] long Bytes,
    [property: Id(4)] long MaxBytes,
    [property: Id(5)] string EvictionPolicy,
    [property: Id(6)] long Hits,
    [property: Id(7)] long Misses,
    [property: Id(8)] long Evictions,
    [property: Id(9)] long Expirations)
{
    /// <summary>Entries in the buckets this node is primary for that have an expiry (Redis's <c>expires</c> in
    /// <c>INFO keyspace</c>).</summary>
    [Id(10)]
    public long ExpiringKeys { get; init; }
}
