using Orleans.Concurrency;

namespace OrleansCache.Grains.Interfaces;

/// <summary>
/// Answers questions about the whole cluster on whichever node receives the call
/// (a stateless worker; use key 0).
/// </summary>
[Alias("OrleansCache.IClusterGrain")]
public interface IClusterGrain : IGrainWithIntegerKey
{
    /// <summary>Returns the members and their bucket counts, as the answering node sees them.</summary>
    [Alias("View"), ReadOnly]
    Task<ClusterView> GetViewAsync();

    /// <summary>Returns the settings every client must share with the cluster.</summary>
    [Alias("Topology"), ReadOnly]
    Task<CacheTopology> GetTopologyAsync();
}
