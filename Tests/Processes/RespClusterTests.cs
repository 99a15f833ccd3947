using OrleansCache.Tests.Infrastructure;
using StackExchange.Redis;

namespace OrleansCache.Tests.Processes;

/// <summary>
/// The Redis protocol on a real 3-node cluster: any node's RESP port serves any key, whichever node owns
/// it, and sees what the other nodes' RESP and HTTP front doors wrote.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class RespClusterTests
{
    private static readonly TimeSpan Formation = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AnyNodesRespPort_ServesEveryKey_WrittenThroughAnyNodeAndAnyDoor()
    {
        await using var cluster = await StartThreeNodesAsync();

        var connections = new List<ConnectionMultiplexer>();
        try
        {
            foreach (var node in cluster.Nodes)
            {
                var options = ConfigurationOptions.Parse(node.RespEndpoint);
                options.ConnectTimeout = options.SyncTimeout = options.AsyncTimeout = (int)Timeout.TotalMilliseconds;

                // Without CLUSTER, the client takes the node for a standalone server and sends it every command,
                // whichever node is the key's primary (and an MGET of keys in different slots, which it refuses
                // to send in cluster mode).
                options.CommandMap = CommandMap.Create(["CLUSTER"], available: false);
                connections.Add(await ConnectionMultiplexer.ConnectAsync(options).WaitAsync(Timeout));
            }

            // 30 keys spread over the three nodes' buckets: each written over RESP on one node, then read
            // over RESP on the next and over HTTP on the one after.
            for (int i = 0; i < 30; i++)
            {
                string key = $"cluster key {i}";
                Assert.True(await connections[i % 3].GetDatabase().StringSetAsync(key, $"value {i}").WaitAsync(Timeout));
                Assert.Equal($"value {i}", (string?)await connections[(i + 1) % 3].GetDatabase().StringGetAsync(key).WaitAsync(Timeout));
                Assert.Equal($"value {i}", await cluster.Nodes[(i + 2) % 3].GetAsync(key).WaitAsync(Timeout));
            }

            await cluster.Nodes[0].SetAsync("cluster from http", "written over HTTP on node 0");
            var values = await connections[2].GetDatabase().StringGetAsync(["cluster from http", "cluster key 7"]).WaitAsync(Timeout);
            Assert.Equal(["written over HTTP on node 0", "value 7"], values.Select(v => (string?)v));
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Hashes_SurviveAKilledNode_AsAnyValueDoes()
    {
        await using var cluster = await StartThreeNodesAsync();

        var options = ConfigurationOptions.Parse(cluster.Nodes[0].RespEndpoint);
        options.ConnectTimeout = options.SyncTimeout = options.AsyncTimeout = (int)Timeout.TotalMilliseconds;
        await using var redis = await ConnectionMultiplexer.ConnectAsync(options).WaitAsync(Timeout);
        var db = redis.GetDatabase();

        // 30 hashes over the three nodes' buckets, about a third of them with their primary on the node killed.
        for (int i = 0; i < 30; i++)
        {
            await db.HashSetAsync($"cluster hash {i}", [new("n", i), new("name", $"hash {i}")]).WaitAsync(Timeout);
        }

        cluster.Nodes[2].Kill();

        for (int i = 0; i < 30; i++)
        {
            string key = $"cluster hash {i}";
            HashEntry[] fields = [];
            await Poll.UntilAsync(
                async () =>
                {
                    try
                    {
                        fields = await db.HashGetAllAsync(key);
                        return true;
                    }
                    catch (RedisServerException)
                    {
                        // The cluster is still failing over the dead node's buckets: retried, as a client would.
                        return false;
                    }
                },
                Formation,
                $"'{key}' to be served after node 2 was killed");

            var byName = fields.ToDictionary(f => (string)f.Name!, f => (string?)f.Value);
            Assert.Equal(new Dictionary<string, string?> { ["n"] = $"{i}", ["name"] = $"hash {i}" }, byName);
        }
    }

    [Fact]
    public async Task Scan_ReturnsEveryKeyOnce_WhileANodeJoinsAndBucketsMove()
    {
        await using var cluster = new LocalCluster();
        var first = await cluster.StartAsync("0");
        await first.WaitUntilReadyAsync(Formation);
        var second = await cluster.StartAsync("1", linked: first);
        await cluster.WaitForMembersAsync(["0", "1"], Formation);

        await using var redis = await RespSocket.ConnectAsync(first);
        var expected = Enumerable.Range(0, 400).Select(i => $"moving scan {i}").ToList();
        foreach (string key in expected)
        {
            Assert.Equal("+OK", await redis.AskAsync("SET", key, "v"));
        }

        // Part of the scan before the join, the rest once buckets have begun to move to the new node.
        var seen = new List<string>();
        string cursor = "0";
        for (int i = 0; i < 5; i++)
        {
            cursor = await ScanStepAsync(redis, cursor, seen);
        }

        Assert.NotEqual("0", cursor);
        await cluster.StartAsync("2", linked: second);
        await Poll.UntilAsync(async () => await KeysOnAsync(first, "2") > 0, Formation, "buckets to start moving to the joined node");

        // The rest of the scan runs once buckets have begun to move to the new node: buckets the cursor has not
        // reached yet are read from their new owner (or while they move; how far the move has got is up to the
        // machine's speed, so no step of it is counted on). The cursor, a bucket number, means the same there.
        while (cursor != "0")
        {
            cursor = await ScanStepAsync(redis, cursor, seen);
        }

        Assert.Equal(expected.Order(), seen.Order());
    }

    private static async Task<string> ScanStepAsync(RespSocket redis, string cursor, List<string> seen)
    {
        var reply = (await redis.AskAsync("SCAN", cursor, "MATCH", "moving scan *", "COUNT", "20")).Split('|');
        seen.AddRange(reply.Skip(1).Where(k => k.Length > 0));
        return reply[0];
    }

    // The keys whose primary copy the node holds now, as GET /stats counts them: they grow as buckets arrive there.
    private static async Task<long> KeysOnAsync(NodeProcess node, string nodeId)
    {
        using var stats = System.Text.Json.JsonDocument.Parse(await node.Http.GetStringAsync("/stats"));
        foreach (var member in stats.RootElement.GetProperty("nodes").EnumerateArray())
        {
            if (member.GetProperty("nodeId").GetString() == nodeId)
            {
                return member.GetProperty("keys").GetInt64();
            }
        }

        return 0;
    }

    // Nodes 1 and 2 linked to node 0 once it is up, as an operator starts them.
    private static async Task<LocalCluster> StartThreeNodesAsync()
    {
        var cluster = new LocalCluster();
        try
        {
            var first = await cluster.StartAsync("0");
            await first.WaitUntilReadyAsync(Formation);
            await cluster.StartAsync("1", linked: first);
            await cluster.StartAsync("2", linked: first);
            await cluster.WaitForMembersAsync(["0", "1", "2"], Formation);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }
}
