using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;
using OrleansCache.ClientLibrary;
using OrleansCache.Grains;
using OrleansCache.Grains.Interfaces;
using OrleansCache.Grains.Interfaces.Routing;

namespace OrleansCache.Tests.Infrastructure;

/// <summary>
/// Three in-process silos with the cache grains and default settings (1024 buckets, two copies),
/// shared by the tests of <see cref="CacheClusterCollection"/>. Tests here must not stop silos.
/// </summary>
/// <remarks>The cache's clock (<see cref="CacheTime"/>) is <see cref="Time"/>, one fake clock for every silo:
/// entries expire, and the expiry sweep runs, only when a test advances it. Orleans' own clock is real.</remarks>
public sealed class CacheClusterFixture : IAsyncLifetime
{
    /// <summary>Silos in the cluster.</summary>
    public const int SiloCount = 3;

    /// <summary>The running cluster.</summary>
    public InProcessTestCluster Cluster { get; private set; } = null!;

    /// <summary>The cache's clock on every silo; it moves only when a test advances it.</summary>
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    /// <summary>Every grain call the silos received: the method's name and the target grain's key.</summary>
    public ConcurrentQueue<(string Method, long Key)> Calls { get; } = new();

    /// <summary>The facade over the cluster's client, as an application would use it.</summary>
    public CacheClient Cache { get; private set; } = null!;

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(SiloCount);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddKeyedSingleton<TimeProvider>(CacheTime.ServiceKey, Time);
            silo.AddIncomingGrainCallFilter(call =>
            {
                if (call.TargetId.TryGetIntegerKey(out long key, out string? keyExtension) && keyExtension is null)
                {
                    Calls.Enqueue((call.ImplementationMethod.Name, key));
                }

                return call.Invoke();
            });
            silo.AddCacheGrains();
        });
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

    /// <summary>Returns the first replica's copy of <paramref name="key"/>'s bucket, as that replica holds it.</summary>
    public async Task<BucketSnapshot> GetReplicaCopyAsync(string key)
    {
        int bucket = await Cache.GetBucketAsync(key);
        var copy = await Cluster.Client.GetGrain<IReplicaGrain>(ReplicaKey.Create(bucket, 1)).GetSnapshotAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return copy ?? throw new InvalidOperationException($"Replica 1 of bucket {bucket} holds no copy.");
    }

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
