using OrleansCache.Grains;

namespace OrleansCache.Silo.Apis;

/// <summary>
/// <c>GET /cluster</c>: the members this node sees, with their status and bucket counts.
/// </summary>
public static class ClusterApi
{
    /// <summary>Maps the route.</summary>
    public static IEndpointRouteBuilder MapClusterApi(this IEndpointRouteBuilder app)
    {
        // This node's own view, not a grain call: a grain could answer from another node while this one joins.
        app.MapGet("/cluster", (ClusterViewSource view) => TypedResults.Ok(view.GetView()));
        return app;
    }
}
