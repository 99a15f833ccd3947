namespace OrleansCache.Membership;

/// <summary>
/// What one node knows of another: its address, how recently it was heard from, and which cluster it
/// belongs to.
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
    /// <summary>The table host's claim this node follows: its cluster. <see langword="null"/> while it has none yet.</summary>
    [Id(5)]
    public LeaderClaim? Following { get; init; }

    /// <summary>Set while the node yields to another cluster: the claim of the cluster it is rejoining.</summary>
    [Id(6)]
    public LeaderClaim? YieldingTo { get; init; }

    /// <summary>For a table host: which of two clusters that met must yield to the other, as this host decided.</summary>
    [Id(7)]
    public IReadOnlyList<MergeVerdict> Verdicts { get; init; } = [];

    /// <summary>Whether this record is newer news of the same node run than <paramref name="other"/>.</summary>
    public bool IsNewerThan(NodeHeartbeat other) =>
        Incarnation != other.Incarnation ? Incarnation > other.Incarnation : Heartbeat > other.Heartbeat;

    /// <summary>Whether this node hosts the membership table of the cluster it follows.</summary>
    public bool IsHost => Following?.NodeId == NodeId;
}

/// <summary>
/// A node's claim to host the authoritative membership table of one cluster, for one term.
/// </summary>
/// <remarks>
/// A cluster is a <em>lineage</em> of claims: the first host founds it (term 1, <see cref="FoundedAt"/> and
/// <see cref="Founder"/> set once), and every host that takes over after the one before it died keeps the
/// lineage and raises the term. Two lineages are two clusters that formed apart (a start race, or a node
/// that founded alone); two live claims of one lineage are one cluster split in two (a network partition
/// during which each side chose a host).
/// </remarks>
/// <param name="Term">Grows by one at each change of host within the lineage.</param>
/// <param name="NodeId">The host's <c>NODE_ID</c>.</param>
/// <param name="FoundedAt">When the cluster was founded (UTC ticks, by the founder's clock).</param>
/// <param name="Founder">The <c>NODE_ID</c> of the node that founded the cluster.</param>
[GenerateSerializer, Immutable, Alias("OrleansCache.Gossip.LeaderClaim")]
public sealed record LeaderClaim(
    [property: Id(0)] long Term,
    [property: Id(1)] string NodeId,
    [property: Id(2)] long FoundedAt,
    [property: Id(3)] string Founder)
{
    /// <summary>Whether <paramref name="other"/> is a claim of the same cluster (its lineage).</summary>
    public bool SameLineage(LeaderClaim? other) => other is not null && FoundedAt == other.FoundedAt && Founder == other.Founder;

    /// <summary>
    /// Whether this claim ranks before <paramref name="other"/>: the older cluster first (earlier founding,
    /// then the lower founder id); within one cluster the higher term, then the lower host id. Every node
    /// ranks any two claims alike, which is what lets them agree without talking.
    /// </summary>
    public bool Beats(LeaderClaim? other)
    {
        if (other is null)
        {
            return true;
        }

        if (!SameLineage(other))
        {
            return FoundedAt != other.FoundedAt ? FoundedAt < other.FoundedAt : string.CompareOrdinal(Founder, other.Founder) < 0;
        }

        return Term != other.Term ? Term > other.Term : string.CompareOrdinal(NodeId, other.NodeId) < 0;
    }

    /// <summary>Stands for "no host known" where a claim must be given.</summary>
    public static LeaderClaim None { get; } = new(0, string.Empty, 0, string.Empty);

    /// <inheritdoc />
    public override string ToString() => $"host {NodeId} (term {Term}, cluster founded by {Founder})";
}

/// <summary>
/// A table host's decision, when its cluster met another: <paramref name="Loser"/>'s nodes leave their
/// cluster and rejoin <paramref name="Winner"/>'s, bringing their entries. Only the host of the claim that
/// ranks first of the two (<see cref="LeaderClaim.Beats"/>) decides, so two hosts never decide opposite ways.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansCache.Gossip.MergeVerdict")]
public sealed record MergeVerdict(
    [property: Id(0)] LeaderClaim Loser,
    [property: Id(1)] LeaderClaim Winner);

