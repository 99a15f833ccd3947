namespace OrleansCache.ClientLibrary.DistributedCaching;

/// <summary>
/// How <see cref="OrleansCacheServiceCollectionExtensions.AddOrleansCache(Microsoft.Extensions.DependencyInjection.IServiceCollection, Action{OrleansCacheOptions})"/>
/// reaches the cache cluster, and how its <see cref="OrleansDistributedCache"/> names keys. The defaults reach a
/// single node started on this machine with no settings (<c>dotnet run --project Silo</c>).
/// </summary>
/// <remarks>
/// The client is given one node and learns every other live node from it (<c>GET /cluster</c> on the node's HTTP
/// port), so it keeps working when that node dies. Checked by <see cref="OrleansCacheOptionsValidator"/> when the
/// host starts.
/// </remarks>
public sealed class OrleansCacheOptions
{
    /// <summary>The nodes' default <c>GATEWAY_PORT</c>.</summary>
    public const int DefaultGatewayPort = 30000;

    /// <summary>The nodes' default <c>HTTP_PORT</c>.</summary>
    public const int DefaultHttpPort = 8080;

    /// <summary>The nodes' default <c>CLUSTER_ID</c>.</summary>
    public const string DefaultClusterId = "orleans-cache";

    /// <summary>Any one node of the cluster: its <c>NODE_IP</c>, or a host name that resolves to it (default
    /// <c>127.0.0.1</c>). A host name is resolved once, when the client starts.</summary>
    public string Node { get; set; } = "127.0.0.1";

    /// <summary>The nodes' <c>GATEWAY_PORT</c>, where the Orleans client connects (default 30000).</summary>
    public int GatewayPort { get; set; } = DefaultGatewayPort;

    /// <summary>The nodes' <c>HTTP_PORT</c>, where the client discovers the other nodes (default 8080).</summary>
    public int HttpPort { get; set; } = DefaultHttpPort;

    /// <summary>The nodes' <c>CLUSTER_ID</c> (default <c>orleans-cache</c>), used as the Orleans cluster and service id.</summary>
    public string ClusterId { get; set; } = DefaultClusterId;

    /// <summary>The nodes' <c>CACHE_PASSWORD</c>, when they have one; <see langword="null"/> or empty for none.</summary>
    public string? Password { get; set; }

    /// <summary>
    /// Put before every key this application stores, so that applications sharing a cluster keep apart (as
    /// <c>RedisCacheOptions.InstanceName</c> does): with <c>"shop:"</c>, the key <c>cart/42</c> is stored as
    /// <c>shop:cart/42</c>. None by default. The prefix and the key together are at most 1024 bytes of UTF-8.
    /// </summary>
    public string? InstanceName { get; set; }

    /// <summary>
    /// How long the client keeps trying to connect when the application starts and no node answers yet (default
    /// 30 s), as when the application and the cluster start together; after that the host fails to start with
    /// the connection error. <see cref="TimeSpan.Zero"/> tries once.
    /// </summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
