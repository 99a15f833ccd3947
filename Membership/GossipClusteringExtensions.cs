using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Serialization;

namespace OrleansCache.Membership;

/// <summary>
/// Chooses the embedded gossip membership for a silo.
/// </summary>
public static class GossipClusteringExtensions
{
    /// <summary>
    /// Makes the silo find its cluster from its linked node and keep the membership table among the
    /// nodes themselves (see <see cref="GossipMembership"/>). The host must serve the membership routes
    /// (<see cref="MembershipRoutes"/>) on the HTTP port <paramref name="settings"/> names, handing their
    /// messages to <see cref="GossipMembership"/>; the cache node does so in <c>Silo/Apis/GossipMembershipApi.cs</c>.
    /// </summary>
    /// <param name="silo">The silo builder.</param>
    /// <param name="settings">This node and its cluster, as the gossip layer needs them.</param>
    /// <param name="configure">Changes the gossip timing (tests).</param>
    public static ISiloBuilder UseGossipClustering(this ISiloBuilder silo, GossipMembershipSettings settings, Action<GossipOptions>? configure = null)
    {
        silo.Services.AddGossipMembership(settings, configure);
        silo.Services.AddSingleton<IMembershipTable, GossipMembershipTable>();
        return silo;
    }

    /// <summary>
    /// Adds one node's gossip membership and the hosted service that runs it. Needs Orleans' serializer
    /// (a silo has it; elsewhere call <c>AddSerializer()</c>).
    /// </summary>
    public static IServiceCollection AddGossipMembership(this IServiceCollection services, GossipMembershipSettings settings, Action<GossipOptions>? configure = null)
    {
        var options = services.AddOptions<GossipOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.AddSingleton<IValidateOptions<GossipOptions>, GossipOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new GossipMembership(
            settings,
            sp.GetRequiredService<IOptions<GossipOptions>>().Value,
            sp.GetRequiredService<Serializer>(),
            sp.GetRequiredService<DeepCopier>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<GossipMembership>>(),
            LocalSilo(sp),
            sp.GetService<IClusterYieldHandler>()));
        services.AddHostedService<GossipMembershipLifetime>();

        // Other nodes reach this one's membership over the HTTP port, so Kestrel must answer while the
        // silo is still joining: start hosted services together, not one after another.
        services.Configure<HostOptions>(o => o.ServicesStartConcurrently = true);
        return services;
    }

    // The silo's address, read once the silo exists (a table test host has none).
    private static Func<SiloAddress?> LocalSilo(IServiceProvider services)
    {
        var silo = services.GetService<ILocalSiloDetails>();
        return () => silo?.SiloAddress;
    }
}
