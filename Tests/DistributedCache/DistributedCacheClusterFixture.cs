using OrleansCache.Tests.Infrastructure;

namespace OrleansCache.Tests.DistributedCache;

/// <summary>
/// Three published nodes, linked to the first, and an application using them through <c>AddOrleansCache</c> given
/// the first node only. Tests sharing it use keys of their own.
/// </summary>
public sealed class DistributedCacheClusterFixture : IAsyncLifetime
{
    /// <summary>The bound of every start and wait here.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private readonly LocalCluster _cluster = new();

    /// <summary>The node the applications are given.</summary>
    public NodeProcess Seed { get; private set; } = null!;

    /// <summary>An application using the cluster, started once.</summary>
    public CacheApp App { get; private set; } = null!;

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        Seed = await _cluster.StartAsync("0");
        await Seed.WaitUntilReadyAsync(Timeout);
        await _cluster.StartAsync("1", linked: Seed);
        await _cluster.StartAsync("2", linked: Seed);
        await _cluster.WaitForMembersAsync(["0", "1", "2"], Timeout);
        App = await CacheApp.StartAsync(Seed.Ip, Timeout);
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (App is not null)
        {
            await App.DisposeAsync();
        }

        await _cluster.DisposeAsync();
    }
}
