using System.Diagnostics;
using System.Text.Json;
using OrleansCache.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansCache.Tests.Processes;

/// <summary>
/// Two clusters formed apart (each founded by a node without a link) that meet when a node of one is
/// restarted with a link into the other: the smaller yields, its node restarts its silo in-process and
/// joins, and its entries are merged into the larger by <c>MERGE_POLICY</c>.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class ClusterMergeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Formation = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Merge = TimeSpan.FromSeconds(90);
    private const int KeysPerKind = 8;

    [Theory]
    [InlineData("put-if-absent")]
    [InlineData("latest-update")]
    public async Task TwoClustersThatMeet_BecomeOneReadingEveryKeyAlike_WithTheSmallerOnesEntriesMergedByPolicy(string policy)
    {
        await using var cluster = new LocalCluster(new Dictionary<string, string> { ["MERGE_POLICY"] = policy });

        // The older cluster: node 0 founds it (no link), node 1 joins.
        var founderA = await cluster.StartAsync("0");
        await founderA.WaitUntilReadyAsync(Formation);
        var mateA = await cluster.StartAsync("1", linked: founderA);
        await cluster.WaitForMembersAsync(["0", "1"], Formation, on: [founderA, mateA]);

        // The younger cluster, apart: node 2 founds it, node 3 joins.
        var founderB = await cluster.StartAsync("2");
        await founderB.WaitUntilReadyAsync(Formation);
        var mateB = await cluster.StartAsync("3", linked: founderB);
        await cluster.WaitForMembersAsync(["2", "3"], Formation, on: [founderB, mateB]);

        // Keys on one side only, and keys written on both sides: once B then A (A's is the later write), once
        // A then B (B's is the later write).
        var expected = new Dictionary<string, string>();
        var bothSides = new List<(string Key, string A, string B, bool BLater)>();
        for (int i = 0; i < KeysPerKind; i++)
        {
            await Set(founderA, $"merge/a-only/{i}", $"A {i}");
            await Set(founderB, $"merge/b-only/{i}", $"B {i}");

            await mateB.SetAsync($"merge/a-later/{i}", $"B {i}");
            await mateA.SetAsync($"merge/a-later/{i}", $"A {i}");
            bothSides.Add(($"merge/a-later/{i}", $"A {i}", $"B {i}", false));

            await mateA.SetAsync($"merge/b-later/{i}", $"A {i}");
            await mateB.SetAsync($"merge/b-later/{i}", $"B {i}");
            bothSides.Add(($"merge/b-later/{i}", $"A {i}", $"B {i}", true));
        }

        // Where both wrote, the policy decides: put-if-absent keeps the larger cluster's (A's) value,
        // latest-update the later write.
        foreach (var (key, a, b, bLater) in bothSides)
        {
            expected[key] = policy == "latest-update" && bLater ? b : a;
        }

        // Node 3 stops (handing its buckets to node 2) and comes back linked to node 0: it joins the older
        // cluster, which now has three nodes to the younger one's one, so the younger yields.
        mateB.Terminate();
        Assert.Equal(0, await mateB.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var clock = Stopwatch.StartNew();
        await cluster.StartAsync("3", linked: founderA, ip: mateB.Ip);

        // While the two see each other, /cluster says so.
        var split = await WaitForSplitAsync(founderA, founderB);
        output.WriteLine($"split seen on node 0 {clock.Elapsed.TotalSeconds:F1} s after node 3 restarted: {split}");

        await cluster.WaitForMembersAsync(["0", "1", "2", "3"], Merge);
        output.WriteLine($"one cluster of 4 {clock.Elapsed.TotalSeconds:F1} s after node 3 restarted");
        Assert.DoesNotContain("\"split\"", await founderA.Http.GetStringAsync("/cluster"));
        Assert.Contains("Restarting this node's silo in-process", founderB.Output);

        string difference = "nothing read yet";
        await Poll.UntilAsync(
            async () =>
            {
                foreach (var node in cluster.Nodes.Where(n => !n.HasExited))
                {
                    foreach (var (key, value) in expected)
                    {
                        var actual = await node.GetAsync(key);
                        if (actual != value)
                        {
                            difference = $"node {node.NodeId} reads '{key}' as '{actual ?? "null"}', expected '{value}'";
                            return false;
                        }
                    }
                }

                return true;
            },
            Merge,
            () => $"every key to read as merged by {policy} through every node; last: {difference}");
        output.WriteLine($"every key reads alike through every node {clock.Elapsed.TotalSeconds:F1} s after node 3 restarted");

        async Task Set(NodeProcess node, string key, string value)
        {
            await node.SetAsync(key, value);
            expected[key] = value;
        }
    }

    // Polls the older cluster's founder until its /cluster lists the younger cluster's founder under "split".
    private static async Task<string> WaitForSplitAsync(NodeProcess observer, NodeProcess outside)
    {
        string seen = "nothing";
        await Poll.UntilAsync(
            async () =>
            {
                using var view = JsonDocument.Parse(await observer.Http.GetStringAsync("/cluster"));
                if (!view.RootElement.TryGetProperty("split", out var split))
                {
                    return false;
                }

                seen = split.GetRawText();
                return split.EnumerateArray().Any(node => node.GetProperty("id").GetString() == outside.NodeId);
            },
            Merge,
            () => $"node {observer.NodeId} to list node {outside.NodeId} under \"split\"; last seen: {seen}");
        return seen;
    }
}
