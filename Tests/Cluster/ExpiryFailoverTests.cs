using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.Configuration;
using Orleans.TestingHost;
using OrleansCache.ClientLibrary;
using OrleansCache.Grains;
using OrleansCache.Grains.Interfaces;
using OrleansCache.Silo.Hosting;

namespace OrleansCache.Tests.Cluster;

/// <summary>
/// Expiry is an absolute time in the entry, so a bucket that fails over to a new primary, loading its
/// replica's copy, keeps the same expiry: the key lives exactly as long as it would have.
/// </summary>
public sealed class ExpiryFailoverTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(3);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddKeyedSingleton<TimeProvider>(CacheTime.ServiceKey, _time);
            silo.Configure<ClusterMembershipOptions>(CacheNodeHostingExtensions.ConfigureFailureDetection);
            silo.AddCacheGrains();
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync().WaitAsync(TimeSpan.FromMinutes(2));
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task ExpiringKey_KeepsItsExpiry_WhenItsPrimaryDiesAndTheBucketFailsOver()
    {
        var cache = new CacheClient(_cluster.Client);
        await cache.SetAsync("failover", "v"u8.ToArray(), CacheExpiry.After(TimeSpan.FromHours(1))).WaitAsync(Timeout);
        var location = await cache.LocateAsync("failover").WaitAsync(Timeout);

        await _cluster.KillSiloAsync(_cluster.Silos.Single(s => s.Name == location.PrimaryNodeId)).WaitAsync(Timeout);
        KeyTimeToLive? left = null;
        await Infrastructure.Poll.UntilAsync(
            async () => (left = await cache.GetTimeToLiveAsync("failover")).Exists
                && (await cache.LocateAsync("failover")).PrimaryNodeId != location.PrimaryNodeId,
            Timeout,
            "the bucket to fail over with its entry");

        Assert.Equal(TimeSpan.FromHours(1), left!.Remaining); // The fake clock has not moved: the same instant.
        _time.Advance(TimeSpan.FromHours(1));
        Assert.Null(await cache.GetAsync("failover").WaitAsync(Timeout));
    }
}
