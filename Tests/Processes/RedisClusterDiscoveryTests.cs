using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OrleansCache.Grains.Interfaces.Routing;
using OrleansCache.Tests.Infrastructure;
using StackExchange.Redis;

namespace OrleansCache.Tests.Processes;

/// <summary>
/// Redis Cluster discovery on real nodes: cluster-aware Redis clients (StackExchange.Redis, <c>redis-cli -c</c>,
/// <c>redis-benchmark --cluster</c>) learn from any node which node is the primary of each slot and send each key
/// there; the map they are given follows membership; and a key's slot is the one Redis itself computes.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class RedisClusterDiscoveryTests
{
    private static readonly TimeSpan Formation = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    // The RESP GETs a node answered, from its /metrics.
    private const string RespGets = "orleans_cache_command_duration_seconds_count{otel_scope_name=\"OrleansCache\",command=\"get\",door=\"resp\",outcome=\"ok\"}";

    [Fact]
    public async Task StackExchangeRedis_SendsEveryKeyToItsPrimary_OnAThreeNodeCluster()
    {
        await using var cluster = await StartAgreedClusterAsync(3);
        await using var redis = await ConnectAsync(cluster.Nodes[0]);

        // Given one node, it found all three from CLUSTER NODES and took them for a Redis cluster.
        var servers = redis.GetServers();
        Assert.Equal(cluster.Nodes.Select(n => n.RespEndpoint).Order(), servers.Select(s => s.EndPoint.ToString()).Order());
        Assert.All(servers, server => Assert.Equal(ServerType.Cluster, server.ServerType));

        var primaries = await SlotPrimariesAsync(cluster.Nodes[0], cluster);

        // CLUSTER SHARDS says the same: every slot once, under the node that is its primary, and HELLO says cluster.
        var shardOf = new string?[KeyHasher.Slots];
        foreach (var shard in (RedisResult[])(await servers[0].ExecuteAsync("CLUSTER", "SHARDS").WaitAsync(Timeout))!)
        {
            var fields = (RedisResult[])shard!;
            var ranges = (RedisResult[])fields[1]!;
            var node = (RedisResult[])((RedisResult[])fields[3]!)[0]!;
            Assert.Equal("slots", (string?)fields[0]);
            Assert.Equal("nodes", (string?)fields[2]);
            for (int i = 0; i < ranges.Length; i += 2)
            {
                for (int slot = (int)ranges[i]; slot <= (int)ranges[i + 1]; slot++)
                {
                    Assert.Null(shardOf[slot]);
                    shardOf[slot] = $"{(string?)node[5]}:{(long)node[3]}";
                }
            }
        }

        Assert.Equal(primaries, shardOf.Select(endpoint => endpoint ?? "(none)"));
        var hello = (RedisResult[])(await servers[0].ExecuteAsync("HELLO", "2").WaitAsync(Timeout))!;
        Assert.Equal("cluster", (string?)hello[Array.FindIndex(hello, f => (string?)f == "mode") + 1]);

        var config = servers[0].ClusterConfiguration;
        Assert.NotNull(config);
        var keys = Enumerable.Range(0, 300).Select(i => $"se cluster key {i} ✓").ToList();
        var expectedGets = cluster.Nodes.ToDictionary(n => n.RespEndpoint, _ => 0);
        foreach (var key in keys)
        {
            // The client's slot is the cache's, and the node it sends the slot to is the slot's primary.
            int slot = redis.HashSlot(key);
            Assert.Equal(KeyHasher.GetSlot(key), slot);
            Assert.Equal(primaries[slot], config.GetBySlot(slot)?.EndPoint?.ToString());
            expectedGets[primaries[slot]]++;
        }

        var db = redis.GetDatabase();
        // Where the client would send each key (a command of its own that names the endpoint it picks).
        var mismatches = new List<string>();
        await Poll.UntilAsync(
            async () =>
            {
                mismatches.Clear();
                foreach (var key in keys)
                {
                    var at = await db.IdentifyEndpointAsync(key).WaitAsync(Timeout);
                    if (at?.ToString() != primaries[redis.HashSlot(key)])
                    {
                        mismatches.Add($"{key}: slot {redis.HashSlot(key)} sent to {at}, primary {primaries[redis.HashSlot(key)]}");
                    }
                }

                return mismatches.Count == 0;
            },
            Timeout,
            () => $"{mismatches.Count} mismatches: {string.Join("; ", mismatches.Take(5))} servers: {string.Join(", ", servers.Select(s => $"{s.EndPoint} connected {s.IsConnected} replica {s.IsReplica}"))}");
        var before = await GetsPerNodeAsync(cluster);
        Assert.All(await Task.WhenAll(keys.Select(k => db.StringSetAsync(k, $"value of {k}"))).WaitAsync(Timeout), Assert.True);
        var values = await Task.WhenAll(keys.Select(k => db.StringGetAsync(k))).WaitAsync(Timeout);
        Assert.Equal(keys.Select(k => $"value of {k}"), values.Select(v => (string?)v));

        // Each node answered the GETs of exactly the keys whose primary it is: every read went to its owner.
        var received = new Dictionary<string, int>();
        await Poll.UntilAsync(
            async () =>
            {
                var after = await GetsPerNodeAsync(cluster);
                foreach (var (endpoint, count) in after)
                {
                    received[endpoint] = (int)(count - before[endpoint]);
                }

                return received.OrderBy(p => p.Key).SequenceEqual(expectedGets.OrderBy(p => p.Key));
            },
            Timeout,
            () => $"RESP GETs per node {Show(received)} to be those of the keys each is primary for {Show(expectedGets)}");
        Assert.All(expectedGets.Values, count => Assert.InRange(count, 50, 150));
    }

    [CheckedFact]
    [Needs(Prerequisite.RedisCli)]
    public async Task RedisCliAndRedisBenchmark_InClusterMode_Work_AndClusterSlotsNamesTheNewOwners_WhenANodeJoins()
    {
        await RedisCli.EnsureAsync();
        await using var cluster = await StartAgreedClusterAsync(3);
        var first = cluster.Nodes[0];

        Assert.Equal("OK", await RedisCliAsync(first, "-c", "set", "{user1000}.following", "ada"));
        Assert.Equal("ada", await RedisCliAsync(first, "-c", "get", "{user1000}.following"));
        Assert.Equal("3443", await RedisCliAsync(first, "-c", "cluster", "keyslot", "{user1000}.followers"));
        Assert.Equal("ada", await RedisCliAsync(cluster.Nodes[2], "get", "{user1000}.following"));

        // redis-benchmark reads CLUSTER NODES, starts one thread per primary and sends each key (tagged for a slot
        // of that primary) to it; without --cluster, everything to the one node named.
        foreach (string[] mode in (string[][])[["--cluster"], []])
        {
            var bench = await CommandRun.RunAsync(
                "redis-benchmark", [.. mode, "-h", first.Ip, "-p", "6379", "-t", "set,get", "-n", "2000", "-r", "1000", "-c", "10", "-e", "-q"], TimeSpan.FromMinutes(2));
            string said = bench.Output + bench.Error;
            Assert.True(bench.ExitCode == 0, $"redis-benchmark {string.Join(' ', mode)} exited {bench.ExitCode}: {said}");
            Assert.Contains("SET: ", said, StringComparison.Ordinal);
            Assert.Contains("GET: ", said, StringComparison.Ordinal);
            // It asks CONFIG GET for save and appendonly, which a node does not serve; nothing else may fail.
            Assert.DoesNotContain(said.Split('\n'), line => (line.Contains("ERR", StringComparison.Ordinal) || line.Contains("MOVED", StringComparison.Ordinal))
                && !line.Contains("CONFIG", StringComparison.Ordinal));
            if (mode.Length > 0)
            {
                Assert.Contains("Cluster has 3 master nodes", said, StringComparison.Ordinal);
            }
        }

        // A fourth node joins: the map changes, and a client that asks again is told the new owners.
        var fourth = await cluster.StartAsync("3", linked: first);
        await cluster.WaitForMembersAsync(["0", "1", "2", "3"], Formation);
        await using var redis = await ConnectAsync(first);
        string described = "nothing read yet";
        await Poll.UntilAsync(
            async () =>
            {
                var primaries = await SlotPrimariesAsync(first, cluster);
                var slots = await ClusterSlotsAsync(redis.GetServer(first.RespEndpoint));
                described = $"{slots.Count} ranges, primaries {string.Join(", ", slots.Select(s => s.Primary).Distinct().Order())}";
                return slots.Select(s => s.Primary).Distinct().Count() == 4
                    && slots.Exists(s => s.Primary == fourth.RespEndpoint && s.PrimaryId == NodeId("3"))
                    && slots.TrueForAll(s => Enumerable.Range(s.First, s.Last - s.First + 1).All(slot => primaries[slot] == s.Primary))
                    && slots.Sum(s => s.Last - s.First + 1) == KeyHasher.Slots;
            },
            Formation,
            () => $"CLUSTER SLOTS to name node 3 among four primaries, as /cluster/buckets does; it says {described}");

        string nodes = await RedisCliAsync(first, "cluster", "nodes");
        Assert.Equal(4, nodes.Split('\n').Count(line => line.Contains("master - ", StringComparison.Ordinal)));
        Assert.Contains($"{NodeId("3")} {fourth.Ip}:6379@11111 master - ", nodes, StringComparison.Ordinal);
        Assert.Contains($"{NodeId("0")} {first.Ip}:6379@11111 myself,master - ", nodes, StringComparison.Ordinal);
        Assert.Contains("cluster_state:ok", await RedisCliAsync(first, "cluster", "info"), StringComparison.Ordinal);
        Assert.Contains("cluster_known_nodes:4", await RedisCliAsync(first, "cluster", "info"), StringComparison.Ordinal);
        Assert.Equal(NodeId("0"), await RedisCliAsync(first, "cluster", "myid"));
    }

    [CheckedFact]
    [Needs(Prerequisite.RedisServer)]
    public async Task ClusterKeySlot_IsRedisServers_ForRandomKeys()
    {
        await using var node = await NodeProcess.StartReadyAsync("0", LoopbackAddresses.Next());
        await using var redis = await RedisServer.StartClusterEnabledAsync(LoopbackAddresses.Next(), 6379, Timeout);

        var keys = RandomKeys(400);
        var theirs = await KeySlotsAsync(redis.Ip, redis.Port, keys);
        var ours = await KeySlotsAsync(node.Ip, 6379, keys);

        for (int i = 0; i < keys.Count; i++)
        {
            Assert.True(theirs[i] == ours[i], $"Key {Convert.ToHexString(keys[i])}: redis-server says slot {theirs[i]}, the node {ours[i]}.");
            Assert.Equal(theirs[i], KeyHasher.GetSlot(keys[i]));
        }
    }

    // Keys of 0 to 40 pieces: ASCII, braces (so hash tags of every shape), multi-byte UTF-8; and a quarter of
    // arbitrary bytes, which Redis accepts as keys and hashes all the same.
    private static List<byte[]> RandomKeys(int count)
    {
        string[] pieces = ["a", "b", "z", "0", "7", ":", "/", " ", "{", "}", "{", "}", "é", "日本", "😀", "user1000", "{}"];
        var random = new Random(12739);
        var keys = new List<byte[]> { Array.Empty<byte>(), "123456789"u8.ToArray() };
        while (keys.Count < count)
        {
            if (keys.Count % 4 == 0)
            {
                var bytes = new byte[random.Next(1, 24)];
                random.NextBytes(bytes);
                keys.Add(bytes);
                continue;
            }

            var text = new StringBuilder();
            for (int piece = random.Next(0, 41); piece > 0; piece--)
            {
                text.Append(pieces[random.Next(pieces.Length)]);
            }

            keys.Add(Encoding.UTF8.GetBytes(text.ToString()));
        }

        return keys;
    }

    // CLUSTER KEYSLOT of every key, pipelined over one plain RESP connection.
    private static async Task<List<int>> KeySlotsAsync(string ip, int port, IReadOnlyList<byte[]> keys)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(ip, port).WaitAsync(Timeout);
        var stream = client.GetStream();
        var commands = new MemoryStream();
        foreach (var key in keys)
        {
            commands.Write(Encoding.ASCII.GetBytes($"*3\r\n$7\r\nCLUSTER\r\n$7\r\nKEYSLOT\r\n${key.Length}\r\n"));
            commands.Write(key);
            commands.Write("\r\n"u8);
        }

        await stream.WriteAsync(commands.ToArray()).AsTask().WaitAsync(Timeout);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var slots = new List<int>(keys.Count);
        for (int i = 0; i < keys.Count; i++)
        {
            string? line = await reader.ReadLineAsync().WaitAsync(Timeout);
            Assert.True(line is [':', ..], $"CLUSTER KEYSLOT answered '{line}' at {ip}:{port}.");
            slots.Add(int.Parse(line[1..], CultureInfo.InvariantCulture));
        }

        return slots;
    }

    // For each slot, the RESP endpoint of its primary by /cluster/buckets of `node`.
    private static async Task<string[]> SlotPrimariesAsync(NodeProcess node, LocalCluster cluster)
    {
        using var map = JsonDocument.Parse(await node.Http.GetStringAsync("/cluster/buckets").WaitAsync(Timeout));
        var names = map.RootElement.GetProperty("nodes").EnumerateArray().Select(n => n.GetString()!).ToList();
        var primary = map.RootElement.GetProperty("primary").EnumerateArray().Select(p => p.GetInt32()).ToList();
        int slotsPerBucket = KeyHasher.Slots / primary.Count;
        var slots = new string[KeyHasher.Slots];
        for (int slot = 0; slot < slots.Length; slot++)
        {
            slots[slot] = cluster[names[primary[slot / slotsPerBucket]]].RespEndpoint;
        }

        return slots;
    }

    private static async Task<List<(int First, int Last, string Primary, string PrimaryId)>> ClusterSlotsAsync(IServer server)
    {
        var reply = (RedisResult[])(await server.ExecuteAsync("CLUSTER", "SLOTS").WaitAsync(Timeout))!;
        var ranges = new List<(int, int, string, string)>();
        foreach (var range in reply.Select(r => (RedisResult[])r!))
        {
            var primary = (RedisResult[])range[2]!;
            ranges.Add(((int)range[0], (int)range[1], $"{(string?)primary[0]}:{(int)primary[1]}", (string)primary[2]!));
        }

        return ranges;
    }

    private static async Task<Dictionary<string, double>> GetsPerNodeAsync(LocalCluster cluster)
    {
        var counts = new Dictionary<string, double>();
        foreach (var node in cluster.Nodes)
        {
            string metrics = await node.Http.GetStringAsync("/metrics").WaitAsync(Timeout);
            var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith(RespGets + " ", StringComparison.Ordinal));
            counts[node.RespEndpoint] = line is null ? 0 : double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
        }

        return counts;
    }

    private static string Show(Dictionary<string, int> counts) => string.Join(", ", counts.OrderBy(p => p.Key).Select(p => $"{p.Key}={p.Value}"));

    private static string NodeId(string nodeId) => Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(nodeId)));

    private static async Task<ConnectionMultiplexer> ConnectAsync(NodeProcess node)
    {
        var options = ConfigurationOptions.Parse(node.RespEndpoint);
        options.ConnectTimeout = options.SyncTimeout = options.AsyncTimeout = (int)Timeout.TotalMilliseconds;

        // For CLUSTER SLOTS, which the client sends only in admin mode.
        options.AllowAdmin = true;
        return await ConnectionMultiplexer.ConnectAsync(options).WaitAsync(Timeout);
    }

    private static async Task<string> RedisCliAsync(NodeProcess node, params string[] arguments)
    {
        var run = await CommandRun.RunAsync("redis-cli", ["-h", node.Ip, "-p", "6379", .. arguments], Timeout);
        Assert.True(run.ExitCode == 0, $"redis-cli {string.Join(' ', arguments)} exited {run.ExitCode}: {run.Error}");
        return run.Output.TrimEnd('\n');
    }

    // Nodes 1.. linked to node 0 once it is up; returns once every node routes with the same map over all of them,
    // which is what CLUSTER NODES reports.
    private static async Task<LocalCluster> StartAgreedClusterAsync(int count)
    {
        var cluster = new LocalCluster();
        try
        {
            var first = await cluster.StartAsync("0");
            await first.WaitUntilReadyAsync(Formation);
            for (int i = 1; i < count; i++)
            {
                await cluster.StartAsync(i.ToString(CultureInfo.InvariantCulture), linked: first);
            }

            var names = Enumerable.Range(0, count).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToList();
            await cluster.WaitForMembersAsync(names, Formation);
            await Poll.UntilAsync(
                async () =>
                {
                    var maps = new HashSet<string>();
                    foreach (var node in cluster.Nodes)
                    {
                        maps.Add(await node.Http.GetStringAsync("/cluster/buckets"));
                    }

                    return maps.Count == 1 && JsonDocument.Parse(maps.Single()).RootElement.GetProperty("nodes").GetArrayLength() == count;
                },
                Formation,
                $"all {count} nodes to route with one map over all of them");
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }
}
