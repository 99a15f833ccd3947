using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Serialization;
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
    public static ISiloBuilder UseGossipClustering(this ISiloBuilder silo, NodeOptions node, int buckets, Action<GossipOptions>? configure = null)
    {
        var settings = new GossipMembershipSettings(
            node.NodeId, node.NodeIp.ToString(), node.LinkedNodeIp?.ToString(), node.HttpPort, node.ClusterId, buckets);
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
        var options = new GossipOptions();
        configure?.Invoke(options);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new GossipMembership(
            settings,
            options,
            sp.GetRequiredService<Serializer>(),
            sp.GetRequiredService<DeepCopier>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<GossipMembership>>()));
        services.AddHostedService<GossipMembershipLifetime>();

        // Other nodes reach this one's membership over the HTTP port, so Kestrel must answer while the
        // silo is still joining: start hosted services together, not one after another.
        services.Configure<HostOptions>(o => o.ServicesStartConcurrently = true);
        return services;
    }
}
