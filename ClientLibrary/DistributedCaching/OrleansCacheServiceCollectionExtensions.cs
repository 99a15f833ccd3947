using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using OrleansCache.ClientLibrary.Discovery;

namespace OrleansCache.ClientLibrary.DistributedCaching;

/// <summary>
/// Registers the cache cluster as the application's <see cref="IDistributedCache"/> (and so as HybridCache's
/// distributed layer).
/// </summary>
public static class OrleansCacheServiceCollectionExtensions
{
    /// <summary>
    /// Registers an Orleans client of the cache cluster reached through <see cref="OrleansCacheOptions.Node"/>, a
    /// <see cref="CacheClient"/> over it, and <see cref="OrleansDistributedCache"/> as <see cref="IDistributedCache"/>.
    /// </summary>
    /// <remarks>
    /// <para>The client starts with the application's host (Generic Host or <c>WebApplication</c>), which first
    /// checks the options (<see cref="OrleansCacheOptionsValidator"/>) and stops with what to fix when they are
    /// wrong; it then waits up to <see cref="OrleansCacheOptions.ConnectTimeout"/> for a node to answer. From the
    /// node it is given it learns every live node, and it keeps working when that node dies.</para>
    /// <para>This is the application's Orleans client. An application that has an Orleans client of its own for
    /// the cache cluster (to use TLS, say, or other clustering) registers that one and calls
    /// <see cref="AddOrleansCache(IServiceCollection)"/> instead; calling this overload after an Orleans client
    /// is registered throws <see cref="InvalidOperationException"/>, rather than quietly reconfigure that client.
    /// Registered last, this <see cref="IDistributedCache"/> is the one resolved, as with
    /// <c>AddStackExchangeRedisCache</c>.</para>
    /// </remarks>
    /// <param name="services">The application's services.</param>
    /// <param name="configure">Sets the options; applied when they are first needed, so it may read configuration.</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="InvalidOperationException">An Orleans client (or silo) is already registered.</exception>
    public static IServiceCollection AddOrleansCache(this IServiceCollection services, Action<OrleansCacheOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        foreach (var service in services)
        {
            if (service.ServiceType == typeof(IClusterClient))
            {
                throw new InvalidOperationException(
                    "An Orleans client is already registered. To use it for the cache, call AddOrleansCache() without options; "
                    + "to let AddOrleansCache(options => …) make the client, remove the other registration.");
            }
        }

        AddOptions(services).Configure(configure);
        services.AddOrleansClient(client =>
        {
            // The seed given here is a placeholder: the options below replace it (and the rest of the gateway
            // options) from OrleansCacheOptions once those are known, so they may come from configuration.
            client.UseCacheClusterGateways(new IPEndPoint(IPAddress.Loopback, OrleansCacheOptions.DefaultGatewayPort));
            client.UseConnectionRetryFilter<OrleansCacheConnectRetry>();
        });
        services.AddOptions<ClusterOptions>().Configure<IOptions<OrleansCacheOptions>>((cluster, cache) =>
        {
            cluster.ClusterId = cache.Value.ClusterId;
            cluster.ServiceId = cache.Value.ClusterId;
        });
        services.AddOptions<ClusterGatewayOptions>().Configure<IOptions<OrleansCacheOptions>>((gateways, cache) =>
        {
            gateways.Seed = new IPEndPoint(ResolveNode(cache.Value.Node), cache.Value.GatewayPort);
            gateways.HttpPort = cache.Value.HttpPort;
            gateways.Password = string.IsNullOrEmpty(cache.Value.Password) ? null : cache.Value.Password;
        });
        return AddDistributedCache(services);
    }

    /// <summary>
    /// Registers <see cref="OrleansDistributedCache"/> as <see cref="IDistributedCache"/> over the Orleans client the
    /// application registered itself (<c>UseOrleansClient</c>, connected to the cache cluster), and a
    /// <see cref="CacheClient"/> over that client unless one is registered.
    /// </summary>
    /// <remarks>
    /// Of <see cref="OrleansCacheOptions"/> only <see cref="OrleansCacheOptions.InstanceName"/> applies here; set it
    /// with <c>services.Configure&lt;OrleansCacheOptions&gt;(…)</c>. Meant for an application that is an Orleans
    /// client; inside a silo, calls to grains on the same silo are not serialized, and values read could share
    /// their arrays with the cache's own copies.
    /// </remarks>
    /// <param name="services">The application's services.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddOrleansCache(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        AddOptions(services);
        return AddDistributedCache(services);
    }

    private static OptionsBuilder<OrleansCacheOptions> AddOptions(IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OrleansCacheOptions>, OrleansCacheOptionsValidator>());
        return services.AddOptions<OrleansCacheOptions>().ValidateOnStart();
    }

    private static IServiceCollection AddDistributedCache(IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(static provider => new CacheClient(provider.GetService<IClusterClient>() ?? throw new InvalidOperationException(
            "AddOrleansCache() uses the application's own Orleans client, and none is registered: "
            + "register one with UseOrleansClient(…), or call AddOrleansCache(options => …), which registers one.")));
        services.TryAddSingleton<OrleansDistributedCache>();
        services.AddSingleton<IDistributedCache>(static provider => provider.GetRequiredService<OrleansDistributedCache>());
        return services;
    }

    // A host name is resolved once, as the client starts; IPv4 first, as the nodes' NODE_IP usually is.
    private static IPAddress ResolveNode(string node)
    {
        if (IPAddress.TryParse(node, out var address))
        {
            return address;
        }

        IPAddress[] addresses;
        try
        {
            addresses = Dns.GetHostAddresses(node);
        }
        catch (SocketException e)
        {
            throw new InvalidOperationException($"OrleansCacheOptions.Node '{node}' does not resolve to an address: {e.Message}", e);
        }

        foreach (var candidate in addresses)
        {
            if (candidate.AddressFamily == AddressFamily.InterNetwork)
            {
                return candidate;
            }
        }

        return addresses.Length > 0
            ? addresses[0]
            : throw new InvalidOperationException($"OrleansCacheOptions.Node '{node}' resolves to no address.");
    }
}
