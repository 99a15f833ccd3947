using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using OrleansCache.Grains;
using OrleansCache.Grains.Interfaces.Discovery;
using OrleansCache.Silo.Configuration;

namespace OrleansCache.Silo.Membership;

/// <summary>
/// Chooses the embedded gossip membership for a silo.
/// </summary>
public static class GossipClusteringExtensions
{
    /// <summary>
    /// Makes the silo find its cluster from <c>LINKED_NODE_IP</c> and keep the membership table among
    /// the nodes themselves (see <see cref="GossipMembership"/>). Needs the node's HTTP API mapped with
    /// <see cref="GossipMembershipApi.MapGossipMembership"/>.
    /// </summary>
    /// <param name="silo">The silo builder.</param>
    /// <param name="node">The node's settings.</param>
    /// <param name="buckets">The cluster's <c>BUCKETS</c>, which every member must share.</param>
    /// <param name="seed">Set when the node restarts its silo to join another cluster.</param>
    /// <param name="certificate">The node's <c>TLS_CERTIFICATE</c>: set, nodes gossip over HTTPS and trust each other by it.</param>
    /// <param name="configure">Changes the gossip timing (tests).</param>
    public static ISiloBuilder UseGossipClustering(
        this ISiloBuilder silo, NodeOptions node, int buckets, GossipSeed? seed = null, ClusterCertificate? certificate = null, Action<GossipOptions>? configure = null)
    {
        var settings = new GossipMembershipSettings(
            node.NodeId, node.NodeIp.ToString(), node.LinkedNodeIp?.ToString(), node.HttpPort, node.ClusterId, buckets)
        {
            LinkedId = node.LinkedNodeId,
            ClusterSecret = node.ClusterSecret,
            Certificate = certificate,
            Seed = seed,
        };
        silo.Services.AddGossipMembership(settings, configure);
        silo.Services.AddSingleton<IMembershipTable, GossipMembershipTable>();
        silo.Services.AddSingleton<IClusterSplitWatch>(sp => sp.GetRequiredService<GossipMembership>());
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
