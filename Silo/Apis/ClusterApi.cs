using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Silo.Apis;

/// <summary>
/// <c>GET /cluster</c>: the members this node sees, with their status and bucket counts.
/// </summary>
public static class ClusterApi
{
    /// <summary>Maps the route.</summary>
    public static IEndpointRouteBuilder MapClusterApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/cluster", async (CacheClient cache) => TypedResults.Ok(await cache.GetClusterAsync()));
        return app;
    }
}
