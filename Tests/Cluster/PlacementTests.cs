using OrleansCache.Grains.Interfaces;
using OrleansCache.Grains.Interfaces.Routing;
using OrleansCache.Grains.Routing;
using OrleansCache.Grains.Storage;
using OrleansCache.Tests.Infrastructure;

namespace OrleansCache.Tests.Cluster;

[Collection(CacheClusterCollection.Name)]
public sealed class PlacementTests(CacheClusterFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task EveryBucketAndReplica_ActivatesOnTheSiloItsPreferenceListNames()
    {
        int buckets = CacheClusterFixture.Options.Buckets;
        var touches = Enumerable.Range(0, buckets)
            .Select(b => fixture.Cluster.Client.GetGrain<IBucketGrain>(b).GetAsync("placement-probe"));
        await Task.WhenAll(touches).WaitAsync(Timeout);

        var map = BucketMap.Build(fixture.SiloNames, buckets, CacheClusterFixture.Options.ReplicationFactor);
        foreach (var silo in fixture.SiloNames)
        {
            // What is really active on each silo, as its own catalog records it.
            var catalog = fixture.GetSiloService<LocalBucketCatalog>(silo);
            var expectedPrimaries = Enumerable.Range(0, buckets).Where(b => map.GetNode(b, 0) == silo).Select(b => (long)b);
            var expectedReplicas = Enumerable.Range(0, buckets).Where(b => map.GetNode(b, 1) == silo).Select(b => ReplicaKey.Create(b, 1));

            Assert.Equal(expectedPrimaries.Order(), catalog.Primaries.Order());
            Assert.Equal(expectedReplicas.Order(), catalog.Replicas.Order());
        }
    }

    [Fact]
    public async Task Set_IsOnTheReplicaOnTheSuccessor_WhenAcknowledged()
    {
        var value = "replicated"u8.ToArray();
        await fixture.Cache.SetAsync("replica-check", value).WaitAsync(Timeout);

        int bucket = await fixture.Cache.GetBucketAsync("replica-check");
        var map = BucketMap.Build(fixture.SiloNames, CacheClusterFixture.Options.Buckets, 2);
        var location = await fixture.Cache.LocateAsync("replica-check").WaitAsync(Timeout);
        var replica = await fixture.Cluster.Client.GetGrain<IReplicaGrain>(ReplicaKey.Create(bucket, 1)).GetSnapshotAsync().WaitAsync(Timeout);

        Assert.Equal(map.GetNode(bucket, 0), location.PrimaryNodeId);
        Assert.Equal([map.GetNode(bucket, 1)!], location.ReplicaNodeIds);
        Assert.NotEqual(location.PrimaryNodeId, location.ReplicaNodeIds[0]);
        Assert.NotNull(replica);
        Assert.Equal(value, replica.Entries["replica-check"].Value);
    }

    [Fact]
    public async Task Delete_RemovesTheKeyFromTheReplicaToo()
    {
        await fixture.Cache.SetAsync("delete-check", "x"u8.ToArray()).WaitAsync(Timeout);
        int bucket = await fixture.Cache.GetBucketAsync("delete-check");

        Assert.True(await fixture.Cache.DeleteAsync("delete-check").WaitAsync(Timeout));
        Assert.False(await fixture.Cache.DeleteAsync("delete-check").WaitAsync(Timeout));

        var replica = await fixture.Cluster.Client.GetGrain<IReplicaGrain>(ReplicaKey.Create(bucket, 1)).GetSnapshotAsync().WaitAsync(Timeout);
        Assert.Null(await fixture.Cache.GetAsync("delete-check").WaitAsync(Timeout));
        Assert.NotNull(replica);
        Assert.False(replica.Entries.ContainsKey("delete-check"));
    }

    [Fact]
    public async Task Dump_OfANode_HoldsItsPrimaryAndReplicaCopies()
    {
        await fixture.Cache.SetAsync("dump-check", "d"u8.ToArray()).WaitAsync(Timeout);
        var location = await fixture.Cache.LocateAsync("dump-check").WaitAsync(Timeout);

        var primary = await fixture.Cache.DumpNodeAsync(location.PrimaryNodeId).WaitAsync(Timeout);
        var replica = await fixture.Cache.DumpNodeAsync(location.ReplicaNodeIds[0]).WaitAsync(Timeout);
        var third = fixture.SiloNames.Single(n => n != location.PrimaryNodeId && n != location.ReplicaNodeIds[0]);
        var other = await fixture.Cache.DumpNodeAsync(third).WaitAsync(Timeout);

        Assert.Equal("d"u8.ToArray(), primary["dump-check"].Value);
        Assert.Equal("d"u8.ToArray(), replica["dump-check"].Value);
        Assert.False(other.ContainsKey("dump-check"));
    }

    [Fact]
    public async Task Dump_OfAnUnknownNode_IsRefused()
    {
        var error = await Assert.ThrowsAsync<CacheArgumentException>(() => fixture.Cache.DumpNodeAsync("no-such-node").WaitAsync(Timeout));

        Assert.Equal(CacheArgumentError.UnknownNode, error.Error);
    }

    [Fact]
    public async Task ClusterView_ListsEverySiloActive_WithTheBucketsTheMapGivesIt()
    {
        var view = await fixture.Cache.GetClusterAsync().WaitAsync(Timeout);
        var map = BucketMap.Build(fixture.SiloNames, CacheClusterFixture.Options.Buckets, 2);

        Assert.Equal(fixture.SiloNames.Order(), view.Members.Select(m => m.Id).Order());
        Assert.All(view.Members, m =>
        {
            Assert.Equal("Active", m.Status);
            Assert.Equal(map.Count(m.Id, 0), m.PrimaryBuckets);
            Assert.Equal(map.Count(m.Id, 1), m.ReplicaBuckets);
        });
        Assert.Equal(CacheClusterFixture.Options.Buckets, view.Members.Sum(m => m.PrimaryBuckets));
    }
}
