using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansCache.Grains.Interfaces;
using OrleansCache.Grains.Interfaces.Routing;
using OrleansCache.Tests.Infrastructure;

namespace OrleansCache.Tests.Processes;

/// <summary>
/// With <c>CLUSTER_SECRET</c> set, an Orleans client (any process that reaches a gateway) can use the cache
/// but cannot call the grains' internal methods, while the nodes' own calls to them (replication,
/// expiry sweeps, failover) go on working.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class SiloOnlyCallsTests
{
    private static readonly TimeSpan Formation = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan Call = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AnOrleansClient_UsesTheCache_ButIsRefusedInternalMethods_WhenTheClusterHasASecret()
    {
        await using var cluster = new LocalCluster();
        var secret = new Dictionary<string, string> { ["CLUSTER_SECRET"] = "a-secret-for-internal-calls" };
        var first = await cluster.StartAsync("0", extra: secret);
        await first.WaitUntilReadyAsync(Formation);
        await cluster.StartAsync("1", linked: first, extra: secret);
        await cluster.WaitForMembersAsync(["0", "1"], Formation);
        using var client = await ClusterClientHost.StartAsync(first.Ip, Formation);

        await client.Cache.SetAsync("kept", "the value"u8.ToArray()).WaitAsync(Call);
        await client.Cache.SetAsync("short-lived", "gone soon"u8.ToArray(), CacheExpiry.After(TimeSpan.FromSeconds(1))).WaitAsync(Call);
        var kept = await client.Cache.LocateAsync("kept").WaitAsync(Call);
        var shortLived = await client.Cache.LocateAsync("short-lived").WaitAsync(Call);

        // What a client must not do: empty a replica, copy a bucket out whole, tell a node another is leaving,
        // push writes into replicas the way a node's buckets do.
        var emptied = await RefusedAsync(() => client.Grains.GetGrain<IReplicaGrain>(kept.Bucket).ResetAsync(new BucketSnapshot(long.MaxValue, new Dictionary<string, CacheEntry>())));
        var copied = await RefusedAsync(() => client.Grains.GetGrain<IBucketGrain>(kept.Bucket).GetSnapshotAsync());
        var leaving = await RefusedAsync(() => client.Grains.GetGrain<INodeGrain>("1").NodeLeavingAsync(SiloAddress.New(new IPEndPoint(IPAddress.Parse(first.Ip), 11111), 1)));
        var forged = new ReplicaWrite(long.MaxValue, "kept", Entry: null) { Epoch = long.MaxValue };
        var pushed = await RefusedAsync(() => client.Grains.GetGrain<INodeGrain>("1").ApplyReplicaWritesAsync([new ReplicaWrites(ReplicaKey.Create(kept.Bucket, 1), [forged])]));
        var written = await RefusedAsync(() => client.Grains.GetGrain<INodeGrain>("1").SetSharesAsync(
            [new BucketEntries(kept.Bucket, [KeyValuePair.Create("kept", new CacheValue("forged"u8.ToArray(), ValueFormat.Raw))])], expiry: null));
        var read = await RefusedAsync(() => client.Grains.GetGrain<INodeGrain>("1").GetSharesAsync([new BucketKeys(kept.Bucket, ["kept"])]));
        Assert.All([emptied, copied, leaving, pushed, written, read], e => Assert.Contains("own nodes only", e.Message, StringComparison.Ordinal));
        Assert.Equal("the value", await first.GetAsync("kept"));

        // A node's own multi-key calls carry each other node's shares there in one silo-only call, and its single
        // GETs for other nodes travel the same way: they pass.
        var keys = Enumerable.Range(0, 64).Select(i => $"batch-{i}").ToArray();
        using (var set = await first.Http.PostAsJsonAsync("/mset", new { entries = keys.ToDictionary(k => k, k => $"value of {k}") }).WaitAsync(Call))
        {
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        }

        var second = cluster["1"];
        using var got = await second.Http.PostAsJsonAsync("/mget", new { keys }).WaitAsync(Call);
        var values = (await got.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("values");
        Assert.All(keys, k => Assert.Equal($"value of {k}", values.GetProperty(k).GetString()));
        foreach (var key in keys.Take(16))
        {
            await first.SetAsync(key, $"single {key}").WaitAsync(Call);
            Assert.Equal($"single {key}", await second.GetAsync(key).WaitAsync(Call));
        }

        // The nodes' own internal calls still pass: the expiry sweep reclaims the short-lived key without a
        // read, and when the primary of "kept" dies its replica (not reset) serves it.
        await Poll.UntilAsync(
            async () => (await client.Grains.GetGrain<INodeGrain>(shortLived.PrimaryNodeId).GetStatsAsync().WaitAsync(Call)).Expirations >= 1,
            Formation,
            "the expiry sweep to reclaim the short-lived key");
        var primary = cluster[kept.PrimaryNodeId];
        var survivor = cluster[kept.PrimaryNodeId == "0" ? "1" : "0"];
        primary.Kill();
        await Poll.UntilAsync(async () => await survivor.GetAsync("kept") == "the value", Formation, "the surviving replica to serve the key");
    }

    private static async Task<Exception> RefusedAsync(Func<Task> call)
    {
        var refused = await Record.ExceptionAsync(() => call().WaitAsync(Call));
        Assert.NotNull(refused);
        return refused;
    }
}
