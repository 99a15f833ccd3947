using System.Net;

namespace OrleansCache.ClientLibrary.Discovery;

/// <summary>
/// Where a client starts looking for the cluster's gateways.
/// </summary>
public sealed class ClusterGatewayOptions
{
    /// <summary>The gateway endpoint of any one node (its <c>NODE_IP</c> and <c>GATEWAY_PORT</c>).</summary>
    public IPEndPoint Seed { get; set; } = new(IPAddress.Loopback, 30000);

    /// <summary>The nodes' HTTP port (<c>HTTP_PORT</c>, default 8080), where <c>GET /cluster</c> lists the members.</summary>
    public int HttpPort { get; set; } = 8080;

    /// <summary>The nodes' <c>CACHE_PASSWORD</c>, sent as <c>Authorization: Bearer</c> to <c>GET /cluster</c>; none when null.</summary>
    public string? Password { get; set; }

    /// <summary>
    /// The certificate the client presents to the nodes when they use TLS (<c>TLS_CERTIFICATE</c>), by which it
    /// also trusts them; none (plain HTTP and TCP) when null.
    /// </summary>
    public ClusterCertificate? Certificate { get; set; }

    /// <summary>How often the list of live gateways is refreshed (default 5 s).</summary>
    public TimeSpan RefreshPeriod { get; set; } = TimeSpan.FromSeconds(5);
}
