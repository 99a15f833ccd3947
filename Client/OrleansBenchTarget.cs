using OrleansCache.ClientLibrary;
using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Client;

/// <summary>The cluster, through <see cref="CacheClient"/> (the Orleans client's grain calls).</summary>
internal sealed class OrleansBenchTarget(CacheClient cache, CacheValue value, string name) : IBenchTarget
{
    public string Name => name;

    public async Task<bool> GetAsync(string key) => await cache.GetAsync(key) is not null;

    public Task SetAsync(string key) => cache.SetAsync(key, value);
}
