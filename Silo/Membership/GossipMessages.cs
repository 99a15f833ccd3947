namespace OrleansCache.Silo.Membership;

/// <summary>
/// What one node knows of another: its address and how recently it was heard from.
/// </summary>
/// <param name="NodeId">The node's <c>NODE_ID</c>.</param>
/// <param name="Ip">The node's <c>NODE_IP</c>.</param>
/// <param name="Incarnation">When this run of the node started (UTC ticks): a restarted node wins over its old self.</param>
/// <param name="Heartbeat">A counter the node increments every gossip round while it runs.</param>
/// <param name="Leaving">Set by a node that has stopped its silo and is about to exit.</param>
[GenerateSerializer, Immutable, Alias("OrleansCache.Gossip.NodeHeartbeat")]
public sealed record NodeHeartbeat(
    [property: Id(0)] string NodeId,
    [property: Id(1)] string Ip,
    [property: Id(2)] long Incarnation,
    [property: Id(3)] long Heartbeat,
    [property: Id(4)] bool Leaving = false)
{
    /// <summary>Whether this record is newer news of the same node run than <paramref name="other"/>.</summary>
    public bool IsNewerThan(NodeHeartbeat other) =>
        Incarnation != other.Incarnation ? Incarnation > other.Incarnation : Heartbeat > other.Heartbeat;
}

/// <summary>
/// A node's claim to host the authoritative membership table, for one term.
/// </summary>
/// <param name="Term">Grows by one at each change of host; a higher term always wins.</param>
/// <param name="NodeId">The host's <c>NODE_ID</c>; between two claims of one term the lower id wins.</param>
[GenerateSerializer, Immutable, Alias("OrleansCache.Gossip.LeaderClaim")]
public sealed record LeaderClaim(
    [property: Id(0)] long Term,
    [property: Id(1)] string NodeId)
{
    /// <summary>Whether this claim beats <paramref name="other"/>.</summary>
    public bool Beats(LeaderClaim? other) =>
        other is null || Term > other.Term || (Term == other.Term && string.CompareOrdinal(NodeId, other.NodeId) < 0);
}

/// <summary>
/// One gossip message, sent both ways in an exchange: who the sender knows, who it thinks hosts the
/// table, and how recent its copy of the table is.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansCache.Gossip.GossipDigest")]
public sealed record GossipDigest(
    [property: Id(0)] string ClusterId,
    [property: Id(1)] int Buckets,
    [property: Id(2)] NodeHeartbeat From,
    [property: Id(3)] IReadOnlyList<NodeHeartbeat> Members,
    [property: Id(4)] LeaderClaim? Leader,
    [property: Id(5)] int TableVersion);

/// <summary>
/// A copy of the membership table as committed by the host of <paramref name="Term"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansCache.Gossip.TableCopy")]
public sealed record TableCopy(
    [property: Id(0)] long Term,
    [property: Id(1)] MembershipTableData Data);

/// <summary>The membership table operations a node forwards to the table's host.</summary>
[GenerateSerializer, Alias("OrleansCache.Gossip.TableOperation")]
public enum TableOperation
{
    /// <summary><see cref="IMembershipTable.ReadAll"/>.</summary>
    ReadAll,

    /// <summary><see cref="IMembershipTable.ReadRow"/>.</summary>
    ReadRow,

    /// <summary><see cref="IMembershipTable.InsertRow"/>.</summary>
    InsertRow,

    /// <summary><see cref="IMembershipTable.UpdateRow"/>.</summary>
    UpdateRow,

    /// <summary><see cref="IMembershipTable.UpdateIAmAlive"/>.</summary>
    UpdateIAmAlive,

    /// <summary><see cref="IMembershipTable.CleanupDefunctSiloEntries"/>.</summary>
    CleanupDefunct,

    /// <summary><see cref="IMembershipTable.DeleteMembershipTableEntries"/>.</summary>
    DeleteAll,
}

/// <summary>A forwarded membership table call.</summary>
[GenerateSerializer, Alias("OrleansCache.Gossip.TableRequest")]
public sealed record TableRequest(
    [property: Id(0)] TableOperation Operation,
    [property: Id(1)] MembershipEntry? Entry,
    [property: Id(2)] SiloAddress? Silo,
    [property: Id(3)] string? ETag,
    [property: Id(4)] TableVersion? Version,
    [property: Id(5)] DateTimeOffset Before);

/// <summary>The host's answer to a <see cref="TableRequest"/>.</summary>
/// <param name="Succeeded">The outcome of an insert or update.</param>
/// <param name="Data">The rows read, for reads.</param>
/// <param name="NotLeader">Set when the node asked does not host the table; it names who it thinks does.</param>
[GenerateSerializer, Alias("OrleansCache.Gossip.TableResponse")]
public sealed record TableResponse(
    [property: Id(0)] bool Succeeded,
    [property: Id(1)] MembershipTableData? Data,
    [property: Id(2)] LeaderClaim? NotLeader);
