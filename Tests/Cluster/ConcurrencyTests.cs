using System.Collections.Concurrent;
using System.Text;
using OrleansCache.Grains.Interfaces;
using OrleansCache.Grains.Interfaces.Routing;
using OrleansCache.Tests.Infrastructure;

namespace OrleansCache.Tests.Cluster;

[Collection(CacheClusterCollection.Name)]
public sealed class ConcurrencyTests(CacheClusterFixture fixture)
{
    [Fact]
    public async Task ManyConcurrentGetsAndSets_LeaveEachKeyWithAValueWrittenToIt_AndReplicasEqualToPrimaries()
    {
        const int Workers = 32;
        const int OperationsPerWorker = 200;
        var shared = Enumerable.Range(0, 8).Select(i => $"shared-{i}").ToArray();
        var written = new ConcurrentDictionary<string, ConcurrentBag<string>>();
        var lastDistinct = new ConcurrentDictionary<string, string>();

        var workers = Enumerable.Range(0, Workers).Select(worker => Task.Run(async () =>
        {
            var random = new Random(worker);
            for (int op = 0; op < OperationsPerWorker; op++)
            {
                bool useShared = random.Next(2) == 0;
                string key = useShared ? shared[random.Next(shared.Length)] : $"own-{worker}-{random.Next(10)}";
                if (random.Next(3) == 0)
                {
                    var entry = await fixture.Cache.GetAsync(key);
                    if (entry is not null)
                    {
                        // A read returns some value that was written to that key, never a torn or foreign one.
                        Assert.Contains(Encoding.UTF8.GetString(entry.Value), written[key]);
                    }
                }
                else
                {
                    string value = $"{key}:{worker}:{op}";
                    written.GetOrAdd(key, _ => []).Add(value);
                    await fixture.Cache.SetAsync(key, Encoding.UTF8.GetBytes(value));
                    if (!useShared)
                    {
                        lastDistinct[key] = value;
                    }
                }
            }
        }));
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromMinutes(2));

        foreach (var (key, values) in written)
        {
            var entry = await fixture.Cache.GetAsync(key);
            Assert.NotNull(entry);
            Assert.Contains(Encoding.UTF8.GetString(entry.Value), values);
        }

        foreach (var (key, value) in lastDistinct)
        {
            // Keys with one writer end with that writer's last value.
            Assert.Equal(value, Encoding.UTF8.GetString((await fixture.Cache.GetAsync(key))!.Value));
        }

        foreach (var bucket in written.Keys.Select(k => fixture.Cache.GetBucketAsync(k).AsTask().Result).Distinct())
        {
            var primary = await fixture.Cluster.Client.GetGrain<IBucketGrain>(bucket).GetSnapshotAsync();
            var replica = await fixture.Cluster.Client.GetGrain<IReplicaGrain>(ReplicaKey.Create(bucket, 1)).GetSnapshotAsync();
            Assert.NotNull(replica);
            Assert.Equal(primary.Sequence, replica.Sequence);
            Assert.Equal(Flatten(primary), Flatten(replica));
        }
    }

    private static List<(string Key, string Value, long Version)> Flatten(BucketSnapshot snapshot) =>
        snapshot.Entries.Select(e => (e.Key, Convert.ToHexString(e.Value.Value), e.Value.Version)).Order().ToList();
}
