using Orleans.TestingHost;
using OrleansCache.Grains;
using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Tests.Infrastructure;

/// <summary>
/// Three in-process silos with the cache grains and default settings (1024 buckets, two copies),
/// shared by the tests of <see cref="CacheClusterCollection"/>. Tests here must not stop silos.
/// </summary>
public sealed class CacheClusterFixture : IAsyncLifetime
{
    /// <summary>Silos in the cluster.</summary>
    public const int SiloCount = 3;

    /// <summary>The running cluster.</summary>
    public InProcessTestCluster Cluster { get; private set; } = null!;

    /// <summary>The facade over the cluster's client, as an application would use it.</summary>
    public CacheClient Cache { get; private set; } = null!;

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(SiloCount);
        builder.ConfigureSilo((_, silo) => silo.AddCacheGrains());
        Cluster = builder.Build();
        await Cluster.DeployAsync().WaitAsync(TimeSpan.FromMinutes(2));
        Cache = new CacheClient(Cluster.Client);
    }

    /// <inheritdoc />
    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    /// <summary>Names of the silos, their <c>NODE_ID</c>s.</summary>
    public IReadOnlyList<string> SiloNames => Cluster.Silos.Select(s => s.Name).ToList();

    /// <summary>Returns a service of the silo named <paramref name="name"/>.</summary>
    public T GetSiloService<T>(string name) where T : notnull =>
        (T)Cluster.Silos.Single(s => s.Name == name).ServiceProvider.GetService(typeof(T))!;

    /// <summary>Default cache options, as every silo of this fixture has them.</summary>
    public static CacheOptions Options { get; } = new();
}

/// <summary>Tests sharing one <see cref="CacheClusterFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class CacheClusterCollection : ICollectionFixture<CacheClusterFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "cache cluster";
}
