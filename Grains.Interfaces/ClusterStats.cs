namespace OrleansCache.Grains.Interfaces;

/// <summary>
/// The whole cluster's data and counters: the sums over <see cref="Nodes"/>.
/// </summary>
/// <param name="Nodes">Each active node's statistics, ordered by <c>NODE_ID</c>.</param>
public sealed record ClusterStats(IReadOnlyList<NodeStats> Nodes)
{
    /// <summary>Keys stored in the cluster (each counted once, on its primary; what Redis <c>DBSIZE</c> counts).</summary>
    public long Keys => Sum(n => n.Keys);

    /// <summary>Keys stored in the cluster that have an expiry (each counted once, on its primary).</summary>
    public long ExpiringKeys => Sum(n => n.ExpiringKeys);

    /// <summary>Estimated bytes held by all nodes, every copy counted.</summary>
    public long Bytes => Sum(n => n.Bytes);

    /// <summary>Reads that found a live entry.</summary>
    public long Hits => Sum(n => n.Hits);

    /// <summary>Reads that found none.</summary>
    public long Misses => Sum(n => n.Misses);

    /// <summary>Entries evicted for memory.</summary>
    public long Evictions => Sum(n => n.Evictions);

    /// <summary>Expired entries reclaimed.</summary>
    public long Expirations => Sum(n => n.Expirations);

    private long Sum(Func<NodeStats, long> value)
    {
        long sum = 0;
        foreach (var node in Nodes)
        {
            sum += value(node);
        }

        return sum;
    }
}
