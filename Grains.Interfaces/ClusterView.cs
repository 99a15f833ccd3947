using System.Text.Json.Serialization;

namespace OrleansCache.Grains.Interfaces;

/// <summary>
/// The cluster as one node sees it: the shape of <c>GET /cluster</c>.
/// </summary>
/// <param name="Self">The <c>NODE_ID</c> of the node that answered.</param>
/// <param name="Members">Every member that node knows of, live or dead, ordered by <c>NODE_ID</c>.</param>
/// <param name="Split">Live nodes in another cluster that the answering node knows of, ordered by <c>NODE_ID</c>;
/// <see langword="null"/> (and left out of JSON) when there are none. While it is set, two clusters answer
/// for the same keys: the one that yields is merging into the other.</param>
[GenerateSerializer, Immutable, Alias("OrleansCache.ClusterView")]
public sealed record ClusterView(
    [property: Id(0)] string Self,
    [property: Id(1)] IReadOnlyList<ClusterMemberView> Members,
    [property: Id(2), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<OutsideNode>? Split = null);
