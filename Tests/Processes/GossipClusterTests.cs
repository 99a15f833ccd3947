using OrleansCache.Tests.Infrastructure;

namespace OrleansCache.Tests.Processes;

/// <summary>
/// The embedded gossip membership, with published nodes as separate processes configured only by
/// NODE_ID, NODE_IP and a linked node, read back through each node's <c>/cluster</c>.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class GossipClusterTests
{
    private static readonly TimeSpan Formation = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Detection = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public async Task RingLaunch_FormsOneClusterWithin30Seconds_WhenAllNodesStartAtOnce(int n)
    {
        await using var cluster = new LocalCluster();
        var ips = Enumerable.Range(0, n).Select(_ => LoopbackAddresses.Next()).ToArray();
        var environments = Enumerable.Range(0, n).Select(i => new Dictionary<string, string>
        {
            ["LINKED_NODE_ID"] = ((i + 1) % n).ToString(),
            ["LINKED_NODE_IP"] = ips[(i + 1) % n],
        }).ToArray();

        for (int i = 0; i < n; i++)
        {
            await cluster.StartAsync(i.ToString(), ip: ips[i], extra: environments[i]);
        }

        await cluster.WaitForMembersAsync(Ids(n), Formation);
        await AssertServesAsync(cluster.Nodes[0], cluster.Nodes[^1], "ring-key");
    }

    [Fact]
    public async Task NodesStartedOneAtATime_FormOneCluster_InAnyOrderLinkedToAnyEarlierNode()
    {
        await using var cluster = new LocalCluster();
        var first = await cluster.StartAsync("2");
        await first.WaitUntilReadyAsync(Formation);
        var second = await cluster.StartAsync("0", linked: first);
        await cluster.WaitForMembersAsync(["0", "2"], Formation);
        await cluster.StartAsync("3", linked: second);
        await cluster.WaitForMembersAsync(["0", "2", "3"], Formation);
        await cluster.StartAsync("1", linked: first);

        await cluster.WaitForMembersAsync(["0", "1", "2", "3"], Formation);
        await AssertServesAsync(cluster["1"], cluster["3"], "sequential-key");
    }

    [Fact]
    public async Task KillingTheTableHostThatAllLinkTo_LeavesAClusterThatDeclaresItDead_AndAdmitsNewNodes()
    {
        await using var cluster = new LocalCluster();
        var hub = await cluster.StartAsync("0");
        await hub.WaitUntilReadyAsync(Formation);
        foreach (var id in new[] { "1", "2", "3" })
        {
            await cluster.StartAsync(id, linked: hub);
        }

        await cluster.WaitForMembersAsync(["0", "1", "2", "3"], Formation);
        var keys = Enumerable.Range(0, 20).Select(i => $"survivor-{i}").ToList();
        foreach (var key in keys)
        {
            await cluster["1"].SetAsync(key, key);
        }

        // Node 0 is everyone's linked node, the lowest NODE_ID and the membership table's host.
        hub.Kill();
        await cluster.WaitForMembersAsync(["1", "2", "3"], Detection, dead: ["0"]);

        foreach (var key in keys)
        {
            Assert.Equal(key, await cluster["2"].GetAsync(key));
        }

        await cluster.StartAsync("4", linked: cluster["3"]);
        await cluster.WaitForMembersAsync(["1", "2", "3", "4"], Formation, dead: ["0"]);

        // And again for a node that does not host the table.
        cluster["2"].Kill();
        await cluster.WaitForMembersAsync(["1", "3", "4"], Detection, dead: ["0", "2"]);
        await AssertServesAsync(cluster["4"], cluster["1"], "after-two-kills");
    }

    [Fact]
    public async Task ANodeRestartedWithTheSameIdAndAddress_Rejoins()
    {
        await using var cluster = new LocalCluster();
        var first = await cluster.StartAsync("0");
        await first.WaitUntilReadyAsync(Formation);
        var second = await cluster.StartAsync("1", linked: first);
        await cluster.StartAsync("2", linked: second);
        await cluster.WaitForMembersAsync(["0", "1", "2"], Formation);

        second.Kill();
        await cluster.WaitForMembersAsync(["0", "2"], Detection, dead: ["1"]);
        await cluster.StartAsync("1", linked: cluster["2"], ip: second.Ip);

        await cluster.WaitForMembersAsync(["0", "1", "2"], Formation);
        await AssertServesAsync(cluster["1"], cluster["0"], "rejoined-key");
    }

    [Fact]
    public async Task ASecondNodeClaimingALiveNodeId_IsKeptOut_WithAnErrorNamingNodeId()
    {
        await using var cluster = new LocalCluster();
        var first = await cluster.StartAsync("0");
        await first.WaitUntilReadyAsync(Formation);
        await cluster.StartAsync("1", linked: first);
        await cluster.WaitForMembersAsync(["0", "1"], Formation);

        var impostor = await cluster.StartAsync("1", linked: first);
        int exitCode = await impostor.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("NODE_ID '1'", impostor.Output);
        var members = await LocalCluster.ReadMembersAsync(first);
        Assert.Equal(["0", "1"], members.Where(m => m.Value == "Active").Select(m => m.Key).Order());
    }

    [Fact]
    public async Task ANodeWithOtherBuckets_IsKeptOut_WithAnErrorNamingBuckets()
    {
        await using var cluster = new LocalCluster();
        var first = await cluster.StartAsync("0");
        await first.WaitUntilReadyAsync(Formation);

        var misfit = await cluster.StartAsync("1", linked: first, extra: new Dictionary<string, string> { ["BUCKETS"] = "512" });
        int exitCode = await misfit.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("BUCKETS", misfit.Output);
        Assert.Equal(["0"], (await LocalCluster.ReadMembersAsync(first)).Where(m => m.Value == "Active").Select(m => m.Key));
    }

    [Fact]
    public async Task ANodeWithAnotherClusterSecret_IsKeptOut_WithAnErrorNamingClusterSecret_OnBothSides()
    {
        await using var cluster = new LocalCluster();
        var secret = new Dictionary<string, string> { ["CLUSTER_SECRET"] = "the-secret-of-this-cluster" };
        var first = await cluster.StartAsync("0", extra: secret);
        await first.WaitUntilReadyAsync(Formation);
        await cluster.StartAsync("1", linked: first, extra: secret);
        await cluster.WaitForMembersAsync(["0", "1"], Formation);

        var outsider = await cluster.StartAsync("2", linked: first, extra: new Dictionary<string, string> { ["CLUSTER_SECRET"] = "the-secret-of-another-one" });
        int exitCode = await outsider.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("CLUSTER_SECRET", outsider.Output);
        Assert.Contains($"Refused membership traffic from {outsider.Ip}", first.Output);
        Assert.Equal(["0", "1"], (await LocalCluster.ReadMembersAsync(first)).Where(m => m.Value == "Active").Select(m => m.Key).Order());
    }

    private static IEnumerable<string> Ids(int n) => Enumerable.Range(0, n).Select(i => i.ToString());

    private static async Task AssertServesAsync(NodeProcess writer, NodeProcess reader, string key)
    {
        await writer.SetAsync(key, $"value of {key}");
        Assert.Equal($"value of {key}", await reader.GetAsync(key));
    }


}
