using System.Text;
using OrleansCache.ClientLibrary;
using OrleansCache.Grains.Interfaces;
using OrleansCache.Grains.Interfaces.Routing;
using OrleansCache.Grains.Storage;
using OrleansCache.Tests.Infrastructure;

namespace OrleansCache.Tests.Cluster;

/// <summary>
/// A write becomes visible only once every copy has it: one that a replica refused is never read, and an
/// older activation of a bucket's primary cannot get writes past the replicas that a newer one claimed.
/// </summary>
public sealed class WriteVisibilityTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Write_ThatAReplicaRefused_IsNeverRead_AndTheCopiesAgreeOnceItAcceptsAgain()
    {
        await using var cluster = await ChangingCluster.StartAsync(silos: 2, silo: ReplicaWriteFault.AddTo);
        var cache = cluster.Cache;
        await cache.SetAsync("visible", Bytes("before")).WaitAsync(Timeout);
        await cache.IncrementAsync("visible-count", 5).WaitAsync(Timeout);
        await cache.SetAsync("visible-gone", Bytes("kept")).WaitAsync(Timeout);

        SetFault(cluster, failing: true);
        await Assert.ThrowsAnyAsync<Exception>(() => cache.SetAsync("visible", Bytes("after")).WaitAsync(Timeout));
        await Assert.ThrowsAnyAsync<Exception>(() => cache.IncrementAsync("visible-count", 1).WaitAsync(Timeout));
        await Assert.ThrowsAnyAsync<Exception>(() => cache.DeleteAsync("visible-gone").WaitAsync(Timeout));
        await Assert.ThrowsAnyAsync<Exception>(() => cache.SetAsync("visible-new", Bytes("never")).WaitAsync(Timeout));

        // Each refused call was taken back once, and counted (orleans_cache.write.rollbacks).
        Assert.Equal(4, cluster.Silos.Sum(silo => ChangingCluster.Service<NodeCounters>(silo).Rollbacks));

        // Before this was built, the primary served each of these refused writes.
        Assert.Equal("before", await ReadAsync(cache, "visible"));
        Assert.Equal("5", await ReadAsync(cache, "visible-count"));
        Assert.Equal("kept", await ReadAsync(cache, "visible-gone"));
        Assert.Null(await ReadAsync(cache, "visible-new"));

        SetFault(cluster, failing: false);
        await cache.SetAsync("visible", Bytes("later")).WaitAsync(Timeout);
        Assert.Equal(6, await cache.IncrementAsync("visible-count", 1).WaitAsync(Timeout));

        // Replicas that took some of the refused writes, or none, get the primary's content again: at the next
        // write to their bucket, or from the rebalancer's periodic pass for a bucket written no more.
        foreach (string key in new[] { "visible", "visible-count", "visible-gone", "visible-new" })
        {
            int bucket = await cache.GetBucketAsync(key);
            string last = "";
            await Poll.UntilAsync(
                async () =>
                {
                    var primary = await cluster.Cluster.Client.GetGrain<IBucketGrain>(bucket).GetSnapshotAsync();
                    var replica = await cluster.Cluster.Client.GetGrain<IReplicaGrain>(ReplicaKey.Create(bucket, 1)).GetSnapshotAsync();
                    last = $"primary at {primary.Sequence} [{Describe(primary)}], replica at {replica?.Sequence} [{(replica is null ? "no copy" : Describe(replica))}]";
                    return replica is not null && replica.Sequence == primary.Sequence && Describe(replica) == Describe(primary);
                },
                Timeout,
                () => $"the copies of bucket {bucket} ({key}) to agree; last {last}");
        }
    }

    [Fact]
    public async Task Replica_RefusesWritesFromTheOlderPrimary_AfterTheBucketFailedOver()
    {
        await using var cluster = await ChangingCluster.StartAsync(silos: 3);
        var cache = cluster.Cache;
        await cache.SetAsync("fenced", Bytes("acknowledged")).WaitAsync(Timeout);
        int bucket = await cache.GetBucketAsync("fenced");
        var before = await cluster.Cluster.Client.GetGrain<IBucketGrain>(bucket).GetSnapshotAsync().WaitAsync(Timeout);

        await cluster.Cluster.KillSiloAsync(cluster.SiloHoldingPrimary(bucket)).WaitAsync(Timeout);
        await cluster.WaitForActiveSilosAsync(2, Timeout);
        Assert.Equal("acknowledged", await ReadAsync(cache, "fenced"));
        var after = await cluster.Cluster.Client.GetGrain<IBucketGrain>(bucket).GetSnapshotAsync().WaitAsync(Timeout);
        Assert.True(after.Epoch > before.Epoch, $"epoch {after.Epoch} after failover, {before.Epoch} before");

        // What the killed activation would send, had it only been paused: refused, and never read.
        var replica = cluster.Cluster.Client.GetGrain<IReplicaGrain>(ReplicaKey.Create(bucket, 1));
        var stale = new ReplicaWrite(after.Sequence + 1, "fenced", new CacheEntry(Bytes("stale"), ValueFormat.Raw, after.Sequence + 1)) { Epoch = before.Epoch };
        await Assert.ThrowsAsync<StalePrimaryException>(() => replica.ApplyAsync(stale).WaitAsync(Timeout));
        await Assert.ThrowsAsync<StalePrimaryException>(() => replica.ResetAsync(BucketSnapshot.Empty with { Epoch = before.Epoch }).WaitAsync(Timeout));
        Assert.Equal("acknowledged", Encoding.UTF8.GetString((await replica.GetAsync("fenced").WaitAsync(Timeout))!.Value));

        await cache.SetAsync("fenced", Bytes("current")).WaitAsync(Timeout);
        Assert.Equal("current", await ReadAsync(cache, "fenced"));
        Assert.Equal("current", Encoding.UTF8.GetString((await replica.GetAsync("fenced").WaitAsync(Timeout))!.Value));
    }

    private static void SetFault(ChangingCluster cluster, bool failing)
    {
        foreach (var silo in cluster.Silos)
        {
            ChangingCluster.Service<ReplicaWriteFault>(silo).Failing = failing;
        }
    }

    private static async Task<string?> ReadAsync(CacheClient cache, string key) =>
        await cache.GetAsync(key).WaitAsync(Timeout) is { } entry ? Encoding.UTF8.GetString(entry.Value) : null;

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static string Describe(BucketSnapshot snapshot) =>
        string.Join(", ", snapshot.Entries.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}={Encoding.UTF8.GetString(e.Value.Value)}"));
}
