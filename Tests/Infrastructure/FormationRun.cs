using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace OrleansCache.Tests.Infrastructure;

/// <summary>
/// One way of starting a cluster, checked as a user would check it: N published nodes on consecutive
/// loopback addresses, linked and started in the order a <see cref="LinkGraph"/> says, a fixed interval
/// apart; then one cluster that every node agrees on, serving a key written through one node from every
/// node. Disposing kills every node.
/// </summary>
public sealed class FormationRun : IAsyncDisposable
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(5);

    // The membership's own lines (which table host a node joined, elections) tell a split from a slow
    // start in a failure message; the rest stays at the harness's Warning.
    private static readonly Dictionary<string, string> Diagnostics = new() { ["Logging__LogLevel__OrleansCache.Membership"] = "Information" };

    private readonly NodeProcess[] _nodes;
    private readonly long _firstStart;

    private FormationRun(LinkGraph graph, TimeSpan interval, LocalCluster cluster, NodeProcess[] nodes, long firstStart)
    {
        Graph = graph;
        Interval = interval;
        Cluster = cluster;
        _nodes = nodes;
        _firstStart = firstStart;
    }

    /// <summary>How the nodes were linked and in which order they started.</summary>
    public LinkGraph Graph { get; }

    /// <summary>The time between two starts.</summary>
    public TimeSpan Interval { get; }

    /// <summary>The nodes' processes.</summary>
    public LocalCluster Cluster { get; }

    /// <summary>The nodes, indexed by <c>NODE_ID</c>.</summary>
    public IReadOnlyList<NodeProcess> Nodes => _nodes;

    /// <summary>The <c>NODE_ID</c>s, "0" … "N-1".</summary>
    public IReadOnlyList<string> Ids => _nodes.Select(n => n.NodeId).ToList();

    /// <summary>
    /// Starts the nodes of <paramref name="graph"/> in its start order, each <paramref name="interval"/>
    /// after the one before (zero: all at once, none waited for), node i as <paramref name="runAs"/>(i)
    /// when that gives a user. Returns once the last has been started.
    /// </summary>
    public static async Task<FormationRun> StartAsync(LinkGraph graph, TimeSpan interval, Func<int, UnixUser?>? runAs = null)
    {
        var ips = LoopbackAddresses.NextBlock(graph.Count);
        var cluster = new LocalCluster(Diagnostics);
        var nodes = new NodeProcess[graph.Count];
        long firstStart = Stopwatch.GetTimestamp();
        try
        {
            for (int k = 0; k < graph.Count; k++)
            {
                // Paced from the first start, so a slow process start does not stretch the next interval.
                var due = interval * k - Stopwatch.GetElapsedTime(firstStart);
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due);
                }

                int id = graph.StartOrder[k];
                var link = graph.Links[id] is { } to
                    ? new Dictionary<string, string> { ["LINKED_NODE_ID"] = to.ToString(), ["LINKED_NODE_IP"] = ips[to] }
                    : null;
                nodes[id] = await cluster.StartAsync(id.ToString(), ip: ips[id], extra: link, runAs: runAs?.Invoke(id));
            }
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return new FormationRun(graph, interval, cluster, nodes, firstStart);
    }

    /// <summary>
    /// Waits until every node answers <c>GET /cluster</c> listing exactly the N ids as <c>Active</c>, and
    /// returns the time from the first start. A node that does not answer for a while (its silo
    /// restarting) is waited for, not failed. At the deadline, fails with what each node sees, saying
    /// <paramref name="when"/> one cluster was expected.
    /// </summary>
    public async Task<TimeSpan> WaitForOneClusterAsync(TimeSpan timeout, string when = "once started")
    {
        var expected = string.Join(", ", Ids.Order(StringComparer.Ordinal));
        IReadOnlyList<NodeView> views = [];
        await Poll.UntilAsync(
            async () =>
            {
                views = await ReadViewsAsync();
                return views.All(v => v.ActiveIds == expected);
            },
            timeout,
            () => $"the {_nodes.Length} nodes to form one cluster {when} ({this}): {Explain(views)}");
        return Stopwatch.GetElapsedTime(_firstStart);
    }

    /// <summary>Asserts that every node lists the same active members, each with the same address.</summary>
    public async Task AssertOneMembershipAsync()
    {
        var views = await ReadViewsAsync();
        Assert.True(
            views.All(v => v.Error is null) && views.Select(v => v.ActiveMembers).Distinct().Count() == 1,
            $"The nodes do not report the same Orleans membership ({this}): {Explain(views)}");
    }

    /// <summary>
    /// Writes one key through <paramref name="writer"/> (<c>POST /set</c>), then reads it through every
    /// node (<c>GET /get/{key}</c>) until all return its value; each step retried until
    /// <paramref name="timeout"/>, since a cluster that has just formed may still be placing buckets.
    /// </summary>
    public async Task AssertEveryNodeServesAsync(NodeProcess writer, TimeSpan timeout)
    {
        string key = $"formation/{Guid.NewGuid():N}";
        string value = $"written through node {writer.NodeId}";
        await writer.SetEventuallyAsync(key, value, timeout);

        var reads = new string[_nodes.Length];
        await Poll.UntilAsync(
            async () =>
            {
                await Task.WhenAll(_nodes.Select(async (node, i) =>
                {
                    try
                    {
                        reads[i] = await node.GetAsync(key).WaitAsync(ReadTimeout) is { } read ? $"\"{read}\"" : "null";
                    }
                    catch (Exception e) when (e is HttpRequestException or TimeoutException or TaskCanceledException or JsonException)
                    {
                        reads[i] = $"no answer ({e.GetType().Name}: {e.Message})";
                    }
                }));
                return reads.All(r => r == $"\"{value}\"");
            },
            timeout,
            () => $"every node to read {key} = \"{value}\" after writing it through node {writer.NodeId}; they read: "
                + string.Join("; ", reads.Select((r, i) => $"node {i}: {r}")));
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Graph}, {Interval.TotalSeconds:0.#} s apart, on {_nodes[0].Ip}-{_nodes[^1].Ip.Split('.')[^1]}";

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Cluster.DisposeAsync();

    /// <summary>Reads every node's <c>/cluster</c> at once.</summary>
    private async Task<IReadOnlyList<NodeView>> ReadViewsAsync() => await Task.WhenAll(_nodes.Select(ReadViewAsync));

    private static async Task<NodeView> ReadViewAsync(NodeProcess node)
    {
        if (node.HasExited)
        {
            return new NodeView(node.NodeId, $"exited with {node.ExitCode}", "", "", "");
        }

        try
        {
            using var document = JsonDocument.Parse(await node.Http.GetStringAsync("/cluster").WaitAsync(ReadTimeout));
            var active = new List<(string Id, string Ip)>();
            var others = new List<string>();
            foreach (var member in document.RootElement.GetProperty("members").EnumerateArray())
            {
                string id = member.GetProperty("id").GetString()!;
                string ip = member.GetProperty("ip").GetString()!;
                string status = member.GetProperty("status").GetString()!;
                if (status == "Active")
                {
                    active.Add((id, ip));
                }
                else
                {
                    others.Add($"{id}@{ip} {status}");
                }
            }

            var sorted = active.OrderBy(m => m.Id, StringComparer.Ordinal).ThenBy(m => m.Ip, StringComparer.Ordinal).ToList();
            return new NodeView(
                node.NodeId,
                null,
                string.Join(", ", sorted.Select(m => m.Id)),
                string.Join(", ", sorted.Select(m => $"{m.Id}@{m.Ip}")),
                string.Join(", ", others));
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutException or TaskCanceledException or JsonException or KeyNotFoundException)
        {
            return new NodeView(node.NodeId, $"no answer ({e.GetType().Name}: {e.Message})", "", "", "");
        }
    }

    // Which clusters the nodes see, what each node sees, and each node's last lines.
    private string Explain(IReadOnlyList<NodeView> views)
    {
        if (views.Count == 0)
        {
            return "no node read yet";
        }

        var text = new StringBuilder();
        var clusters = views.Where(v => v.Error is null).GroupBy(v => v.ActiveIds).ToList();
        text.Append($"{clusters.Count} distinct view(s) of the active members");
        foreach (var cluster in clusters)
        {
            text.Append($"\n  [{cluster.Key}] seen by {string.Join(", ", cluster.Select(v => v.NodeId))}");
        }

        foreach (var view in views)
        {
            text.Append($"\nnode {view.NodeId}: ")
                .Append(view.Error ?? $"active {view.ActiveMembers}; other rows: {(view.OtherRows.Length == 0 ? "none" : view.OtherRows)}");
        }

        foreach (var node in _nodes)
        {
            text.Append('\n').Append(node.LastLines(12));
        }

        return text.ToString();
    }

    /// <param name="NodeId">The node that answered.</param>
    /// <param name="Error">Why it gave no view, or <see langword="null"/>.</param>
    /// <param name="ActiveIds">The ids of its active members, ascending.</param>
    /// <param name="ActiveMembers">Its active members as <c>id@ip</c>, ascending.</param>
    /// <param name="OtherRows">Its members in any other status.</param>
    private sealed record NodeView(string NodeId, string? Error, string ActiveIds, string ActiveMembers, string OtherRows);
}
