using Microsoft.AspNetCore.Http.HttpResults;
using OrleansCache.ClientLibrary;
using OrleansCache.Grains.Interfaces;
using OrleansCache.Silo.Http;
using OrleansCache.Silo.Security;

namespace OrleansCache.Silo.Apis;

/// <summary>
/// <c>GET /stats</c>: this node's keys, bytes, hits, misses, evictions and expirations, the cluster's sums,
/// every active node's, and the memory of the process that answers. <c>?gc=true</c> first runs a full,
/// compacting garbage collection, so <c>managedHeapBytes</c> counts only what is still reachable.
/// </summary>
public static class StatsApi
{
    /// <summary>Maps the route.</summary>
    public static IEndpointRouteBuilder MapStatsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/stats", GetAsync);
        return app;
    }

    private static async Task<Results<Ok<StatsResponse>, ProblemHttpResult>> GetAsync(HttpContext context, CacheClient cache, ILocalSiloDetails silo)
    {
        bool collect = false;
        if (context.Request.Query.TryGetValue("gc", out var gc) && !(gc.Count == 1 && bool.TryParse(gc[0], out collect)))
        {
            return Problems.BadRequest("gc must be true or false.");
        }

        if (collect && !Collections.TryEnter(out var wait))
        {
            return TypedResults.Problem(
                $"A full collection ran less than {Collections.Interval.TotalSeconds:0} s ago; try again in {Math.Ceiling(wait.TotalSeconds):0} s, or leave out gc=true.",
                statusCode: StatusCodes.Status429TooManyRequests,
                title: "Too many collections");
        }

        var stats = await cache.GetStatsAsync();
        NodeStats? self = null;
        foreach (var node in stats.Nodes)
        {
            self = node.NodeId == silo.Name ? node : self;
        }

        var cluster = new ClusterTotals(stats.Nodes.Count, stats.Keys, stats.Bytes, stats.Hits, stats.Misses, stats.Evictions, stats.Expirations);
        return TypedResults.Ok(new StatsResponse(self, cluster, stats.Nodes, MeasureProcess(collect)));
    }

    // At most one forced collection per interval per node: each pauses every request on it (below), so a
    // client asking in a loop must not be able to stall the node.
    private static readonly OncePerInterval Collections = new(TimeSpan.FromSeconds(10));

    // A full blocking collection pauses every request on the node (about 1 s with a million keys on the
    // shared 2-core machine), which is why it is only done when asked for, as scripts/bench-memory.sh does.
    private static ProcessMemory MeasureProcess(bool collect)
    {
        if (collect)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        }

        return new ProcessMemory(
            GC.GetTotalMemory(forceFullCollection: false),
            GC.GetGCMemoryInfo().TotalCommittedBytes,
            Environment.WorkingSet);
    }

    private sealed record StatsResponse(NodeStats? Node, ClusterTotals Cluster, IReadOnlyList<NodeStats> Nodes, ProcessMemory Process);

    private sealed record ClusterTotals(int Nodes, long Keys, long Bytes, long Hits, long Misses, long Evictions, long Expirations);

    // Bytes of the node process answering: live managed objects (after ?gc=true; otherwise garbage not
    // yet collected too), memory the GC has committed for its heap, and the resident set (RSS on Linux).
    private sealed record ProcessMemory(long ManagedHeapBytes, long GcCommittedBytes, long WorkingSetBytes);
}
