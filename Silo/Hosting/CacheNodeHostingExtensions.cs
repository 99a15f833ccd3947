using Microsoft.AspNetCore.Connections;
using Orleans.Configuration;
using OrleansCache.Grains;
using OrleansCache.Silo.Configuration;
using OrleansCache.Silo.Membership;
using OrleansCache.Silo.Resp;

namespace OrleansCache.Silo.Hosting;

/// <summary>
/// Turns a node's settings into silo and web host configuration.
/// </summary>
public static class CacheNodeHostingExtensions
{
    /// <summary>
    /// Names the silo after <c>NODE_ID</c>, binds it to <c>NODE_IP</c> (Orleans' ports from <c>SILO_PORT</c> and
    /// <c>GATEWAY_PORT</c>, the cache's view of the HTTP port from <c>HTTP_PORT</c>) and chooses where membership is decided.
    /// </summary>
    /// <param name="silo">The silo builder.</param>
    /// <param name="node">The node's settings.</param>
    /// <param name="buckets">The cluster's <c>BUCKETS</c>.</param>
    /// <param name="seed">Under gossip membership, set when the node restarts its silo to join another cluster.</param>
    public static ISiloBuilder UseCacheNode(this ISiloBuilder silo, NodeOptions node, int buckets, GossipSeed? seed = null)
    {
        silo.Configure<SiloOptions>(o => o.SiloName = node.NodeId);
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = node.ClusterId;
            o.ServiceId = node.ClusterId;
        });
        silo.ConfigureEndpoints(node.NodeIp, node.SiloPort, node.GatewayPort, listenOnAnyHostAddress: false);
        silo.Configure<CacheOptions>(o => o.HttpPort = node.HttpPort);
        silo.Configure<ClusterMembershipOptions>(ConfigureFailureDetection);
        return node.Clustering == ClusteringModes.AdoNet
            ? silo.UseAdoNetMembership(node)
            : silo.UseGossipClustering(node, buckets, seed);
    }

    /// <summary>
    /// Lets the node leave its cluster and come back as a new silo without exiting (see <see cref="NodeRestart"/>):
    /// when gossip decides its cluster yields to another, and when Orleans finds it declared dead. The new
    /// silo merges the entries the old one held into the cluster it joins. Needs <c>AddCacheGrains</c>.
    /// </summary>
    public static ISiloBuilder AddNodeRestart(this ISiloBuilder silo, NodeRestart restart)
    {
        silo.Services.AddSingleton(restart);
        silo.Services.AddSingleton<ClusterYieldHandler>();
        silo.Services.AddSingleton<IClusterYieldHandler>(sp => sp.GetRequiredService<ClusterYieldHandler>());
        silo.Services.AddSingleton<IFatalErrorHandler, RejoinWhenDeclaredDead>();
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, CarriedEntriesMerger>();
        return silo;
    }

    /// <summary>
    /// Failure detection tuned for a cache, whose clients wait while a dead node's buckets are not served:
    /// each silo probes others every second and suspects one after two missed probes; two votes (or half
    /// the live silos, if fewer) declare it dead. Measured: a kill -9'd node is declared dead in about
    /// 3 s on loopback (Orleans' defaults, 5 s probes and 3 misses, took ~11.5 s). Probe timeouts still
    /// stretch when a silo finds itself degraded, which keeps load from causing false deaths.
    /// </summary>
    public static void ConfigureFailureDetection(ClusterMembershipOptions options)
    {
        options.ProbeTimeout = TimeSpan.FromSeconds(1);
        options.NumMissedProbesLimit = 2;
        options.NumVotesForDeathDeclaration = 2;
        options.TableRefreshTimeout = TimeSpan.FromSeconds(5);
        options.DefunctSiloExpiration = TimeSpan.FromHours(1);
        options.DefunctSiloCleanupPeriod = TimeSpan.FromMinutes(10);
    }

    /// <summary>
    /// Serves HTTP on <c>NODE_IP:HTTP_PORT</c> only (request body limits are enforced per route), and the
    /// Redis protocol on <c>NODE_IP:RESP_PORT</c>. The Redis listener refuses connections beyond <c>MAX_CLIENTS</c>
    /// itself, in Redis's words (<see cref="RespConnectionHandler"/>); Kestrel bounds both listeners' connections
    /// together at twice that, closing one more without a word.
    /// </summary>
    public static IWebHostBuilder UseCacheEndpoints(this IWebHostBuilder web, NodeOptions node) =>
        web.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(node.NodeIp, node.HttpPort);
            kestrel.Listen(node.NodeIp, node.RespPort, listen => listen.UseConnectionHandler<RespConnectionHandler>());
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Limits.MaxConcurrentConnections = 2L * node.MaxClients;
            kestrel.Limits.MaxConcurrentUpgradedConnections = node.MaxClients;
        });
}
