using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansCache.Grains;
using OrleansCache.Grains.Interfaces;
using OrleansCache.Grains.Placement;
using OrleansCache.Grains.Routing;
using OrleansCache.Grains.Storage;

namespace Orleans.Hosting;

/// <summary>
/// Adds the cache's grains and routing to a silo.
/// </summary>
public static class CacheSiloBuilderExtensions
{
    /// <summary>
    /// Adds the bucket, replica, node and cluster grains, the hash placement director they need, and a
    /// <see cref="CacheClient"/> for code hosted with the silo. Call on every silo of the cluster.
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
        services.AddSingleton<IValidateOptions<CacheOptions>, CacheOptionsValidator>();
        services.AddSingleton<BucketMapProvider>();
        services.AddSingleton<LocalBucketCatalog>();
        services.AddSingleton<ClusterViewSource>();
        services.AddSingleton<CachePlacementDirector>();
        services.AddSingleton(sp =>
        {
            var value = sp.GetRequiredService<IOptions<CacheOptions>>().Value;
            return new CacheClient(
                sp.GetRequiredService<IGrainFactory>(),
                new CacheTopology(value.Buckets, value.ReplicationFactor, value.MaxValueBytes));
        });

        // One director serves all three strategies; Orleans resolves one per strategy type.
        builder.AddPlacementDirector<BucketPlacement>(sp => sp.GetRequiredService<CachePlacementDirector>());
        builder.AddPlacementDirector<ReplicaPlacement>(sp => sp.GetRequiredService<CachePlacementDirector>());
        builder.AddPlacementDirector<NamedNodePlacement>(sp => sp.GetRequiredService<CachePlacementDirector>());
        return builder;
    }
}
