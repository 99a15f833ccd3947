using System.Text;
using Microsoft.Extensions.Caching.Distributed;
using OrleansCache.Tests.Infrastructure;
using OrleansCache.Tests.Processes;

namespace OrleansCache.Tests.DistributedCache;

/// <summary>
/// <c>AddOrleansCache</c> while a node of its cluster is killed (<c>kill -9</c>): with the default replication factor
/// of 2, nothing written before is lost, and the application goes on without being told of the new cluster.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class DistributedCacheFailoverTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private const int Keys = 60;

    [Fact]
    public async Task GetAsync_ReturnsEveryValueWrittenBeforeTheKill_WhenTheNodeTheAppWasGivenIsKilled()
    {
        await using var cluster = new LocalCluster();
        var seed = await cluster.StartAsync("0");
        await seed.WaitUntilReadyAsync(Timeout);
        await cluster.StartAsync("1", linked: seed);
        await cluster.StartAsync("2", linked: seed);
        await cluster.WaitForMembersAsync(["0", "1", "2"], Timeout);
        await using var app = await CacheApp.StartAsync(seed.Ip, Timeout);
        var cache = app.DistributedCache;

        // Plain, relative and sliding entries, spread over every node's buckets.
        var written = new Dictionary<string, byte[]>();
        for (int i = 0; i < Keys; i++)
        {
            var options = (i % 3) switch
            {
                0 => new DistributedCacheEntryOptions(),
                1 => new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromHours(1) },
                _ => new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromHours(1) },
            };
            written[$"dc-kill:{i}"] = Encoding.UTF8.GetBytes($"value {i}");
            await cache.SetAsync($"dc-kill:{i}", written[$"dc-kill:{i}"], options).WaitAsync(Timeout);
        }

        int factoryCalls = 0;
        await app.HybridCache.GetOrCreateAsync("dc-kill:hybrid", _ => ValueTask.FromResult(Interlocked.Increment(ref factoryCalls))).AsTask().WaitAsync(Timeout);

        // HybridCache writes the cluster just after it returns the value: the entry is written once it is there.
        await Poll.UntilAsync(() => app.Cache.ExistsAsync("dc-kill:hybrid"), Timeout, "HybridCache to write its entry to the cluster");

        seed.Kill();

        // Reads may fail or wait until the dead node is declared dead and its buckets are served by their replicas.
        string last = "nothing read yet";
        await Poll.UntilAsync(
            async () =>
            {
                foreach (var (key, value) in written)
                {
                    var read = await cache.GetAsync(key);
                    if (read is null || !read.AsSpan().SequenceEqual(value))
                    {
                        last = $"{key} read as {(read is null ? "a miss" : Encoding.UTF8.GetString(read))}";
                        return false;
                    }
                }

                return true;
            },
            Timeout,
            () => $"every value written before the kill to be read after it; last: {last}");

        // Writes go on too, and a new application given a surviving node finds HybridCache's entry in the cluster.
        await cache.SetStringAsync("dc-kill:after", "written after").WaitAsync(Timeout);
        Assert.Equal("written after", await cache.GetStringAsync("dc-kill:after").WaitAsync(Timeout));
        await using var later = await CacheApp.StartAsync(cluster["1"].Ip, Timeout);
        int found = await later.HybridCache.GetOrCreateAsync("dc-kill:hybrid", _ => ValueTask.FromResult(Interlocked.Increment(ref factoryCalls) * 100))
            .AsTask().WaitAsync(Timeout);
        Assert.Equal(1, found);
        Assert.Equal(1, factoryCalls);
    }
}
