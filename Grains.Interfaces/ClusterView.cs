namespace OrleansCache.Grains.Interfaces;

/// <summary>
/// The cluster as one node sees it: the shape of <c>GET /cluster</c>.
/// </summary>
/// <param name="Self">The <c>NODE_ID</c> of the node that answered.</param>
/// <param name="Members">Every member that node knows of, live or dead, ordered by <c>NODE_ID</c>.</param>
[GenerateSerializer, Immutable, Alias("OrleansCache.ClusterView")]
public sealed record ClusterView(
    [property: Id(0)] string Self,
    [property: Id(1)] IReadOnlyList<ClusterMemberView> Members);
