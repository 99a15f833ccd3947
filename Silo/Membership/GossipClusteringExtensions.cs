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
        var options = new GossipOptions();
        configure?.Invoke(options);
        var settings = new GossipMembershipSettings(
            node.NodeId, node.NodeIp.ToString(), node.LinkedNodeIp?.ToString(), node.HttpPort, node.ClusterId, buckets);

        var services = silo.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new GossipMembership(
            settings,
            options,
            sp.GetRequiredService<Serializer>(),
            sp.GetRequiredService<DeepCopier>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<GossipMembership>>()));
        services.AddSingleton<IMembershipTable, GossipMembershipTable>();
        services.AddHostedService<GossipMembershipLifetime>();

        // Other nodes reach this one's membership over the HTTP port, so Kestrel must answer while the
        // silo is still joining: start hosted services together, not one after another.
        services.Configure<HostOptions>(o => o.ServicesStartConcurrently = true);
        return silo;
    }
}
