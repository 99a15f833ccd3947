using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Runtime.Messaging;
using OrleansCache.ClientLibrary;
using OrleansCache.ClientLibrary.Discovery;

namespace OrleansCache.Client;

/// <summary>
/// An Orleans client connected to the cluster, and the cache facade over it. Disposing disconnects.
/// </summary>
public sealed class CacheConnection : IAsyncDisposable
{
    // A node that is still starting opens its gateway within a few seconds; retrying refused connections
    // that long covers it, while "no node there" is still reported soon after the first refusal.
    private static readonly TimeSpan ConnectRetryWindow = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ConnectRetryDelay = TimeSpan.FromSeconds(1);

    // Saying goodbye to the gateway takes milliseconds; a node that died meanwhile must not hold the exit.
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(3);

    private readonly IHost _host;

    private CacheConnection(IHost host)
    {
        _host = host;
        Cache = new CacheClient(host.Services.GetRequiredService<IClusterClient>());
        Stopping = host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
    }

    /// <summary>The cache facade over the connected client.</summary>
    public CacheClient Cache { get; }

    /// <summary>Cancelled when the user asks the process to stop (Ctrl+C, SIGTERM).</summary>
    public CancellationToken Stopping { get; }

    /// <summary>Connects to the cluster through the node <paramref name="command"/> names.</summary>
    /// <exception cref="OrleansException">No gateway accepted the connection.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired first.</exception>
    /// <param name="command">The command, which names the node.</param>
    /// <param name="certificate">For nodes that use TLS, the certificate to present and trust them by; the connection owns it.</param>
    /// <param name="cancellationToken">Gives up connecting.</param>
    public static async Task<CacheConnection> OpenAsync(ClientCommand command, ClusterCertificate? certificate, CancellationToken cancellationToken)
    {
        // No Args: the command line is ours, not configuration. The content root is the client's own folder,
        // so an appsettings.json where the user runs it (a node's, say) cannot change what the client prints.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = AppContext.BaseDirectory });

        // Orleans' own messages go to stderr and only from Warning up, so stdout carries just the answer.
        // Connection failures are left out: they reach the caller as the exception it prints as one line,
        // where Orleans would log every attempt with a stack trace (six warnings for one refused node).
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Orleans.Runtime.Messaging", LogLevel.None);
        builder.Logging.AddFilter("Orleans.Messaging", LogLevel.None);
        builder.Logging.AddFilter("Orleans.Connections.Security", LogLevel.None);
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);

        // Registered through a factory so that the host disposes it with itself.
        if (certificate is not null)
        {
            builder.Services.AddSingleton(_ => certificate);
        }

        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(cluster =>
            {
                cluster.ClusterId = command.ClusterId;
                cluster.ServiceId = command.ClusterId;
            });
            UseGateways(client, command.Node, command.Password, certificate);
            client.UseConnectionRetryFilter(RetryConnectingFor(ConnectRetryWindow));
        });

        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken);
            return new CacheConnection(host);
        }
        catch
        {
            await DisposeHostAsync(host);
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(StopTimeout);
        try
        {
            await _host.StopAsync(timeout.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or OrleansException)
        {
            // The command's answer is already printed; a gateway that is gone cannot change it.
        }

        await DisposeHostAsync(_host);
    }

    // The one place that decides which gateways the client talks to: every live one, discovered from the
    // node named on the command line through its HTTP port (HTTP_PORT, default 8080).
    private static void UseGateways(IClientBuilder client, IPEndPoint node, string? password, ClusterCertificate? certificate) =>
        client.UseCacheClusterGateways(node, int.TryParse(Environment.GetEnvironmentVariable("HTTP_PORT"), out int port) ? port : 8080, password, certificate);

    private static Func<Exception, CancellationToken, Task<bool>> RetryConnectingFor(TimeSpan window)
    {
        long started = Stopwatch.GetTimestamp();
        return async (exception, cancellationToken) =>
        {
            if (exception is not (ConnectionFailedException or OrleansMessageRejectionException)
                || Stopwatch.GetElapsedTime(started) + ConnectRetryDelay > window)
            {
                return false;
            }

            await Task.Delay(ConnectRetryDelay, cancellationToken);
            return true;
        };
    }

    private static async ValueTask DisposeHostAsync(IHost host)
    {
        if (host is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
        else
        {
            host.Dispose();
        }
    }
}
