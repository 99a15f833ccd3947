using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using OrleansCache.Grains;
using OrleansCache.Grains.Batching;
using OrleansCache.Grains.Merging;
using OrleansCache.Grains.Placement;
using OrleansCache.Grains.Replication;
using OrleansCache.Grains.Routing;
using OrleansCache.Grains.Storage;
using OrleansCache.Grains.Telemetry;

namespace Orleans.Hosting;

/// <summary>
/// Adds the cache's grains and routing to a silo.
/// </summary>
public static class CacheSiloBuilderExtensions
{
    /// <summary>
    /// Adds the bucket, replica, node and cluster grains, the hash placement director they need, and what a
    /// node needs to yield to another cluster (<see cref="NodeFence"/>, <see cref="LocalExporter"/>,
    /// <see cref="MergeReplayer"/>). Call on every silo of the cluster.
    /// </summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="configure">Sets <see cref="CacheOptions"/>; validated when the silo starts.</param>
    public static ISiloBuilder AddCacheGrains(this ISiloBuilder builder, Action<CacheOptions>? configure = null)
    {
        var services = builder.Services;
        var options = services.AddOptions<CacheOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CacheOptions>, CacheOptionsValidator>());
        services.AddSingleton<BucketMapProvider>();
        services.AddSingleton<LocalBucketCatalog>();
        services.AddSingleton<LocalReads>();
        services.AddSingleton<NodeMemory>();
        services.AddSingleton<NodeCounters>();
        services.AddSingleton<CacheMetrics>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<CacheMetrics>());
        services.AddSingleton<ExpirySweeper>();
        services.AddSingleton<MemoryEvictor>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<ExpirySweeper>());
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<MemoryEvictor>());

        // The cache's clock: the silo's unless a test registers its own under the key first (see CacheTime).
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddKeyedSingleton(CacheTime.ServiceKey, (sp, _) => sp.GetRequiredService<TimeProvider>());
        services.AddSingleton<ClusterViewSource>();
        services.AddSingleton<ReplicationChannels>();
        services.AddSingleton<RemoteReads>();
        services.AddSingleton<CachePlacementDirector>();
        services.AddSingleton<BucketRebalancer>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<BucketRebalancer>());

        // Yielding to another cluster: freeze client writes, export what this silo holds, merge it there.
        services.AddSingleton<NodeFence>();
        services.AddSingleton<LocalExporter>();
        services.AddSingleton<MergeReplayer>();

        // The distributed grain directory rebuilds a dead silo's directory entries from the activations
        // that live silos still hold. With Orleans' default directory those entries die with the silo, so
        // a replica that survived on a live silo is not found, a new empty one is made, and the bucket
        // that fails over loads nothing: 17 of 60 keys were lost after one kill -9 in a 3-node cluster.
#pragma warning disable ORLEANSEXP003 // Experimental in Orleans 10; it is what makes failover lossless here.
        builder.AddDistributedGrainDirectory();
#pragma warning restore ORLEANSEXP003

        // After a silo is declared dead, its grains may not re-register for this long minus the failure
        // detection time (in case it still runs). The default, 30 s, kept a failed-over bucket unavailable
        // for ~21 s after the death was declared; 5 s leaves ~2 s beyond detection. A silo declared dead
        // stops itself as soon as it reads the table, so the window for a duplicate activation stays small.
        builder.Configure<GrainDirectoryOptions>(o => o.RangeLeaseDuration = TimeSpan.FromSeconds(5));

        // Orleans caches where grains live for up to a million grains by default, and sizes the cache for that
        // up front: 9 to 18 MB of an empty node's 86 MB heap (dotnet-gcdump). A node calls its cluster's bucket
        // and replica grains and one node grain per member: twice that leaves room to spare.
        services.AddOptions<GrainDirectoryOptions>().Configure<IOptions<CacheOptions>>((directory, cache) =>
            directory.CacheSize = 2 * cache.Value.Buckets * cache.Value.ReplicationFactor + 1024);

        // One director serves all three strategies; Orleans resolves one per strategy type.
        builder.AddPlacementDirector<BucketPlacement>(sp => sp.GetRequiredService<CachePlacementDirector>());
        builder.AddPlacementDirector<ReplicaPlacement>(sp => sp.GetRequiredService<CachePlacementDirector>());
        builder.AddPlacementDirector<NamedNodePlacement>(sp => sp.GetRequiredService<CachePlacementDirector>());
        return builder;
    }
}
