using System.Buffers;
using System.Globalization;
using System.Text;
using OrleansCache.Grains.Interfaces.Routing;

namespace OrleansCache.Silo.Resp;

/// <summary>
/// Redis Cluster discovery: <c>CLUSTER SLOTS</c>, <c>SHARDS</c>, <c>NODES</c>, <c>INFO</c>, <c>KEYSLOT</c>, <c>MYID</c> and
/// <c>HELP</c>, answered from this node's current bucket map (<see cref="RespClusterTopology"/>), so that a cluster-aware
/// client sends each key to the node that is its bucket's primary. Any node still serves any key, so no node ever
/// answers <c>MOVED</c> or <c>ASK</c>: a client with an outdated map is served all the same, one hop further.
/// </summary>
/// <remarks>
/// Redis gives a node one role, master or replica; here every node is the primary of some ranges and holds replicas
/// of others. Every node is reported as a master of the ranges it is primary for, with no replicas (see
/// <see cref="RespClusterTopology"/> for why): <c>CLUSTER NODES</c> lists each with its ranges, <c>CLUSTER SLOTS</c>
/// each range with its primary, <c>CLUSTER SHARDS</c> each node as a shard of its ranges. <c>READONLY</c> and
/// <c>READWRITE</c> are accepted, for clients that send them: reads are served by the primary all the same.
/// </remarks>
internal sealed partial class RespSession
{
    private static PendingReply Cluster(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments)
    {
        string subcommand = Text(arguments[1]).ToUpperInvariant();
        var cluster = session._server.Cluster;
        switch (subcommand)
        {
            case "SLOTS" when arguments.Length == 2:
                return ClusterSlots(cluster);
            case "SHARDS" when arguments.Length == 2:
                return ClusterShards(cluster);
            case "NODES" when arguments.Length == 2:
                return PendingReply.Bulk(Encoding.UTF8.GetBytes(ClusterNodes(cluster)));
            case "INFO" when arguments.Length == 2:
                return PendingReply.Bulk(Encoding.UTF8.GetBytes(ClusterInfo(cluster.Current)));
            case "MYID" when arguments.Length == 2:
                return PendingReply.Bulk(Encoding.UTF8.GetBytes(cluster.Current.Nodes[cluster.Current.Self].Id));
            case "KEYSLOT" when arguments.Length == 3:
                // Of any bytes, as Redis: a key this cache would refuse still has a slot.
                return PendingReply.Integer(KeyHasher.GetSlot(arguments[2].IsSingleSegment ? arguments[2].FirstSpan : arguments[2].ToArray()));
            case "HELP" when arguments.Length == 2:
                return PendingReply.Array(ClusterHelp);
            case "SLOTS" or "SHARDS" or "NODES" or "INFO" or "MYID" or "KEYSLOT" or "HELP":
                return WrongArity($"cluster|{subcommand.ToLowerInvariant()}");
            default:
                return UnknownSubcommand("CLUSTER", arguments[1]);
        }
    }

    // READONLY and READWRITE: every read is served by the bucket's primary whichever node receives it.
    private static PendingReply ReadOnly(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments) => PendingReply.Ok;

    private static readonly object[] ClusterHelp =
    [
        "CLUSTER <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "INFO",
        "    Return information about the cluster.",
        "KEYSLOT <key>",
        "    Return the hash slot for <key>.",
        "MYID",
        "    Return the node id.",
        "NODES",
        "    Return cluster configuration seen by node. Output format:",
        "    <id> <ip:port@bus-port> <flags> <master> <pings> <pongs> <epoch> <link> <slot> ...",
        "SHARDS",
        "    Return information about slot range mappings and the nodes associated with them.",
        "SLOTS",
        "    Return information about slots range mappings. Each range is made of:",
        "    start, end, master and replicas IP addresses, ports and ids",
        "HELP",
        "    Print this help.",
    ];

