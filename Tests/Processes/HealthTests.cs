using System.Net;
using System.Text.Json;
using OrleansCache.Grains;
using OrleansCache.Grains.Interfaces.Routing;
using OrleansCache.Grains.Routing;
using OrleansCache.Tests.Infrastructure;

namespace OrleansCache.Tests.Processes;

/// <summary>
/// <c>/health/live</c> and <c>/health/ready</c> as a load balancer or a Kubernetes probe sees them.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class HealthTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Live_Answers200_WhileReady_Answers503NamingTheSilo_AsTheNodeWaitsForItsLink()
    {
        await using var node = await NodeProcess.StartAsync("waiting", LoopbackAddresses.Next(), new Dictionary<string, string>
        {
            ["LINKED_NODE_ID"] = "nobody",
            ["LINKED_NODE_IP"] = LoopbackAddresses.Next(), // no node is ever started there
        });

        var live = await PollHealthAsync(node, "/health/live", HttpStatusCode.OK);
        Assert.Equal("Healthy", live.Status);

        var ready = await PollHealthAsync(node, "/health/ready", HttpStatusCode.ServiceUnavailable);
        Assert.Equal("Unhealthy", ready.Status);
        Assert.Equal("Unhealthy", ready.Checks["silo"].Status);
        Assert.Contains("not Active", ready.Checks["silo"].Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ready_Answers200_OnlyOnceAJoiningNodeHoldsEveryKeyTheMapGivesIt()
    {
        await using var cluster = new LocalCluster();
        var first = await cluster.StartAsync("a");
        await first.WaitUntilReadyAsync(Timeout);
        Assert.Equal(HttpStatusCode.OK, (await PollHealthAsync(first, "/health/ready", HttpStatusCode.OK)).Code);

        var keys = Enumerable.Range(0, 400).Select(i => $"health-{i}").ToList();
        foreach (var key in keys)
        {
            await first.SetAsync(key, "v");
        }

        var joiner = await cluster.StartAsync("b", linked: first);
        var ready = await PollHealthAsync(joiner, "/health/ready", HttpStatusCode.OK);
        Assert.All(ready.Checks.Values, check => Assert.Equal("Healthy", check.Status));

        // Ready means what the map gives the new node is on it: read from its own counters, not a grain call
        // that could be served from elsewhere.
        var map = BucketMap.Build(["a", "b"], CacheOptions.DefaultBuckets, replicationFactor: 2);
        int expected = keys.Count(k => map.GetNode(KeyHasher.GetBucket(k, CacheOptions.DefaultBuckets), rank: 0) == "b");
        using var stats = JsonDocument.Parse(await joiner.Http.GetStringAsync("/stats"));
        var self = stats.RootElement.GetProperty("node");
        Assert.InRange(expected, 1, keys.Count - 1);
        Assert.Equal(expected, self.GetProperty("keys").GetInt64());
    }

    private static async Task<HealthView> PollHealthAsync(NodeProcess node, string path, HttpStatusCode wanted)
    {
        HealthView? last = null;
        await Poll.UntilAsync(
            async () =>
            {
                using var response = await node.Http.GetAsync(path);
                var body = await response.Content.ReadAsStringAsync();
                using var document = JsonDocument.Parse(body);
                var checks = document.RootElement.GetProperty("checks").EnumerateObject().ToDictionary(
                    c => c.Name,
                    c => new CheckView(c.Value.GetProperty("status").GetString()!, c.Value.GetProperty("description").GetString() ?? ""));
                last = new HealthView(response.StatusCode, document.RootElement.GetProperty("status").GetString()!, checks, body);
                return response.StatusCode == wanted;
            },
            Timeout,
            () => $"{path} of node {node.NodeId} to answer {(int)wanted}; last: {last?.Body ?? "nothing"}\n{node.LastLines(20)}");
        return last!;
    }

    private sealed record HealthView(HttpStatusCode Code, string Status, IReadOnlyDictionary<string, CheckView> Checks, string Body);

    private sealed record CheckView(string Status, string Description);
}
