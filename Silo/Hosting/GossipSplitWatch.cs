using OrleansCache.Grains;
using OrleansCache.Grains.Interfaces;
using OrleansCache.Membership;

namespace OrleansCache.Silo.Hosting;

/// <summary>What the cache asks of the gossip membership: the nodes that follow another cluster than this node's.</summary>
internal sealed class GossipSplitWatch(GossipMembership membership) : IClusterSplitWatch
{
    /// <inheritdoc />
    public IReadOnlyList<OutsideNode> NodesOutside() => membership.NodesOutside();
}