/// <summary>
/// One gossip message, sent both ways in an exchange: who the sender knows, whose cluster it is in, and
/// how recent its copy of that cluster's table is.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansCache.Gossip.GossipDigest")]
public sealed record GossipDigest(
    [property: Id(0)] string ClusterId,
    [property: Id(1)] int Buckets,
    [property: Id(2)] NodeHeartbeat From,
    [property: Id(3)] IReadOnlyList<NodeHeartbeat> Members,
    [property: Id(5)] int TableVersion)
{
    /// <summary>How the nodes of this version place keys: Redis Cluster's CRC16 slots, in buckets of slot ranges.</summary>
    public const string SlotPlacement = "redis-slots";

    /// <summary>How the sender places keys (<see cref="SlotPlacement"/>); <see langword="null"/> from a node of a
    /// version that hashed keys with XxHash64, whose buckets hold other keys: the two cannot share a cluster.</summary>
    [Id(6)]
    public string? KeyPlacement { get; init; }

    /// <summary>
    /// Set on a heartbeat to the table host: <see cref="Members"/> is left empty, and the host answers with
    /// its own record alone. Views converge through the exchanges with random peers; the host only needs each
    /// node's own record, and each node the host's. Without it every node sent the host its whole view every
    /// round and got the host's back: n views of n records per round through one node (docs/scale.md).
    /// A node of an earlier version ignores the flag and answers with its whole view, which is still correct.
    /// </summary>
    [Id(7)]
    public bool Brief { get; init; }
}

/// <summary>
/// A copy of a cluster's membership table as committed by the host of <paramref name="Claim"/>;
/// <paramref name="Claim"/> is <see langword="null"/> for the empty copy of a node in no cluster yet.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansCache.Gossip.TableCopy")]
public sealed record TableCopy(
    [property: Id(2)] LeaderClaim? Claim,
    [property: Id(1)] MembershipTableData Data)
{
    /// <summary>The copy of a node in no cluster yet; also how a node acknowledges a copy pushed to it.</summary>
    public static TableCopy None { get; } = new(null, new MembershipTableData(new TableVersion(0, "0.0")));

    /// <summary>The term of the host that committed it (0 for no host).</summary>
    public long Term => Claim?.Term ?? 0;

    /// <summary>Whether this copy is a later state of the same host's table than <paramref name="other"/>.</summary>
    public bool IsNewerThan(TableCopy other) =>
        Term != other.Term ? Term > other.Term : Data.Version.Version > other.Data.Version.Version;
}

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

/// <summary>A forwarded membership table call, addressed to the host of <see cref="Claim"/>.</summary>
[GenerateSerializer, Alias("OrleansCache.Gossip.TableRequest")]
public sealed record TableRequest(
    [property: Id(0)] TableOperation Operation,
    [property: Id(1)] MembershipEntry? Entry,
    [property: Id(2)] SiloAddress? Silo,
    [property: Id(3)] string? ETag,
    [property: Id(4)] TableVersion? Version,
    [property: Id(5)] DateTimeOffset Before)
{
    /// <summary>The host claim the caller follows; a node that does not host exactly that answers NotLeader,
    /// so a call never lands in another cluster's table.</summary>
    [Id(6)]
    public LeaderClaim? Claim { get; init; }
}

/// <summary>The host's answer to a <see cref="TableRequest"/>.</summary>
/// <param name="Succeeded">The outcome of an insert or update.</param>
/// <param name="Data">The rows read, for reads.</param>
/// <param name="NotLeader">Set when the node asked does not host the table the caller follows; it names
/// the claim it follows itself.</param>
[GenerateSerializer, Alias("OrleansCache.Gossip.TableResponse")]
public sealed record TableResponse(
    [property: Id(0)] bool Succeeded,
    [property: Id(1)] MembershipTableData? Data,
    [property: Id(2)] LeaderClaim? NotLeader);
