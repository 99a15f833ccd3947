using System.Globalization;
using System.Text.Json;
using OrleansCache.Grains.Routing;
using OrleansCache.Tests.Infrastructure;

namespace OrleansCache.Tests.Processes;

/// <summary>
/// The cache view beside the dashboard: <c>GET /cluster/buckets</c>, the map it draws, read over HTTP.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class CacheViewTests
{
    private static readonly TimeSpan Formation = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ClusterBuckets_NamesEveryCopyOfEveryBucket_AsTheBucketMapPlacesThem_OnEveryNode()
    {
        // Not the defaults, so a route that assumed 1024 buckets or one replica would show it.
        const int buckets = 512;
        const int copies = 3;
        await using var cluster = new LocalCluster(new Dictionary<string, string>
        {
            ["BUCKETS"] = buckets.ToString(CultureInfo.InvariantCulture),
            ["REPLICATION_FACTOR"] = copies.ToString(CultureInfo.InvariantCulture),
        });
        var first = await cluster.StartAsync("a");
        await first.WaitUntilReadyAsync(Formation);
        await cluster.StartAsync("c", linked: first);
        await cluster.StartAsync("b", linked: first);
        await cluster.WaitForMembersAsync(["a", "b", "c"], Formation);

        var expected = BucketMap.Build(["c", "a", "b"], buckets, copies);
        foreach (var node in cluster.Nodes)
        {
            // A node maps onto the nodes whose grain types it has learned, a moment after it sees them active.
            string body = "";
            await Poll.UntilAsync(
                async () =>
                {
                    body = await node.Http.GetStringAsync("/cluster/buckets");
                    return body.Contains("\"nodes\":[\"a\",\"b\",\"c\"]", StringComparison.Ordinal);
                },
                Formation,
                () => $"node {node.NodeId}'s map to cover a, b and c; last: {body[..Math.Min(body.Length, 200)]}");

            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            Assert.Equal(["buckets", "copies", "nodes", "primary", "replicas"], root.EnumerateObject().Select(p => p.Name));
            Assert.Equal(buckets, root.GetProperty("buckets").GetInt32());
            Assert.Equal(copies, root.GetProperty("copies").GetInt32());
            var nodes = root.GetProperty("nodes").EnumerateArray().Select(n => n.GetString()!).ToList();
            var primary = root.GetProperty("primary").EnumerateArray().Select(p => p.GetInt32()).ToList();
            var replicas = root.GetProperty("replicas").EnumerateArray()
                .Select(r => r.EnumerateArray().Select(i => i.GetInt32()).ToList()).ToList();
            Assert.Equal(buckets, primary.Count);
            Assert.Equal(buckets, replicas.Count);
            for (int bucket = 0; bucket < buckets; bucket++)
            {
                Assert.Equal(expected.GetNode(bucket, rank: 0), nodes[primary[bucket]]);
                Assert.Equal(
                    Enumerable.Range(1, copies - 1).Select(rank => expected.GetNode(bucket, rank)),
                    replicas[bucket].Select(i => nodes[i]));
            }
        }
    }
}
