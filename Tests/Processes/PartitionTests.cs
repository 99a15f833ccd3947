using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansCache.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansCache.Tests.Processes;

/// <summary>
/// A network partition and its healing, as an operator would live through it: eight nodes formed the
/// original way, cut in two halves that each go on taking writes, then healed. The halves' nodes run as
/// two Unix users so that iptables can cut them apart on loopback (<see cref="Partition"/>).
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class PartitionTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Formation = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan Detection = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Cut = TimeSpan.FromSeconds(25);
    private static readonly TimeSpan Merge = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Write = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Agreement = TimeSpan.FromSeconds(30);
    private const int KeysPerKind = 12;

    [PartitionFact]
    public async Task HalvesCutApartFor25Seconds_MergeIntoOneClusterReadingEveryKeyAlikeOnEveryNode_WhenHealed()
    {
        Partition.RequirePrerequisites();
        var userA = await UnixUser.EnsureAsync("orleans-cache-a");
        var userB = await UnixUser.EnsureAsync("orleans-cache-b");
        await using var run = await FormationRun.StartAsync(LinkGraph.Ring(8), TimeSpan.FromSeconds(1), id => id < 4 ? userA : userB);
        var sideA = run.Nodes.Take(4).ToList();
        var sideB = run.Nodes.Skip(4).ToList();
        var formed = await run.WaitForOneClusterAsync(Formation);
        await run.AssertOneMembershipAsync();
        output.WriteLine($"{run}: one cluster {formed.TotalSeconds:F1} s after the first start; nodes 0-3 run as {userA.Name}, 4-7 as {userB.Name}");

        var expected = new Dictionary<string, string>();
        var bothSides = new List<(string Key, string A, string B)>();
        async Task WriteAsync(NodeProcess node, string key, string value)
        {
            await node.SetEventuallyAsync(key, value, Write);
            expected[key] = value;
        }

        for (int i = 0; i < KeysPerKind; i++)
        {
            await WriteAsync(run.Nodes[i % 8], $"before-cut/{i}", $"written before the cut through node {i % 8}");
        }

        var clock = Stopwatch.StartNew();
        await using var partition = await Partition.CutAsync(userA, sideA.Select(n => n.Ip).ToList(), userB, sideB.Select(n => n.Ip).ToList());

        // The cut cuts: each half declares the other dead, and goes on.
        var idsA = sideA.Select(n => n.NodeId).ToList();
        var idsB = sideB.Select(n => n.NodeId).ToList();
        await Task.WhenAll(
            run.Cluster.WaitForMembersAsync(idsA, Detection, dead: idsB, on: sideA),
            run.Cluster.WaitForMembersAsync(idsB, Detection, dead: idsA, on: sideB));
        output.WriteLine($"cut: each half declared the other dead {clock.Elapsed.TotalSeconds:F1} s after the cut");

        for (int i = 0; i < KeysPerKind; i++)
        {
            var a = sideA[i % 4];
            var b = sideB[i % 4];
            await WriteAsync(a, $"cut/a-only/{i}", $"written on side A through node {a.NodeId}");
            await WriteAsync(b, $"cut/b-only/{i}", $"written on side B through node {b.NodeId}");
            string key = $"cut/both/{i}";
            string valueA = $"written on side A through node {a.NodeId}";
            string valueB = $"written on side B through node {b.NodeId}";
            await a.SetEventuallyAsync(key, valueA, Write);
            await b.SetEventuallyAsync(key, valueB, Write);
            bothSides.Add((key, valueA, valueB));
        }

        output.WriteLine($"cut: {3 * KeysPerKind} keys written during the cut, done {clock.Elapsed.TotalSeconds:F1} s after it");
        if (Cut - clock.Elapsed is { } rest && rest > TimeSpan.Zero)
        {
            await Task.Delay(rest); // The partition's length is the scenario, not a wait for a condition.
        }

        await partition.HealAsync();
        output.WriteLine($"healed after a cut of {clock.Elapsed.TotalSeconds:F1} s");
        clock.Restart();

        // A node of the side that loses restarts its silo in its own process: its /cluster may not answer
        // for a few seconds, which the wait tolerates.
        await run.WaitForOneClusterAsync(Merge, "after the partition healed");
        await run.AssertOneMembershipAsync();
        output.WriteLine($"merged: every node lists the same 8 active members {clock.Elapsed.TotalSeconds:F1} s after the heal");

        var winners = await AssertEveryNodeReadsAlikeAsync(run.Nodes, expected, bothSides);
        output.WriteLine($"every key reads alike through every node {clock.Elapsed.TotalSeconds:F1} s after the heal");
        output.WriteLine($"keys written on both sides: side A's value won {winners.Count(w => w == 'A')}, side B's {winners.Count(w => w == 'B')}, of {bothSides.Count}");
    }

    /// <summary>
    /// Reads every key through every node (<c>POST /mget</c>) until each node returns each key's written
    /// value and, for a key written on both sides, one of its two values, the same on every node.
    /// Returns which side's value each key written on both sides kept.
    /// </summary>
    private static async Task<List<char>> AssertEveryNodeReadsAlikeAsync(
        IReadOnlyList<NodeProcess> nodes, IReadOnlyDictionary<string, string> expected, IReadOnlyList<(string Key, string A, string B)> bothSides)
    {
        var keys = expected.Keys.Concat(bothSides.Select(b => b.Key)).ToList();
        var wrong = new List<string>();
        var winners = new List<char>();
        await Poll.UntilAsync(
            async () =>
            {
                var reads = await Task.WhenAll(nodes.Select(node => ReadAllAsync(node, keys)));
                wrong.Clear();
                winners.Clear();
                foreach (var (key, value) in expected)
                {
                    var differing = Enumerable.Range(0, nodes.Count)
                        .Where(i => reads[i].GetValueOrDefault(key) != value)
                        .Select(i => $"node {nodes[i].NodeId}: {reads[i].GetValueOrDefault(key) ?? "null"}")
                        .ToList();
                    if (differing.Count > 0)
                    {
                        wrong.Add($"{key} should read \"{value}\", but {string.Join("; ", differing)}");
                    }
                }

                foreach (var (key, a, b) in bothSides)
                {
                    var seen = reads.Select(r => r.GetValueOrDefault(key)).Distinct().ToList();
                    if (seen.Count != 1 || (seen[0] != a && seen[0] != b))
                    {
                        wrong.Add($"{key} should read \"{a}\" or \"{b}\" alike on every node, but nodes read {string.Join("; ", reads.Select((r, i) => $"{nodes[i].NodeId}: {r.GetValueOrDefault(key) ?? "null"}"))}");
                    }
                    else
                    {
                        winners.Add(seen[0] == a ? 'A' : 'B');
                    }
                }

                return wrong.Count == 0;
            },
            Agreement,
            () => $"every node to read every key alike; {wrong.Count} of {keys.Count} keys do not:\n{string.Join('\n', wrong.Take(12))}");
        return winners;
    }

    private static async Task<Dictionary<string, string?>> ReadAllAsync(NodeProcess node, IReadOnlyList<string> keys)
    {
        using var response = await node.Http.PostAsJsonAsync("/mget", new { keys }).WaitAsync(TimeSpan.FromSeconds(10));
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("values").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
    }
}
