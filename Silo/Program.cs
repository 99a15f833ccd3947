using Microsoft.Extensions.Options;
using Orleans.Dashboard;
using OrleansCache.ClientLibrary;
using OrleansCache.Grains;
using OrleansCache.Grains.Batching;
using OrleansCache.Grains.Interfaces;
using OrleansCache.Grains.Routing;
using OrleansCache.Grains.Storage;
using OrleansCache.Silo.Apis;
using OrleansCache.Silo.CacheView;
using OrleansCache.Silo.Configuration;
using OrleansCache.Silo.Health;
using OrleansCache.Silo.Hosting;
using OrleansCache.Silo.Http;
using OrleansCache.Silo.Security;
using OrleansCache.Silo.Telemetry;

// One cache node: an Orleans silo holding buckets, with the HTTP API, the dashboard and the Redis protocol in front of it.
// Every setting comes from the environment (see README, "Configuration").
// A node that must leave its cluster (it yields to another that it met, or it was declared dead) builds
// a new host in the same process and rejoins; see NodeRestart.
var restart = new NodeRestart();
while (true)
{
    // appsettings.json (quiet framework logging) is read from beside Silo.dll, wherever the node is started from.
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

    // Read and validated before the host is built, which needs some of them: where to listen, which membership.
    NodeOptions node;
    CacheOptions cache;
    try
    {
        (node, cache) = NodeSettings.Read(builder.Configuration);
    }
    catch (OptionsValidationException e)
    {
        return NotStarted(string.Join(" ", e.Failures));
    }

    builder.Services.AddNodeSettings(builder.Configuration);
    if (node.LogFormat == LogFormats.Json)
    {
        builder.Logging.AddJsonConsole(json =>
        {
            json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            json.UseUtcTimestamp = true;
        });
    }

    // TLS_CERTIFICATE, loaded once the validator has found it usable; null when TLS is off.
    using var certificate = node.LoadCertificate();
    builder.WebHost.UseCacheEndpoints(node, certificate);
    builder.AddCacheTelemetry(node);
    builder.UseOrleans(silo => silo
        .UseCacheNode(node, cache.Buckets, restart.Carried?.Seed, certificate)
        .AddCacheGrains()
        .AddNodeRestart(restart)
        .AddSiloOnlyCalls(node.ClusterSecret)
        .AddCacheTracing(builder.Configuration)
        .AddDashboard());

    // The one facade the HTTP API and the Redis protocol call; the cluster's topology is this node's settings.
    builder.Services.AddSingleton(services => new CacheClient(
        services.GetRequiredService<IGrainFactory>(),
        new CacheTopology(cache.Buckets, cache.ReplicationFactor, cache.MaxValueBytes),
        new SiloBuckets(
            services.GetRequiredService<BucketMapProvider>(),
            services.GetRequiredService<LocalReads>(),
            services.GetRequiredService<RemoteReads>(),
            services.GetRequiredService<ILocalSiloDetails>())));
    builder.Services.AddSingleton(new ClientPassword(node.CachePassword));
    builder.Services.AddNodeHealthChecks();
    builder.Services.AddProblemDetails();
    builder.Services.AddExceptionHandler<CacheExceptionHandler>();

    var app = builder.Build();
    app.UseHttpCommandTiming();
    app.UseExceptionHandler();
    app.UseClientPassword();
    app.UseStatusCodePages();
    app.UseKeyPathRouting("/get/", "/cache/", "/incr/");
    app.UseRouting();

    app.MapLegacyApi();
    app.MapCacheApi();
    app.MapBatchApi();
    app.MapCounterApi();
    app.MapStatsApi();
    app.MapClusterApi();
    app.MapNodeHealth();
    app.MapCacheMetrics();
    app.MapGossipMembership();
    app.MapOrleansDashboard(routePrefix: "/dashboard");
    app.MapCacheView();

    try
    {
        if (!await restart.RunAsync(app))
        {
            return 0;
        }
    }
    catch (Exception e) when (e is not OperationCanceledException)
    {
        // The silo could not start or stopped on an error (a port in use, membership unreachable, ...).
        Console.Error.WriteLine($"Orleans.Cache node {node.NodeId} stopped: {e.Message}");
        return 1;
    }
}

static int NotStarted(string reason)
{
    Console.Error.WriteLine($"Orleans.Cache node not started: {reason}");
    return 2;
}
