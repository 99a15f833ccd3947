using OrleansCache.Grains.Interfaces;
using OrleansCache.Grains.Interfaces.Routing;

namespace OrleansCache.Grains;

/// <summary>
/// The data path's settings. On a node each is read from the environment variable its documentation names,
/// by the one table of settings (<c>NodeSettings</c> in the Silo project), and checked by
/// <see cref="CacheOptionsValidator"/> before the node starts.
/// </summary>
public sealed class CacheOptions
{
    /// <summary>Default for <see cref="Buckets"/>: enough buckets that 100 nodes still get ~10 each.</summary>
    public const int DefaultBuckets = 1024;

    /// <summary>Default for <see cref="MaxValueBytes"/>: 1 MiB.</summary>
    public const int DefaultMaxValueBytes = 1024 * 1024;

    /// <summary>Largest <see cref="MaxValueBytes"/> allowed: 512 MiB, well under a .NET array's limit.</summary>
    public const int MaxMaxValueBytes = 512 * 1024 * 1024;

    /// <summary>Largest <see cref="Buckets"/> allowed: one bucket per Redis Cluster hash slot (<see cref="KeyHasher.Slots"/>).</summary>
    public const int MaxBuckets = KeyHasher.Slots;

    /// <summary>Number of buckets keys hash into (<c>BUCKETS</c>): a power of two from 1 to <see cref="MaxBuckets"/>,
    /// each bucket being a range of <c>16384 / BUCKETS</c> consecutive hash slots. Fixed for the life of a cluster.</summary>
    public int Buckets { get; set; } = DefaultBuckets;

    /// <summary>Copies of each bucket, the primary included (<c>REPLICATION_FACTOR</c>); 1 means no replica.</summary>
    public int ReplicationFactor { get; set; } = 2;

    /// <summary>Largest value accepted, in bytes (<c>MAX_VALUE_BYTES</c>).</summary>
    public int MaxValueBytes { get; set; } = DefaultMaxValueBytes;

    /// <summary>Smallest <see cref="MaxMemoryBytes"/> allowed: 1 MiB, room for one largest default value.</summary>
    public const long MinMaxMemoryBytes = 1024 * 1024;

    /// <summary>
    /// Default for <see cref="MaxMemoryBytes"/>: half the memory available to the process (the machine's, or
    /// the container's limit). The budget counts estimated entry bytes, and a .NET heap needs room beyond
    /// its live data to collect garbage, so half leaves the other half for that and for the runtime.
    /// </summary>
    public static long DefaultMaxMemoryBytes => Math.Max(MinMaxMemoryBytes, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 2);

    /// <summary>The entries' budget on this node, primary and replica copies together (<c>MAX_MEMORY_BYTES</c>).</summary>
    public long MaxMemoryBytes { get; set; } = DefaultMaxMemoryBytes;

    /// <summary>What happens at <see cref="MaxMemoryBytes"/> (<c>EVICTION_POLICY</c>).</summary>
    public EvictionPolicy EvictionPolicy { get; set; } = EvictionPolicy.Lru;

    /// <summary>How this node merges the entries it held into another cluster when its cluster yields to that one
    /// after the two met (<c>MERGE_POLICY</c>); the default keeps whatever the other cluster holds.</summary>
    public MergePolicy MergePolicy { get; set; } = MergePolicy.PutIfAbsent;

    /// <summary>How often each node reclaims expired entries that nobody reads (the active sweep).</summary>
    public TimeSpan ExpirySweepInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Port of every node's HTTP API, the same on every node, shown by <c>/cluster</c>. Not a setting of its own:
    /// the host sets it from <c>HTTP_PORT</c> (<c>UseCacheNode</c>), as it sets Orleans' ports from <c>SILO_PORT</c>
    /// and <c>GATEWAY_PORT</c>.</summary>
    public int HttpPort { get; set; } = 8080;

    /// <summary>Whether every node's HTTP API is HTTPS (<c>TLS_CERTIFICATE</c> is set), for the URLs <c>/cluster</c> shows;
    /// set by the host like <see cref="HttpPort"/>.</summary>
    public bool HttpsOnly { get; set; }
}
