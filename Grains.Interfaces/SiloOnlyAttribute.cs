namespace OrleansCache.Grains.Interfaces;

/// <summary>
/// Marks a grain method only the cache's own nodes call: replication, recovery, migration, eviction,
/// expiry sweeps, merges and a node's leave. With <c>CLUSTER_SECRET</c> set, a call to such a method that
/// does not come from a silo of the cluster (an Orleans client's, through a gateway) is refused, so a
/// client can use the cache but not take its replicas, buckets or membership apart.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class SiloOnlyAttribute : Attribute;
