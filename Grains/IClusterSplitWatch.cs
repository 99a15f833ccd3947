using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Grains;

/// <summary>
/// Tells which live nodes outside this node's cluster the membership provider knows of. Only the embedded
/// gossip membership can see another cluster; with PostgreSQL membership there is one table, so one cluster.
/// </summary>
public interface IClusterSplitWatch
{
    /// <summary>Returns the live nodes that follow another cluster's table host, ordered by <c>NODE_ID</c>.</summary>
    IReadOnlyList<OutsideNode> NodesOutside();
}