    // [[first, last, [ip, port, id, []]] ...], as Redis 7.0 answers it for ranges without replicas.
    private static PendingReply ClusterSlots(RespClusterTopology cluster)
    {
        var topology = cluster.Current;
        var ranges = new object[topology.Ranges.Count];
        for (int i = 0; i < ranges.Length; i++)
        {
            var range = topology.Ranges[i];
            var node = topology.Nodes[range.Primary];
            ranges[i] = new object[] { (long)range.First, (long)range.Last, new object[] { node.Ip, (long)cluster.Port, node.Id, Array.Empty<object>() } };
        }

        return PendingReply.Array(ranges);
    }

    // One shard per node that is a primary: its slots as [first, last, first, last, ...] and itself, its master.
    private static PendingReply ClusterShards(RespClusterTopology cluster)
    {
        var topology = cluster.Current;
        var slots = new List<object>?[topology.Nodes.Count];
        int shards = 0;
        foreach (var range in topology.Ranges)
        {
            var own = slots[range.Primary] ??= [];
            shards += own.Count == 0 ? 1 : 0;
            own.Add((long)range.First);
            own.Add((long)range.Last);
        }

        var reply = new object[shards];
        int next = 0;
        for (int i = 0; i < slots.Length; i++)
        {
            if (slots[i] is not { } own)
            {
                continue;
            }

            var node = topology.Nodes[i];
            object[] master =
            [
                "id", node.Id,
                "port", (long)cluster.Port,
                "ip", node.Ip,
                "endpoint", node.Ip,
                "role", "master",
                "replication-offset", 0L,
                "health", "online",
            ];
            reply[next++] = new object[] { "slots", own.ToArray(), "nodes", new object[] { master } };
        }

        return PendingReply.Array(reply);
    }

    // One line per node, "\n"-terminated, as Redis documents CLUSTER NODES:
    // <id> <ip:port@cport> <flags> <master> <ping-sent> <pong-recv> <config-epoch> <link-state> <slot> ...
    private static string ClusterNodes(RespClusterTopology cluster)
    {
        var topology = cluster.Current;
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var text = new StringBuilder();
        for (int node = 0; node < topology.Nodes.Count; node++)
        {
            var entry = topology.Nodes[node];
            bool self = node == topology.Self;
            text.Append(CultureInfo.InvariantCulture, $"{entry.Id} {entry.Ip}:{cluster.Port}@{cluster.BusPort} ")
                .Append(self ? "myself,master" : "master")
                .Append(CultureInfo.InvariantCulture, $" - 0 {(self ? 0 : now)} {topology.Epoch} connected");
            foreach (var range in topology.Ranges)
            {
                if (range.Primary != node)
                {
                    continue;
                }

                text.Append(' ').Append(range.First);
                if (range.Last != range.First)
                {
                    text.Append('-').Append(range.Last);
                }
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    private static string ClusterInfo(SlotTopology topology)
    {
        int masters = 0;
        for (int node = 0; node < topology.Nodes.Count; node++)
        {
            foreach (var range in topology.Ranges)
            {
                if (range.Primary == node)
                {
                    masters++;
                    break;
                }
            }
        }

        int assigned = topology.AssignedSlots;
        return new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"cluster_state:{(assigned == KeyHasher.Slots ? "ok" : "fail")}\r\n")
            .Append(CultureInfo.InvariantCulture, $"cluster_slots_assigned:{assigned}\r\n")
            .Append(CultureInfo.InvariantCulture, $"cluster_slots_ok:{assigned}\r\n")
            .Append("cluster_slots_pfail:0\r\ncluster_slots_fail:0\r\n")
            .Append(CultureInfo.InvariantCulture, $"cluster_known_nodes:{topology.Nodes.Count}\r\n")
            .Append(CultureInfo.InvariantCulture, $"cluster_size:{masters}\r\n")
            .Append(CultureInfo.InvariantCulture, $"cluster_current_epoch:{topology.Epoch}\r\n")
            .Append(CultureInfo.InvariantCulture, $"cluster_my_epoch:{topology.Epoch}\r\n")
            .Append("cluster_stats_messages_sent:0\r\ncluster_stats_messages_received:0\r\n")
            .Append("total_cluster_links_buffer_limit_exceeded:0\r\n")
            .ToString();
    }
}
