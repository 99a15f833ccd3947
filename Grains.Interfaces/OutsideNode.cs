namespace OrleansCache.Grains.Interfaces;

/// <summary>
/// A live node that the answering node's membership knows of but that is in another cluster: two
/// clusters have met (after a start race or a network partition) and have not become one yet.
/// </summary>
/// <param name="Id">Its <c>NODE_ID</c>.</param>
/// <param name="Ip">Its <c>NODE_IP</c>.</param>
/// <param name="Host">The <c>NODE_ID</c> of the membership table host of the cluster it is in.</param>
/// <param name="Leaving">Whether it is leaving its cluster to join another (its cluster yields).</param>
[GenerateSerializer, Immutable, Alias("OrleansCache.OutsideNode")]
public sealed record OutsideNode(
    [property: Id(0)] string Id,
    [property: Id(1)] string Ip,
    [property: Id(2)] string Host,
    [property: Id(3)] bool Leaving);
