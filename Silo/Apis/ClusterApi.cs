using OrleansCache.Grains;
using OrleansCache.Grains.Routing;

namespace OrleansCache.Silo.Apis;

/// <summary>
/// <c>GET /cluster</c>: the members this node sees, with their status and bucket counts.
/// <c>GET /cluster/buckets</c>: which node holds each copy of each bucket, by the map this node routes with.
/// </summary>
public static class ClusterApi
{
    /// <summary>Maps the routes.</summary>
    public static IEndpointRouteBuilder MapClusterApi(this IEndpointRouteBuilder app)
    {
        // This node's own view, not a grain call: a grain could answer from another node while this one joins.
        app.MapGet("/cluster", (ClusterViewSource view) => TypedResults.Ok(view.GetView()));
        app.MapGet("/cluster/buckets", (BucketMapProvider maps) => TypedResults.Ok(Describe(maps.Current)));
        return app;
    }

    // Indexes into the node list rather than one object per bucket: 1024 buckets over 3 nodes come to
    // 6 KB of JSON instead of about 50 KB, and every open cache view asks for it every 1.5 s.
    private static BucketMapResponse Describe(BucketMap map)
    {
        var index = new Dictionary<string, int>(map.Nodes.Count, StringComparer.Ordinal);
        for (int i = 0; i < map.Nodes.Count; i++)
        {
            index[map.Nodes[i]] = i;
        }

        var primary = new int[map.Buckets];
        var replicas = new int[map.Buckets][];
        for (int bucket = 0; bucket < map.Buckets; bucket++)
        {
            // No copy at all only while this node sees no active node (its own silo still joining).
            primary[bucket] = map.GetNode(bucket, rank: 0) is { } node ? index[node] : -1;
            replicas[bucket] = new int[Math.Max(0, map.Copies - 1)];
            for (int rank = 1; rank < map.Copies; rank++)
            {
                replicas[bucket][rank - 1] = index[map.GetNode(bucket, rank)!];
            }
        }

        return new BucketMapResponse(map.Buckets, map.Copies, map.Nodes, primary, replicas);
    }

    /// <summary>
    /// The bucket map: <c>nodes</c> in ordinal order of <c>NODE_ID</c> (the active nodes the map is built
    /// over); for bucket <c>b</c>, <c>primary[b]</c> is the index of its primary's node (-1 when there is
    /// none) and <c>replicas[b]</c> those of its replicas' nodes, successor first.
    /// </summary>
    private sealed record BucketMapResponse(int Buckets, int Copies, IReadOnlyList<string> Nodes, int[] Primary, int[][] Replicas);
}
