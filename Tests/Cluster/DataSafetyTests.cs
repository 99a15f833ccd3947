using System.Text;
using OrleansCache.Grains.Interfaces;
using OrleansCache.Grains.Interfaces.Routing;
using OrleansCache.Tests.Infrastructure;

namespace OrleansCache.Tests.Cluster;

/// <summary>
/// Each mechanism that keeps acknowledged writes when nodes die, join and leave, on an in-process
/// cluster of its own per test.
/// </summary>
public sealed class DataSafetyTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Failover_NewPrimaryServesEveryEntryFromTheReplica_WhenThePrimarysSiloIsKilled()
    {
        await using var cluster = await ChangingCluster.StartAsync(silos: 3);
        var written = await WriteKeysAsync(cluster, count: 300);
        await cluster.TouchEveryBucketAsync().WaitAsync(Timeout);

        var victim = cluster.SiloHoldingPrimary(await cluster.Cache.GetBucketAsync("key-0"));
        await cluster.Cluster.KillSiloAsync(victim).WaitAsync(Timeout);
        await cluster.WaitForActiveSilosAsync(2, Timeout);

        await AssertAllReadBackAsync(cluster, written);
        await cluster.WaitUntilPlacedAsMappedAsync(Timeout);
    }

    [Fact]
    public async Task Failover_ReplicaLostWithItsSilo_IsRefilledOnTheNewSuccessor_WithoutAnyNewWrite()
    {
        await using var cluster = await ChangingCluster.StartAsync(silos: 3);
        var written = await WriteKeysAsync(cluster, count: 300);
        await cluster.TouchEveryBucketAsync().WaitAsync(Timeout);

        await cluster.Cluster.KillSiloAsync(cluster.Silos[^1]).WaitAsync(Timeout);
        await cluster.WaitForActiveSilosAsync(2, Timeout);
        await cluster.WaitUntilPlacedAsMappedAsync(Timeout);

        // Every replica now on a live silo holds exactly what its primary holds, though nothing was written.
        await Poll.UntilAsync(
            async () =>
            {
                for (int bucket = 0; bucket < cluster.Options.Buckets; bucket++)
                {
                    var primary = await cluster.Cluster.Client.GetGrain<IBucketGrain>(bucket).GetSnapshotAsync();
                    var replica = await cluster.Cluster.Client.GetGrain<IReplicaGrain>(ReplicaKey.Create(bucket, 1)).GetSnapshotAsync();
                    if (replica is null || replica.Sequence != primary.Sequence || !SameEntries(primary, replica))
                    {
                        return false;
                    }
                }

                return true;
            },
            Timeout,
            "every replica refilled from its primary");
        await AssertAllReadBackAsync(cluster, written);
    }

    [Fact]
    public async Task Join_MovesAboutOneNthOfTheBuckets_AndEachCarriesItsEntries()
    {
        // One copy only: a bucket that moved without its entries would have nowhere to recover them from.
        await using var cluster = await ChangingCluster.StartAsync(silos: 3, copies: 1);
        var written = await WriteKeysAsync(cluster, count: 300);
        await cluster.TouchEveryBucketAsync().WaitAsync(Timeout);
        var before = Enumerable.Range(0, cluster.Options.Buckets).ToDictionary(b => b, b => cluster.SiloHoldingPrimary(b).Name);

        await cluster.Cluster.StartAdditionalSiloAsync().WaitAsync(Timeout);
        await cluster.WaitForActiveSilosAsync(4, Timeout);
        await cluster.WaitUntilPlacedAsMappedAsync(Timeout);

        int moved = before.Count(pair => cluster.SiloHoldingPrimary(pair.Key).Name != pair.Value);
        Assert.InRange(moved, 1, (int)(cluster.Options.Buckets * 0.4)); // Ideal: 1/4 of 64 = 16.
        await AssertAllReadBackAsync(cluster, written);
    }

    [Fact]
    public async Task GracefulStop_HandsEveryBucketOff_SoNothingIsLost_EvenWithOneCopy()
    {
        await using var cluster = await ChangingCluster.StartAsync(silos: 3, copies: 1);
        var written = await WriteKeysAsync(cluster, count: 300);
        await cluster.TouchEveryBucketAsync().WaitAsync(Timeout);

        await cluster.Cluster.StopSiloAsync(cluster.Silos[^1]).WaitAsync(Timeout);
        await cluster.WaitForActiveSilosAsync(2, Timeout);

        await AssertAllReadBackAsync(cluster, written);
        await cluster.WaitUntilPlacedAsMappedAsync(Timeout);
    }

    // With four silos, two survive: fewer than the three copies, so a bucket whose first two copies died finds
    // its last one at a rank the map no longer places, on its own silo or the other survivor.
    [Theory]
    [InlineData(5)]
    [InlineData(4)]
    public async Task ThreeCopies_LoseNothing_WhenTwoSilosAreKilledAtOnce(int silos)
    {
        await using var cluster = await ChangingCluster.StartAsync(silos, copies: 3);
        var written = await WriteKeysAsync(cluster, count: 300);
        await cluster.TouchEveryBucketAsync().WaitAsync(Timeout);

        var victims = cluster.Silos.TakeLast(2).ToList();
        await Task.WhenAll(victims.Select(cluster.Cluster.KillSiloAsync)).WaitAsync(Timeout);
        await cluster.WaitForActiveSilosAsync(silos - 2, Timeout);

        await AssertAllReadBackAsync(cluster, written);
        await cluster.WaitUntilPlacedAsMappedAsync(Timeout);
    }

    [Fact]
    public async Task Replica_ThatMissedWrites_DetectsTheGapAndIsResynced_OnTheNextWrite()
    {
        await using var cluster = await ChangingCluster.StartAsync(silos: 3);
        await cluster.Cache.SetAsync("gap-old", "old"u8.ToArray()).WaitAsync(Timeout);
        int bucket = await cluster.Cache.GetBucketAsync("gap-old");
        var replica = cluster.Cluster.Client.GetGrain<IReplicaGrain>(ReplicaKey.Create(bucket, 1));

        // The replica loses everything it had, as if it had missed every write so far (from the primary it follows).
        long epoch = (await cluster.Cluster.Client.GetGrain<IBucketGrain>(bucket).GetSnapshotAsync().WaitAsync(Timeout)).Epoch;
        await replica.ResetAsync(BucketSnapshot.Empty with { Epoch = epoch }).WaitAsync(Timeout);
        string sameBucketKey = Enumerable.Range(0, 10_000).Select(i => $"gap-new-{i}")
            .First(k => KeyHasher.GetBucket(k, cluster.Options.Buckets) == bucket);
        await cluster.Cache.SetAsync(sameBucketKey, "new"u8.ToArray()).WaitAsync(Timeout);

        var primary = await cluster.Cluster.Client.GetGrain<IBucketGrain>(bucket).GetSnapshotAsync().WaitAsync(Timeout);
        var copy = await replica.GetSnapshotAsync().WaitAsync(Timeout);
        Assert.NotNull(copy);
        Assert.Equal(primary.Sequence, copy.Sequence);
        Assert.Equal("old", Encoding.UTF8.GetString(copy.Entries["gap-old"].Value));
        Assert.True(SameEntries(primary, copy));
    }

    [Fact]
    public async Task ReadsAndWrites_NeverMissOrGoStale_WhileASiloJoinsAndAnotherLeaves()
    {
        await using var cluster = await ChangingCluster.StartAsync(silos: 3);
        await cluster.TouchEveryBucketAsync().WaitAsync(Timeout);
        var history = new KeyHistory(keys: 40);
        using var stop = new CancellationTokenSource();
        var load = Task.WhenAll(
            Enumerable.Range(0, 4).Select(w => history.WriteAsync(cluster.Cache, writer: w, writers: 4, stop.Token))
                .Concat(Enumerable.Range(0, 4).Select(_ => history.ReadAsync(cluster.Cache, stop.Token))));

        await Poll.UntilAsync(() => Task.FromResult(history.Acknowledged > 200), Timeout, "writes under way");
        await cluster.Cluster.StartAdditionalSiloAsync().WaitAsync(Timeout);
        await cluster.WaitForActiveSilosAsync(4, Timeout);
        await cluster.WaitUntilPlacedAsMappedAsync(Timeout);
        await cluster.Cluster.StopSiloAsync(cluster.Silos[0]).WaitAsync(Timeout);
        await cluster.WaitForActiveSilosAsync(3, Timeout);
        await cluster.WaitUntilPlacedAsMappedAsync(Timeout);

        long acknowledgedBeforeStop = history.Acknowledged;
        await Poll.UntilAsync(() => Task.FromResult(history.Acknowledged > acknowledgedBeforeStop + 200), Timeout, "writes going on after the moves");
        await stop.CancelAsync();
        await load.WaitAsync(Timeout);

        Assert.Empty(history.Violations);
        Assert.True(history.FailedRequests == 0, history.FailureSamples);
        await history.AssertFinalValuesAsync(cluster.Cache);
    }

    private static async Task<Dictionary<string, string>> WriteKeysAsync(ChangingCluster cluster, int count)
    {
        var written = Enumerable.Range(0, count).ToDictionary(i => $"key-{i}", i => $"value-{i}");
        await Task.WhenAll(written.Select(pair => cluster.Cache.SetAsync(pair.Key, Encoding.UTF8.GetBytes(pair.Value)))).WaitAsync(Timeout);
        return written;
    }

    private static async Task AssertAllReadBackAsync(ChangingCluster cluster, Dictionary<string, string> written)
    {
        foreach (var (key, value) in written)
        {
            var entry = await cluster.Cache.GetAsync(key).WaitAsync(Timeout);
            if (entry is null)
            {
                Assert.Fail($"{key} was lost. {await cluster.DescribeBucketAsync(await cluster.Cache.GetBucketAsync(key))}");
            }

            Assert.Equal(value, Encoding.UTF8.GetString(entry.Value));
        }
    }

    private static bool SameEntries(BucketSnapshot a, BucketSnapshot b) =>
        a.Entries.Count == b.Entries.Count
        && a.Entries.All(pair => b.Entries.TryGetValue(pair.Key, out var other) && other.Value.AsSpan().SequenceEqual(pair.Value.Value));
}
