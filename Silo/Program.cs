using Microsoft.Extensions.Options;
using Orleans.Dashboard;
using OrleansCache.Silo.Apis;
using OrleansCache.Silo.CacheView;
using OrleansCache.Silo.Configuration;
using OrleansCache.Silo.Health;
using OrleansCache.Silo.Hosting;
using OrleansCache.Silo.Http;
using OrleansCache.Silo.Membership;
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

    NodeSettings settings;
    try
    {
        settings = NodeSettings.Load(builder.Configuration);
    }
    catch (OptionsValidationException e)
    {
        Console.Error.WriteLine($"Orleans.Cache node not started: {string.Join(" ", e.Failures)}");
        return 2;
    }

    if (settings.Node.LogFormat == LogFormats.Json)
    {
        builder.Logging.AddJsonConsole(json =>
        {
            json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            json.UseUtcTimestamp = true;
        });
    }

    builder.WebHost.UseCacheEndpoints(settings.Node);
    builder.AddCacheTelemetry(settings.Node);
    builder.UseOrleans(silo => silo
        .UseCacheNode(settings.Node, settings.Cache.Buckets, restart.Carried?.Seed)
        .AddCacheGrains(cache =>
        {
            cache.Buckets = settings.Cache.Buckets;
            cache.ReplicationFactor = settings.Cache.ReplicationFactor;
            cache.MaxValueBytes = settings.Cache.MaxValueBytes;
            cache.MaxMemoryBytes = settings.Cache.MaxMemoryBytes;
            cache.EvictionPolicy = settings.Cache.EvictionPolicy;
            cache.MergePolicy = settings.Cache.MergePolicy;
            cache.HttpPort = settings.Cache.HttpPort;
        })
        .AddNodeRestart(restart)
        .AddCacheTracing(builder.Configuration)
        .AddDashboard());

    builder.Services.AddSingleton(new ClientPassword(settings.Node.CachePassword));
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
        Console.Error.WriteLine($"Orleans.Cache node {settings.Node.NodeId} stopped: {e.Message}");
        return 1;
    }
}
