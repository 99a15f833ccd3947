using Microsoft.Extensions.Caching.Hybrid;
using OrleansCache.ClientLibrary;
using OrleansCache.ClientLibrary.DistributedCaching;
using OrleansCache.Samples.HybridCacheSample;

var builder = WebApplication.CreateBuilder(args);

// HybridCache keeps values in this process (L1) and in the cache cluster (L2), reached through any one node: over
// the Orleans client by default, or, with CACHE_REDIS set to a node's RESP endpoint, through Microsoft's own Redis
// cache, unchanged.
if (builder.Configuration["CACHE_REDIS"] is { Length: > 0 } redis)
{
    builder.Services.AddStackExchangeRedisCache(options => options.Configuration = redis);
}
else
{
    builder.Services.AddOrleansCache(options => options.Node = builder.Configuration["CACHE_NODE"] ?? "127.0.0.1");
}

builder.Services.AddHybridCache();
builder.Services.AddSingleton<WeatherStation>();

var app = builder.Build();

// The factory runs only when neither this process nor the cluster has the forecast: once per city across every
// instance of the app, for as long as the entry lives (HybridCache's default: 5 minutes).
app.MapGet("/weather/{city}", async (string city, HybridCache cache, WeatherStation station, CancellationToken cancellationToken) =>
    await cache.GetOrCreateAsync($"weather:{city}", async token => await station.ForecastAsync(city, token), cancellationToken: cancellationToken));

// How many forecasts this instance computed itself.
app.MapGet("/factory-calls", (WeatherStation station) => new { calls = station.FactoryCalls });

// The facade itself, for what IDistributedCache cannot say: an atomic counter shared by every instance of the app.
if (app.Services.GetService<CacheClient>() is not null)
{
    app.MapPost("/visits", async (CacheClient cache) => new { visits = await cache.IncrementAsync("sample:visits") });
}

app.Run();
