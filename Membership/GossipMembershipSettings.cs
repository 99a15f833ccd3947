using OrleansCache.ClientLibrary.Discovery;

namespace OrleansCache.Membership;

/// <summary>
/// What the gossip layer needs to know about its node and cluster.
/// </summary>
/// <param name="NodeId">This node's <c>NODE_ID</c>.</param>
/// <param name="Ip">This node's <c>NODE_IP</c>.</param>
/// <param name="LinkedIp">The linked node's <c>LINKED_NODE_IP</c>, or <see langword="null"/> for the first node.</param>
/// <param name="HttpPort">The HTTP port every node serves gossip on.</param>
/// <param name="ClusterId">The <c>CLUSTER_ID</c> every member must share.</param>
/// <param name="Buckets">The <c>BUCKETS</c> every member must share.</param>
public sealed record GossipMembershipSettings(string NodeId, string Ip, string? LinkedIp, int HttpPort, string ClusterId, int Buckets)
{
    /// <summary>The linked node's <c>LINKED_NODE_ID</c>, for the log.</summary>
    public string? LinkedId { get; init; }

    /// <summary><c>CLUSTER_SECRET</c>: when set, every membership message proves it (see <see cref="MembershipAuthentication"/>).</summary>
    public string? ClusterSecret { get; init; }

    /// <summary><c>TLS_CERTIFICATE</c>: when set, nodes call each other over HTTPS and accept only a peer it trusts.</summary>
    public ClusterCertificate? Certificate { get; init; }

    /// <summary>Set when the node restarts its silo to join another cluster: the cluster to follow from the start.</summary>
    public GossipSeed? Seed { get; init; }
}
