namespace OrleansCache.Membership;

/// <summary>
/// What a node does when gossip decides that its cluster yields to another (or that its cluster has
/// declared it dead): stop taking writes, then leave with its entries and come back as a new silo of the
/// winning cluster. The cache node implements it by restarting its silo in-process.
/// </summary>
public interface IClusterYieldHandler
{
    /// <summary>Stops this node acknowledging writes from now on; reads go on.</summary>
    /// <param name="reason">Why, for the log and for refused callers.</param>
    void Freeze(string reason);

    /// <summary>Takes this node's entries along and restarts its silo into the cluster <paramref name="seed"/> names.</summary>
    /// <param name="seed">The cluster to join and the nodes known to be in it.</param>
    /// <param name="reason">Why, for the log.</param>
    Task YieldAsync(GossipSeed seed, string reason);
}

/// <summary>
/// Where a node rejoining another cluster starts from: the host claim to follow and the live nodes that
/// follow it, so it does not have to find them again.
/// </summary>
/// <param name="Follow">The claim of the cluster to join.</param>
/// <param name="Peers">Its nodes as last heard of.</param>
public sealed record GossipSeed(LeaderClaim Follow, IReadOnlyList<NodeHeartbeat> Peers);
