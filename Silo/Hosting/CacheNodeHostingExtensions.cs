using Orleans.Configuration;
using OrleansCache.Silo.Configuration;

namespace OrleansCache.Silo.Hosting;

/// <summary>
/// Turns a node's settings into silo and web host configuration.
/// </summary>
public static class CacheNodeHostingExtensions
{
    /// <summary>
    /// Names the silo after <c>NODE_ID</c>, binds it to <c>NODE_IP</c> and chooses where membership is decided.
    /// </summary>
    public static ISiloBuilder UseCacheNode(this ISiloBuilder silo, NodeOptions node)
    {
        silo.Configure<SiloOptions>(o => o.SiloName = node.NodeId);
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = node.ClusterId;
            o.ServiceId = node.ClusterId;
        });
        silo.ConfigureEndpoints(node.NodeIp, node.SiloPort, node.GatewayPort, listenOnAnyHostAddress: false);
        if (node.Clustering == ClusteringModes.AdoNet)
        {
            return silo.UseAdoNetMembership(node);
        }

        // Membership: Orleans' development provider keeps the table on the first node (the linked node,
        // or this one when none is given). It stands in until the embedded gossip provider lands; its
        // limit is that every node must link to the same first node, and that node must stay up.
        silo.UseDevelopmentClustering(node.LinkedSiloEndpoint ?? node.SiloEndpoint);
        return silo;
    }

    /// <summary>Serves HTTP on <c>NODE_IP:HTTP_PORT</c> only; request body limits are enforced per route.</summary>
    public static IWebHostBuilder UseCacheHttpEndpoint(this IWebHostBuilder web, NodeOptions node) =>
        web.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(node.NodeIp, node.HttpPort);
            kestrel.Limits.MaxRequestBodySize = null;
        });
}
