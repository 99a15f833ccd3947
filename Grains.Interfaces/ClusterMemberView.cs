namespace OrleansCache.Grains.Interfaces;

/// <summary>
/// One member of the cluster.
/// </summary>
/// <param name="Id">Its <c>NODE_ID</c>.</param>
/// <param name="Ip">Its <c>NODE_IP</c>.</param>
/// <param name="Status">Its membership status as Orleans names it: <c>Joining</c>, <c>Active</c>,
/// <c>ShuttingDown</c>, <c>Stopping</c> or <c>Dead</c>.</param>
/// <param name="Endpoints">Its silo, gateway and HTTP endpoints.</param>
/// <param name="PrimaryBuckets">How many buckets name it as primary in the current preference lists.</param>
/// <param name="ReplicaBuckets">How many buckets name it as a replica in the current preference lists.</param>
[GenerateSerializer, Immutable, Alias("OrleansCache.ClusterMemberView")]
public sealed record ClusterMemberView(
    [property: Id(0)] string Id,
    [property: Id(1)] string Ip,
    [property: Id(2)] string Status,
    [property: Id(3)] MemberEndpoints Endpoints,
    [property: Id(4)] int PrimaryBuckets,
    [property: Id(5)] int ReplicaBuckets);
