using Orleans.Concurrency;

namespace OrleansCache.Grains.Interfaces;

/// <summary>
/// One per node, keyed by the node's <c>NODE_ID</c> and always active on that node: the way to ask
/// one particular node about what it holds.
/// </summary>
[Alias("OrleansCache.INodeGrain")]
public interface INodeGrain : IGrainWithStringKey
{
    /// <summary>Returns every entry held on this node, primary and replica copies alike.</summary>
    [Alias("Dump"), ReadOnly]
    Task<IReadOnlyDictionary<string, CacheEntry>> DumpAsync();

    /// <summary>Returns this node's keys, bytes and counters.</summary>
    [Alias("Stats"), ReadOnly]
    Task<NodeStats> GetStatsAsync();
}
