using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Orleans.Configuration;
using OrleansCache.ClientLibrary.Discovery;
using OrleansCache.Grains;
using OrleansCache.Membership;
using OrleansCache.Silo.Configuration;
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
    /// <param name="certificate">The node's <c>TLS_CERTIFICATE</c>: set, silo and gateway connections use TLS, and
    /// gossip uses HTTPS.</param>
    public static ISiloBuilder UseCacheNode(this ISiloBuilder silo, NodeOptions node, int buckets, GossipSeed? seed = null, ClusterCertificate? certificate = null)
    {
        if (node.KubernetesHosting)
        {
            // Before the cache's own settings, which then win where both configure: the agent would name the silo
            // after the pod (the same name: the validator insists) and listen on every address, not NODE_IP's.
            silo.UseKubernetesHosting();
            silo.Configure<EndpointOptions>(o =>
            {
                o.SiloListeningEndpoint = node.SiloEndpoint;
                o.GatewayListeningEndpoint = new IPEndPoint(node.NodeIp, node.GatewayPort);
            });
        }

        silo.Configure<SiloOptions>(o => o.SiloName = node.NodeId);
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = node.ClusterId;
            o.ServiceId = node.ClusterId;
        });
        silo.ConfigureEndpoints(node.NodeIp, node.SiloPort, node.GatewayPort, listenOnAnyHostAddress: false);
        silo.Configure<CacheOptions>(o =>
        {
            o.HttpPort = node.HttpPort;
            o.HttpsOnly = certificate is not null;
        });
        silo.Configure<ClusterMembershipOptions>(ConfigureFailureDetection);
        if (certificate is not null)
        {
            silo.UseClusterTls(certificate);
        }

        return node.Clustering == ClusteringModes.AdoNet
            ? silo.UseAdoNetMembership(node)
            : silo.UseGossipClustering(node, buckets, seed, certificate);
    }

    /// <summary>
    /// The embedded gossip membership (<c>Membership/</c>) for this node's settings, and what the cache
    /// asks of it: the nodes outside its cluster, for <c>/cluster</c> and the merge of split clusters.
    /// </summary>
    private static ISiloBuilder UseGossipClustering(this ISiloBuilder silo, NodeOptions node, int buckets, GossipSeed? seed, ClusterCertificate? certificate)
    {
        var settings = new GossipMembershipSettings(
            node.NodeId, node.NodeIp.ToString(), node.LinkedNodeIp?.ToString(), node.HttpPort, node.ClusterId, buckets)
        {
            LinkedId = node.LinkedNodeId,
            ClusterSecret = node.ClusterSecret,
            Certificate = certificate,
            Seed = seed,
        };
        silo.UseGossipClustering(settings);
        silo.Services.AddSingleton<IClusterSplitWatch>(sp => new GossipSplitWatch(sp.GetRequiredService<GossipMembership>()));
        return silo;
    }

    /// <summary>
    /// Mutually authenticated TLS on the silo port (between nodes) and the gateway port (Orleans clients):
    /// each end presents its certificate and accepts the other's only if <paramref name="certificate"/>
    /// trusts it, so a client without a certificate of the cluster cannot connect.
    /// </summary>
    public static ISiloBuilder UseClusterTls(this ISiloBuilder silo, ClusterCertificate certificate) =>
        silo.UseTls(certificate.Configure);

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
    /// together at twice that, closing one more without a word. With a <paramref name="certificate"/>, both
    /// listeners speak TLS only (HTTPS, and the Redis protocol as <c>redis-cli --tls</c> does); clients
    /// authenticate with <c>CACHE_PASSWORD</c>, not a certificate.
    /// </summary>
    public static IWebHostBuilder UseCacheEndpoints(this IWebHostBuilder web, NodeOptions node, ClusterCertificate? certificate = null) =>
        web.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(node.NodeIp, node.HttpPort, listen => UseTlsIfSet(listen, certificate));
            kestrel.Listen(node.NodeIp, node.RespPort, listen =>
            {
                UseTlsIfSet(listen, certificate);
                listen.UseConnectionHandler<RespConnectionHandler>();
            });
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Limits.MaxConcurrentConnections = 2L * node.MaxClients;
            kestrel.Limits.MaxConcurrentUpgradedConnections = node.MaxClients;
        });

    private static void UseTlsIfSet(ListenOptions listen, ClusterCertificate? certificate)
    {
        if (certificate is not null)
        {
            listen.UseHttps(certificate.Certificate);
        }
    }
}
