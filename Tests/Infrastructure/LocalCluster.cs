using System.Text.Json;

namespace OrleansCache.Tests.Infrastructure;

/// <summary>
/// Several published nodes on their own loopback addresses, started and linked the way an operator
/// would: only <c>NODE_ID</c>, <c>NODE_IP</c> and a linked node. Disposing kills every node.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    private readonly List<NodeProcess> _nodes = [];
    private readonly Dictionary<string, string> _environment;

    /// <summary>Creates an empty cluster whose nodes all get <paramref name="environment"/> too.</summary>
    public LocalCluster(IReadOnlyDictionary<string, string>? environment = null)
    {
        _environment = new Dictionary<string, string>(environment ?? new Dictionary<string, string>());
    }

    /// <summary>Every node started, in start order, dead or alive.</summary>
    public IReadOnlyList<NodeProcess> Nodes => _nodes;

    /// <summary>Returns the running node with <paramref name="nodeId"/>.</summary>
    public NodeProcess this[string nodeId] => _nodes.Last(n => n.NodeId == nodeId && !n.HasExited);

    /// <summary>
    /// Starts a node (without waiting for it), linked to <paramref name="linked"/> if given, as
    /// <paramref name="runAs"/> if given (the runner must be root).
    /// </summary>
    public async Task<NodeProcess> StartAsync(
        string nodeId, NodeProcess? linked = null, string? ip = null, IReadOnlyDictionary<string, string>? extra = null, UnixUser? runAs = null)
    {
        var environment = new Dictionary<string, string>(_environment);
        if (linked is not null)
        {
            environment["LINKED_NODE_ID"] = linked.NodeId;
            environment["LINKED_NODE_IP"] = linked.Ip;
        }

        foreach (var (name, value) in extra ?? new Dictionary<string, string>())
        {
            environment[name] = value;
        }

        var node = await NodeProcess.StartAsync(nodeId, ip ?? LoopbackAddresses.Next(), environment, runAs);
        _nodes.Add(node);
        return node;
    }

    /// <summary>Reads <c>GET /cluster</c> of <paramref name="node"/>: member id to status.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> ReadMembersAsync(NodeProcess node)
    {
        using var document = JsonDocument.Parse(await node.Http.GetStringAsync("/cluster"));
        var members = new Dictionary<string, string>();
        foreach (var member in document.RootElement.GetProperty("members").EnumerateArray())
        {
            var id = member.GetProperty("id").GetString()!;
            var status = member.GetProperty("status").GetString()!;

            // A restarted node has a dead row of its earlier run too; the live one counts.
            if (!members.TryGetValue(id, out var known) || known != "Active")
            {
                members[id] = status;
            }
        }

        return members;
    }

    /// <summary>
    /// Waits until every running node (or each of <paramref name="on"/>, say one side of a partition) lists
    /// exactly <paramref name="active"/> as its active members (and each of <paramref name="dead"/> as dead).
    /// </summary>
    public async Task WaitForMembersAsync(
        IEnumerable<string> active, TimeSpan timeout, IEnumerable<string>? dead = null, IReadOnlyCollection<NodeProcess>? on = null)
    {
        var expected = active.Order().ToList();
        var expectedDead = (dead ?? []).ToList();
        string last = "nothing read yet";
        string who = on is null ? "every node" : $"nodes {string.Join(", ", on.Select(n => n.NodeId))}";
        await Poll.UntilAsync(
            async () =>
            {
                foreach (var node in on ?? _nodes.Where(n => !n.HasExited))
                {
                    var members = await ReadMembersAsync(node);
                    var live = members.Where(m => m.Value == "Active").Select(m => m.Key).Order().ToList();
                    last = $"node {node.NodeId} sees active [{string.Join(", ", live)}], all {JsonSerializer.Serialize(members)}";
                    if (!live.SequenceEqual(expected) || expectedDead.Any(d => members.GetValueOrDefault(d) != "Dead"))
                    {
                        return false;
                    }
                }

                return true;
            },
            timeout,
            () => $"{who} to see active [{string.Join(", ", expected)}] and dead [{string.Join(", ", expectedDead)}]; last: {last}{MissingNodesOutput(expected)}");
    }

    // What the expected nodes that are not active printed last, to tell a crash from a slow join.
    private string MissingNodesOutput(IReadOnlyList<string> expected) =>
        string.Concat(_nodes.Where(n => expected.Contains(n.NodeId)).Select(n => "\n" + n.LastLines(15)));

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
    }
}
