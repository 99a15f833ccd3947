using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Silo.Apis;

/// <summary>
/// <c>GET /stats</c>: this node's keys, bytes, hits, misses, evictions and expirations, the cluster's sums,
/// and every active node's.
/// </summary>
public static class StatsApi
{
    /// <summary>Maps the route.</summary>
    public static IEndpointRouteBuilder MapStatsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/stats", GetAsync);
        return app;
    }

    private static async Task<IResult> GetAsync(CacheClient cache, ILocalSiloDetails silo)
    {
        var stats = await cache.GetStatsAsync();
        NodeStats? self = null;
        foreach (var node in stats.Nodes)
        {
            self = node.NodeId == silo.Name ? node : self;
        }

        var cluster = new ClusterTotals(stats.Nodes.Count, stats.Keys, stats.Bytes, stats.Hits, stats.Misses, stats.Evictions, stats.Expirations);
        return TypedResults.Ok(new StatsResponse(self, cluster, stats.Nodes));
    }

    private sealed record StatsResponse(NodeStats? Node, ClusterTotals Cluster, IReadOnlyList<NodeStats> Nodes);

    private sealed record ClusterTotals(int Nodes, long Keys, long Bytes, long Hits, long Misses, long Evictions, long Expirations);
}
