using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using OrleansCache.ClientLibrary;
using OrleansCache.ClientLibrary.Discovery;

namespace OrleansCache.Tests.Infrastructure;

/// <summary>
/// An Orleans client in the test process, connected to a cluster of node processes the way an
/// application would be: given one node's gateway, it discovers the others.
/// </summary>
public sealed class ClusterClientHost : IDisposable
{
    private readonly IHost _host;

    private ClusterClientHost(IHost host)
    {
        _host = host;
        Cache = new CacheClient(host.Services.GetRequiredService<IClusterClient>());
    }

    /// <summary>The cache facade over this client.</summary>
    public CacheClient Cache { get; }

    /// <summary>The client's grains, for tests that call grain methods as any Orleans client could.</summary>
    public IGrainFactory Grains => _host.Services.GetRequiredService<IClusterClient>();

    /// <summary>Starts a client that discovers the cluster from the node at <paramref name="seedIp"/>, presenting
    /// <paramref name="certificate"/> to nodes that use TLS.</summary>
    public static async Task<ClusterClientHost> StartAsync(string seedIp, TimeSpan timeout, ClusterCertificate? certificate = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = "orleans-cache";
                o.ServiceId = "orleans-cache";
            });
            client.UseCacheClusterGateways(new IPEndPoint(IPAddress.Parse(seedIp), 30000), certificate: certificate);
        });
        var host = builder.Build();
        try
        {
            await host.StartAsync().WaitAsync(timeout);
            return new ClusterClientHost(host);
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _host.Dispose();
}
