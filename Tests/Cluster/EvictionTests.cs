using Orleans.TestingHost;
using OrleansCache.ClientLibrary;
using OrleansCache.Grains;
using OrleansCache.Grains.Interfaces;
using OrleansCache.Grains.Interfaces.Routing;
using OrleansCache.Grains.Storage;

namespace OrleansCache.Tests.Cluster;

/// <summary>
/// LRU eviction on two in-process silos whose budget (<c>MAX_MEMORY_BYTES</c>) is the smallest allowed, 1 MiB:
/// filling them four times over keeps each within budget, evicts cold keys before hot ones, and takes
/// each evicted entry off its replica too.
/// </summary>
public sealed class EvictionTests(EvictionTests.SmallBudgetCluster fixture) : IClassFixture<EvictionTests.SmallBudgetCluster>
{
    private const long Budget = CacheOptions.MinMaxMemoryBytes;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task FillingFourTimesTheBudget_KeepsEachNodeWithinIt_EvictingColdKeysFirst_OnPrimaryAndReplica()
    {
        var cache = fixture.Cache;
        var value = new byte[2048];
        var hot = Enumerable.Range(0, 20).Select(i => $"hot-{i}").ToList();
        foreach (var key in hot)
        {
            await cache.SetAsync(key, value).WaitAsync(Timeout);
        }

        // About 2.2 KB an entry: 2 × 1 MiB of budget holds ~950 of them, a quarter of what is written.
        // Written at a pace the sampling evictor keeps up with (it catches up every 25 writes): a burst
        // that outruns it makes room in the written key's own bucket instead, which is not LRU.
        const int Cold = 4000;
        var memories = fixture.Cluster.Silos.Select(s => (NodeMemory)s.ServiceProvider.GetService(typeof(NodeMemory))!).ToList();
        for (int i = 0; i < Cold; i++)
        {
            await cache.SetAsync($"cold-{i}", value).WaitAsync(Timeout);
            if (i % 25 == 0)
            {
                await cache.GetManyAsync(hot).WaitAsync(Timeout);
                await Infrastructure.Poll.UntilAsync(() => Task.FromResult(memories.All(m => m.Bytes <= Budget)), Timeout, "the evictor to catch up");
            }
        }

        await Infrastructure.Poll.UntilAsync(
            () => Task.FromResult(memories.All(m => m.Bytes <= Budget)),
            Timeout,
            () => "every node within its budget: " + string.Join(", ", memories.Select(m => m.Bytes)));

        var stats = await cache.GetStatsAsync().WaitAsync(Timeout);
        var hotLeft = await cache.CountExistingAsync(hot).WaitAsync(Timeout);
        var coldLeft = await cache.CountExistingAsync(Enumerable.Range(0, Cold).Select(i => $"cold-{i}").ToList()).WaitAsync(Timeout);

        Assert.True(stats.Evictions >= Cold / 2, $"{stats.Evictions} evictions");
        // Sampled LRU is approximate: 17 of 20 hot keys were seen to survive once. Eviction blind to use would
        // leave about a quarter of them (what survives of the cold ones), so three quarters still tells LRU from chance.
        Assert.True(hotLeft >= hot.Count * 3 / 4, $"Only {hotLeft} of {hot.Count} hot keys survived (cold: {coldLeft} of {Cold}).");
        Assert.True(coldLeft < Cold / 3, $"{coldLeft} of {Cold} cold keys survived.");
        await AssertReplicasMatchPrimariesAsync();
    }

    private async Task AssertReplicasMatchPrimariesAsync()
    {
        var grains = fixture.Cluster.Client;
        for (int bucket = 0; bucket < CacheOptions.DefaultBuckets; bucket++)
        {
            var primary = await grains.GetGrain<IBucketGrain>(bucket).GetSnapshotAsync().WaitAsync(Timeout);
            var replica = await grains.GetGrain<IReplicaGrain>(ReplicaKey.Create(bucket, 1)).GetSnapshotAsync().WaitAsync(Timeout);
            if (replica is null)
            {
                // A replica not filled yet (its primary refills it within seconds) is only right for a
                // bucket that was never written.
                Assert.Equal(0, primary.Sequence);
                continue;
            }

            Assert.Equal(primary.Sequence, replica.Sequence);
            Assert.Equal(primary.Entries.Keys.Order(StringComparer.Ordinal), replica.Entries.Keys.Order(StringComparer.Ordinal));
        }
    }

    /// <summary>Two silos with a 1 MiB budget and LRU eviction.</summary>
    public sealed class SmallBudgetCluster : IAsyncLifetime
    {
        /// <summary>The running cluster.</summary>
        public InProcessTestCluster Cluster { get; private set; } = null!;

        /// <summary>The facade over its client.</summary>
        public CacheClient Cache { get; private set; } = null!;

        /// <inheritdoc />
        public async Task InitializeAsync()
        {
            var builder = new InProcessTestClusterBuilder(2);
            builder.ConfigureSilo((_, silo) => silo.AddCacheGrains(o => o.MaxMemoryBytes = Budget));
            Cluster = builder.Build();
            await Cluster.DeployAsync().WaitAsync(TimeSpan.FromMinutes(2));
            Cache = new CacheClient(Cluster.Client);
        }

        /// <inheritdoc />
        public async Task DisposeAsync() => await Cluster.DisposeAsync();
    }
}
