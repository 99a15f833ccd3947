using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansCache.ClientLibrary;
using OrleansCache.ClientLibrary.DistributedCaching;

namespace OrleansCache.Tests.DistributedCache;

/// <summary>
/// An application's host in the test process, set up as an application would set it up (its own service
/// provider, <c>AddOrleansCache</c>, <c>AddHybridCache</c>), and started. Disposing stops it.
/// </summary>
public sealed class CacheApp : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly IHost _host;

    private CacheApp(IHost host)
    {
        _host = host;
    }

    /// <summary>The application's services.</summary>
    public IServiceProvider Services => _host.Services;

    /// <summary>The <see cref="IDistributedCache"/> the application resolves.</summary>
    public IDistributedCache DistributedCache => Services.GetRequiredService<IDistributedCache>();

    /// <summary>The application's HybridCache, whose distributed layer is the cluster.</summary>
    public HybridCache HybridCache => Services.GetRequiredService<HybridCache>();

    /// <summary>The <see cref="CacheClient"/> the application's cache goes through, for looking at what it stored.</summary>
    public CacheClient Cache => Services.GetRequiredService<CacheClient>();

    /// <summary>Starts an application that uses the cluster through the node at <paramref name="node"/>.</summary>
    public static Task<CacheApp> StartAsync(string node, TimeSpan timeout, Action<OrleansCacheOptions>? configure = null) =>
        StartAsync(
            services => services.AddOrleansCache(options =>
            {
                options.Node = node;
                configure?.Invoke(options);
            }),
            timeout);

    /// <summary>Starts an application whose services <paramref name="configure"/> sets up, with HybridCache.</summary>
    public static async Task<CacheApp> StartAsync(Action<IServiceCollection> configure, TimeSpan timeout)
    {
        var host = Build(configure);
        try
        {
            await host.StartAsync().WaitAsync(timeout);
            return new CacheApp(host);
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    /// <summary>Builds, without starting, the host <see cref="StartAsync(Action{IServiceCollection}, TimeSpan)"/> starts.</summary>
    public static IHost Build(Action<IServiceCollection> configure)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        configure(builder.Services);
        builder.Services.AddHybridCache();
        return builder.Build();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _host.StopAsync().WaitAsync(StopTimeout);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException or OrleansException)
        {
            // A cluster already gone cannot be said goodbye to; the host is disposed all the same.
        }

        _host.Dispose();
    }
}
