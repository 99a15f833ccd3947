namespace OrleansCache.Membership;

/// <summary>
/// A member of the cluster refused this node: it conflicts with the cluster (a <c>NODE_ID</c> in use
/// at another address, another <c>BUCKETS</c> or <c>CLUSTER_ID</c>). The message says which.
/// </summary>
public sealed class GossipRejectedException(string message) : Exception(message);
