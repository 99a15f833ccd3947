using System.Security.Cryptography;
using System.Text;
using OrleansCache.Grains.Interfaces.Routing;
using OrleansCache.Grains.Routing;

namespace OrleansCache.Silo.Resp;

/// <summary>
/// The bucket map as Redis Cluster describes a cluster: ranges of hash slots, each with the node that is its
/// primary, for <c>CLUSTER SLOTS</c>, <c>SHARDS</c>, <c>NODES</c> and <c>INFO</c>.
/// </summary>
/// <remarks>
/// <para>A bucket is a range of <c>16384 / BUCKETS</c> slots (<see cref="KeyHasher"/>); adjacent buckets with the same
/// primary are reported as one range. At the default 1024 buckets over 3 nodes that is some 450 ranges, since
/// rendezvous hashing scatters the buckets.</para>
/// <para>Replicas are not reported. Redis gives a node one role, and clients keep one per node: StackExchange.Redis
/// 3.4 reads <c>CLUSTER SLOTS</c>, and a node listed there as a replica of some ranges (as every node here is) was
/// taken for a replica altogether and sent none of its own keys (seen here, 2026-12). No client needs them: a read
/// is served by the primary whichever node receives it.</para>
/// <para>Only the nodes of the bucket map are reported (active, not leaving), each at its <c>NODE_IP</c> and the
/// <c>RESP_PORT</c> every node shares, with a 40-hex-digit id that is the SHA-1 of its <c>NODE_ID</c>, so a node
/// restarted with the same <c>NODE_ID</c> keeps its id. A node that is not in the map (joining or leaving) still
/// reports itself, without slots.</para>
/// </remarks>
internal sealed class RespClusterTopology(BucketMapProvider maps, string selfName, string selfIp, int respPort, int busPort)
{
    private volatile SlotTopology? _last;

    /// <summary>The RESP port, the same on every node.</summary>
    public int Port => respPort;

    /// <summary>The port reported as each node's cluster bus: the silo port, where nodes talk to each other.</summary>
    public int BusPort => busPort;

    /// <summary>The topology of the current bucket map, built once per map and membership version.</summary>
    public SlotTopology Current
    {
        get
        {
            var map = maps.Current;
            var snapshot = maps.Snapshot;
            var last = _last;
            if (last is not null && ReferenceEquals(last.Map, map) && last.Epoch == snapshot.Version.Value)
            {
                return last;
            }

            var built = Build(map, snapshot);
            _last = built;
            return built;
        }
    }

    /// <summary>The 40-hex-digit Redis Cluster node id of the node named <paramref name="nodeId"/>: the SHA-1 of its name.</summary>
    public static string NodeIdOf(string nodeId) => Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(nodeId)));

    private SlotTopology Build(BucketMap map, ClusterMembershipSnapshot snapshot)
    {
        // The address each active node advertises (its NODE_IP); a restarted node's newest generation wins.
        var addresses = new Dictionary<string, SiloAddress>(StringComparer.Ordinal);
        foreach (var member in snapshot.Members.Values)
        {
            if (member.Status == SiloStatus.Active
                && (!addresses.TryGetValue(member.Name, out var known) || known.Generation < member.SiloAddress.Generation))
            {
                addresses[member.Name] = member.SiloAddress;
            }
        }

        var nodes = new List<SlotNode>(map.Nodes.Count + 1);
        int self = -1;
        foreach (var name in map.Nodes)
        {
            bool isSelf = name == selfName;
            string ip = isSelf ? selfIp : addresses.TryGetValue(name, out var address) ? address.Endpoint.Address.ToString() : selfIp;
            self = isSelf ? nodes.Count : self;
            nodes.Add(new SlotNode(name, NodeIdOf(name), ip));
        }

        if (self < 0)
        {
            self = nodes.Count;
            nodes.Add(new SlotNode(selfName, NodeIdOf(selfName), selfIp));
        }

        var ranges = new List<SlotRange>();
        if (map.Copies > 0)
        {
            var indexes = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int i = 0; i < nodes.Count; i++)
            {
                indexes[nodes[i].Name] = i;
            }

            int slotsPerBucket = KeyHasher.Slots / map.Buckets;
            for (int bucket = 0; bucket < map.Buckets; bucket++)
            {
                int primary = indexes[map.GetNode(bucket, 0)!];
                int first = bucket * slotsPerBucket;
                int last = first + slotsPerBucket - 1;
                if (ranges.Count > 0 && ranges[^1] is var previous && previous.Primary == primary)
                {
                    ranges[^1] = previous with { Last = last };
                }
                else
                {
                    ranges.Add(new SlotRange(first, last, primary));
                }
            }
        }

        return new SlotTopology(map, snapshot.Version.Value, nodes, self, ranges);
    }
}

/// <summary>One node as Redis Cluster names it.</summary>
/// <param name="Name">Its <c>NODE_ID</c>.</param>
/// <param name="Id">Its Redis Cluster node id: 40 hex digits, the SHA-1 of <paramref name="Name"/>.</param>
/// <param name="Ip">Its <c>NODE_IP</c>.</param>
internal sealed record SlotNode(string Name, string Id, string Ip);

/// <summary>A range of slots, <paramref name="First"/> to <paramref name="Last"/> inclusive, and where it lives.</summary>
/// <param name="First">Its first slot.</param>
/// <param name="Last">Its last slot.</param>
/// <param name="Primary">Its primary, as an index into <see cref="SlotTopology.Nodes"/>.</param>
internal sealed record SlotRange(int First, int Last, int Primary);

/// <summary>The slot ranges of one bucket map.</summary>
/// <param name="Map">The map they were built from.</param>
/// <param name="Epoch">The membership version they were built at (reported as Redis's config epoch).</param>
/// <param name="Nodes">The map's nodes in ordinal order of <c>NODE_ID</c>, and this node last if it is not among them.</param>
/// <param name="Self">This node, as an index into <paramref name="Nodes"/>.</param>
/// <param name="Ranges">Every slot range in slot order; empty when no node is active.</param>
internal sealed record SlotTopology(BucketMap Map, long Epoch, IReadOnlyList<SlotNode> Nodes, int Self, IReadOnlyList<SlotRange> Ranges)
{
    /// <summary>How many slots the ranges cover: all 16384, or none while no node is active.</summary>
    public int AssignedSlots => Ranges.Count == 0 ? 0 : KeyHasher.Slots;
}
