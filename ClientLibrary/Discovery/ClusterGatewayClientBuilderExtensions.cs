using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Messaging;

namespace OrleansCache.ClientLibrary.Discovery;

/// <summary>
/// Connects an Orleans client to the cache cluster through any one of its nodes.
/// </summary>
public static class ClusterGatewayClientBuilderExtensions
{
    /// <summary>
    /// Makes the client discover every live gateway from the node at <paramref name="seed"/> and keep the
    /// list current, so it survives the death of that node (see <see cref="ClusterGatewayListProvider"/>).
    /// </summary>
    /// <param name="client">The client builder.</param>
    /// <param name="seed">The gateway endpoint of any node.</param>
    /// <param name="httpPort">The nodes' HTTP port (default 8080).</param>
    /// <param name="password">The nodes' <c>CACHE_PASSWORD</c>, if they have one.</param>
    /// <param name="certificate">When the nodes use TLS (<c>TLS_CERTIFICATE</c>), the certificate this client
    /// presents and trusts them by: discovery then uses HTTPS, and the gateway connections TLS with it.</param>
    public static IClientBuilder UseCacheClusterGateways(
        this IClientBuilder client, IPEndPoint seed, int httpPort = 8080, string? password = null, ClusterCertificate? certificate = null)
    {
        if (certificate is not null)
        {
            client.UseTls(certificate.Configure);
        }

        client.Services.Configure<ClusterGatewayOptions>(options =>
        {
            options.Seed = seed;
            options.HttpPort = httpPort;
            options.Password = password;
            options.Certificate = certificate;
        });
        client.Services.AddSingleton<IGatewayListProvider, ClusterGatewayListProvider>();
        return client;
    }
}
