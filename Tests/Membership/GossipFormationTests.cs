using System.Collections.Concurrent;
using OrleansCache.Membership;
using OrleansCache.Tests.Infrastructure;

namespace OrleansCache.Tests.Membership;

/// <summary>
/// How the embedded gossip membership forms one cluster and merges clusters that meet, with the gossip
/// layer of each node running alone (no silo): real HTTP servers on loopback addresses, started in the
/// orders and at the moments users start nodes. The real-process tests (FormationTests, PartitionTests)
/// cover the same with whole nodes.
/// </summary>
[Collection(Processes.ProcessCollection.Name)]
public sealed class GossipFormationTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly List<GossipTestNode> _nodes = [];
    private readonly string _clusterId = $"formation-{Guid.NewGuid():N}";

    [Fact]
    public async Task RingOfLinks_FormsOneCluster_WhenNodesStartOneAtATimeBeforeTheirLinksAreUp()
    {
        // Node i links to node i+1, the last to node 0; each starts after the one before has settled, so
        // every node but the last waits for a link that is not up yet (the start that split 5 nodes in two).
        var ips = LoopbackAddresses.NextBlock(5);
        for (int i = 0; i < ips.Count; i++)
        {
            await StartAsync(i.ToString(), ips[i], ips[(i + 1) % ips.Count]);
            await Task.Delay(TimeSpan.FromSeconds(1)); // Two settle periods apart, on purpose: the start order is the test.
        }

        await WaitForOneClusterAsync(_nodes);
    }

    [Fact]
    public async Task ANodeWhoseLinkNeverAnswered_FoundsNothing_AndJoinsWhenTheLinkComesUp()
    {
        var ips = LoopbackAddresses.NextBlock(2);
        var waiting = await StartAsync("1", ips[1], linkedIp: ips[0]);

        // Well past the settle time, it still has no cluster and has not joined.
        await Task.Delay(TimeSpan.FromSeconds(2)); // Asserting an absence: nothing to poll for.
        Assert.Null(waiting.Following);
        Assert.False(waiting.Membership.WaitUntilJoinedAsync(CancellationToken.None).IsCompleted);

        await StartAsync("0", ips[0], linkedIp: null);
        await WaitForOneClusterAsync(_nodes);
        await waiting.Membership.WaitUntilJoinedAsync(CancellationToken.None).WaitAsync(Deadline);
    }

    [Fact]
    public async Task TwoClustersThatMeet_TheYoungerYieldsToTheOlder_WhenTheyAreTheSameSize()
    {
        var ips = LoopbackAddresses.NextBlock(4);
        var yields = new YieldRecorder();
        var older = await StartAsync("a0", ips[0], null, yields);
        var olderMate = await StartAsync("a1", ips[1], ips[0], yields);
        await WaitForOneClusterAsync(_nodes);
        await JoinAsSilosAsync(older, olderMate);
        var olderClaim = older.Following!;

        var younger = await StartAsync("b0", ips[2], null, yields);
        var youngerMate = await StartAsync("b1", ips[3], ips[2], yields);
        await WaitForOneClusterAsync([younger, youngerMate]);
        await JoinAsSilosAsync(younger, youngerMate);

        // b1 restarts linked to a0 (a node restarted with another link): the two clusters meet through it.
        await youngerMate.DisposeAsync();
        _nodes.Remove(youngerMate);
        await StartAsync("b1", ips[3], ips[0], yields);

        await Poll.UntilAsync(() => Task.FromResult(yields.Yielded.ContainsKey("b0")), Deadline, "node b0 to yield");
        Assert.Equal(olderClaim, yields.Yielded["b0"].Follow);
        Assert.Contains("b0", yields.Frozen.Keys);
        Assert.DoesNotContain("a0", yields.Frozen.Keys);
        Assert.DoesNotContain("a1", yields.Frozen.Keys);
    }

    [Fact]
    public async Task TwoClustersThatMeet_TheSmallerYields_EvenWhenItIsTheOlder()
    {
        var ips = LoopbackAddresses.NextBlock(3);
        var yields = new YieldRecorder();
        var older = await StartAsync("a0", ips[0], null, yields);
        await WaitForOneClusterAsync([older]);
        var younger = await StartAsync("b0", ips[1], null, yields);
        var youngerMate = await StartAsync("b1", ips[2], ips[1], yields);
        await WaitForOneClusterAsync([younger, youngerMate]);

        // Size is counted in active silos of each host's table: the younger cluster has two, the older one.
        await JoinAsSilosAsync(older);
        await JoinAsSilosAsync(younger, youngerMate);

        // a0 learns of b1 (as if linked to it after a restart): the clusters meet.
        await older.Membership.WaitUntilJoinedAsync(CancellationToken.None);
        older.Membership.OnGossip(new GossipDigest(_clusterId, 1024, youngerMate.Membership.Directory.Self, youngerMate.Membership.Directory.All(), 0)
        {
            KeyPlacement = GossipDigest.SlotPlacement,
        });

        await Poll.UntilAsync(() => Task.FromResult(yields.Yielded.ContainsKey("a0")), Deadline, "node a0 to yield");
        Assert.Equal(younger.Following, yields.Yielded["a0"].Follow);
        Assert.DoesNotContain(yields.Frozen.Keys, id => id.StartsWith('b'));
    }

    [Fact]
    public async Task ANodeOfTheVersionBeforeSlots_IsRefused_WithAReasonNamingTheHash()
    {
        var ips = LoopbackAddresses.NextBlock(2);
        var yields = new YieldRecorder();
        var node = await StartAsync("0", ips[0], null, yields);
        var stranger = await StartAsync("1", ips[1], null, yields);
        await node.Membership.WaitUntilJoinedAsync(CancellationToken.None).WaitAsync(Deadline);

        // As an earlier version gossips: the same cluster and BUCKETS, no key placement.
        var earlier = new GossipDigest(_clusterId, 1024, stranger.Membership.Directory.Self, [], 0);

        var refused = Assert.Throws<GossipRejectedException>(() => node.Membership.OnGossip(earlier));
        Assert.Contains("XxHash64", refused.Message);
        Assert.DoesNotContain(node.Membership.Directory.All(), member => member.NodeId == "1");
    }

    [Fact]
    public async Task TheHost_AnswersABriefHeartbeatWithItsOwnRecord_AndAWholeDigestWithItsWholeView()
    {
        var ips = LoopbackAddresses.NextBlock(4);
        var host = await StartAsync("0", ips[0], null);
        await StartAsync("1", ips[1], ips[0]);
        await StartAsync("2", ips[2], ips[0]);
        await WaitForOneClusterAsync(_nodes);
        var newcomer = new NodeHeartbeat("3", ips[3], DateTime.UtcNow.Ticks, 1);

        var brief = host.Membership.OnGossip(new GossipDigest(_clusterId, 1024, newcomer, [], 0)
        {
            KeyPlacement = GossipDigest.SlotPlacement,
            Brief = true,
        });

        // What every node sends its host each round costs the host one record in and one out, not n.
        Assert.True(brief.Brief);
        Assert.Empty(brief.Members);
        Assert.Equal("0", brief.From.NodeId);
        Assert.Equal(host.Following, brief.From.Following);
        Assert.True(host.Membership.Directory.IsAlive("3"), "the host heard the sender of a brief heartbeat");

        // A node of an earlier version sends whole digests and still gets the whole view back.
        var whole = host.Membership.OnGossip(new GossipDigest(_clusterId, 1024, newcomer with { Heartbeat = 2 }, [newcomer], 0)
        {
            KeyPlacement = GossipDigest.SlotPlacement,
        });
        Assert.False(whole.Brief);
        Assert.Equal(["0", "1", "2", "3"], whole.Members.Select(m => m.NodeId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task StarOfLinks_EveryNodeLearnsEveryOther_ThoughTheHostRelaysNoViews()
    {
        // Every node links to the host, which no longer passes views on: each must learn of the others, and
        // keep hearing them, through its random peers alone.
        var ips = LoopbackAddresses.NextBlock(8);
        await StartAsync("0", ips[0], null);
        for (int i = 1; i < ips.Count; i++)
        {
            await StartAsync(i.ToString(), ips[i], ips[0]);
        }

        await WaitForOneClusterAsync(_nodes);
        await Poll.UntilAsync(
            () => Task.FromResult(_nodes.All(n => n.Membership.Directory.Alive().Count == _nodes.Count)),
            Deadline,
            () => "every node to see all alive: " + string.Join("; ", _nodes.Select(n => $"{n.NodeId} sees {n.Membership.Directory.Alive().Count}")));
    }

    [Fact]
    public async Task EveryMembersCopy_ReachesTheHostsLastVersion_AfterABurstOfChanges()
    {
        var ips = LoopbackAddresses.NextBlock(4);
        var host = await StartAsync("0", ips[0], null);
        for (int i = 1; i < ips.Count; i++)
        {
            await StartAsync(i.ToString(), ips[i], ips[0]);
        }

        await WaitForOneClusterAsync(_nodes);

        // Thirty silos join back to back, as when a whole cluster starts: pushes coalesce, none may be the last.
        var table = new GossipMembershipTable(host.Membership);
        for (int i = 0; i < 30; i++)
        {
            var version = (await table.ReadAll().WaitAsync(Deadline)).Version;
            var silo = SiloAddress.New(new System.Net.IPEndPoint(System.Net.IPAddress.Parse("10.9.0.1"), 20000 + i), 1);
            var entry = new MembershipEntry { SiloAddress = silo, Status = SiloStatus.Joining, SiloName = $"burst-{i}", HostName = "burst", StartTime = DateTime.UtcNow, IAmAliveTime = DateTime.UtcNow };
            Assert.True(await table.InsertRow(entry, version.Next()).WaitAsync(Deadline));
        }

        var last = host.Membership.GetCopy().Data.Version.Version;
        Assert.True(last >= 30, $"the host's table is at version {last} after 30 inserts");
        await Poll.UntilAsync(
            () => Task.FromResult(_nodes.All(n => n.Membership.GetCopy().Data.Version.Version == last && n.Membership.GetCopy().Data.Members.Count == 30)),
            Deadline,
            () => $"every copy at version {last}: " + string.Join("; ", _nodes.Select(n => $"{n.NodeId} at {n.Membership.GetCopy().Data.Version.Version}")));
    }

    [Fact]
    public async Task ANodeWhoseViewOfALowerMateIsStale_DoesNotTakeOver_WhileThatMateAnswers()
    {
        var ips = LoopbackAddresses.NextBlock(3);
        var host = await StartAsync("0", ips[0], null);
        var lower = await StartAsync("1", ips[1], ips[0]);
        var stale = await StartAsync("2", ips[2], ips[0]);
        await WaitForOneClusterAsync(_nodes);
        var first = host.Following!;

        await host.DisposeAsync();
        _nodes.Remove(host);

        // Node 2 keeps taking node 1 for silent, as a starved node's view can be: only asking node 1 shows it alive.
        bool staleHosted = false;
        var deadline = DateTime.UtcNow + Deadline;
        while (!(lower.Following is { } next && next != first && stale.Following == next) && DateTime.UtcNow < deadline)
        {
            stale.Membership.Directory.MarkUnreachable("1");
            staleHosted |= stale.Membership.IsHost;
            await Task.Delay(TimeSpan.FromMilliseconds(10));
        }

        Assert.Equal("1", lower.Following?.NodeId);
        Assert.Equal(lower.Following, stale.Following);
        Assert.False(staleHosted, "node 2 took over though node 1, below it, answered");
    }

    [Fact]
    public async Task AHostThatLeaves_IsReplacedWithoutAnyNodeYielding()
    {
        var ips = LoopbackAddresses.NextBlock(3);
        var yields = new YieldRecorder();
        var host = await StartAsync("0", ips[0], null, yields);
        await StartAsync("1", ips[1], ips[0], yields);
        await StartAsync("2", ips[2], ips[0], yields);
        await WaitForOneClusterAsync(_nodes);
        var first = host.Following!;

        await host.DisposeAsync();
        _nodes.Remove(host);

        await Poll.UntilAsync(
            () => Task.FromResult(_nodes.All(n => n.Following != first)),
            Deadline,
            () => "every node to follow a new host: " + string.Join("; ", _nodes.Select(n =>
                $"{n.NodeId} follows {n.Following?.ToString() ?? "nothing"}, sees alive [{string.Join(", ", n.Membership.Directory.Alive().Select(a => $"{a.NodeId}→{a.Following?.NodeId ?? "-"}"))}]")));
        await WaitForOneClusterAsync(_nodes);
        var next = _nodes[0].Following!;
        // A later term of the same cluster (on a loaded machine a second takeover may follow the first).
        Assert.True(next.SameLineage(first) && next.Term > first.Term, $"expected a later term of {first}, got {next}");
        Assert.Empty(yields.Frozen);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
    }

    private async Task<GossipTestNode> StartAsync(string id, string ip, string? linkedIp, IClusterYieldHandler? yields = null)
    {
        var node = await GossipTestNode.StartAsync(id, ip, linkedIp, _clusterId, yields is null ? null : new NodeYields(id, yields));
        _nodes.Add(node);
        return node;
    }

    private static async Task JoinAsSilosAsync(params GossipTestNode[] nodes)
    {
        foreach (var node in nodes)
        {
            await node.JoinAsSiloAsync().WaitAsync(Deadline);
        }
    }

    private static Task WaitForOneClusterAsync(IReadOnlyList<GossipTestNode> nodes) =>
        Poll.UntilAsync(
            () => Task.FromResult(nodes[0].Following is { } claim && nodes.All(n => n.Following == claim) && nodes.All(n => n.Membership.NodesOutside().Count == 0)),
            Deadline,
            () => "one cluster: " + string.Join("; ", nodes.Select(n => $"{n.NodeId} follows {n.Following?.ToString() ?? "nothing"}")));

    // The yield handler of each node: names which node called, for the recorder shared by all.
    private sealed class NodeYields(string nodeId, IClusterYieldHandler recorder) : IClusterYieldHandler
    {
        public void Freeze(string reason) => recorder.Freeze(nodeId);

        public Task YieldAsync(GossipSeed seed, string reason) => recorder.YieldAsync(seed, nodeId);
    }

    private sealed class YieldRecorder : IClusterYieldHandler
    {
        public ConcurrentDictionary<string, string> Frozen { get; } = new();

        public ConcurrentDictionary<string, GossipSeed> Yielded { get; } = new();

        public void Freeze(string reason) => Frozen[reason] = reason;

        public Task YieldAsync(GossipSeed seed, string reason)
        {
            Yielded[reason] = seed;
            return Task.CompletedTask;
        }
    }
}
