using OrleansCache.Grains.Interfaces.Routing;

namespace OrleansCache.Grains.Interfaces;

/// <summary>
/// The one way into the cache over Orleans: used by the HTTP API, the console client and the tests,
/// so that routing a key to its bucket lives in one place.
/// </summary>
/// <remarks>
/// Thread-safe; create one per <see cref="IGrainFactory"/> and share it. A client outside the cluster
/// learns the cluster's <see cref="CacheTopology"/> on first use; a silo passes its own.
/// </remarks>
public sealed class CacheClient
{
    private readonly IGrainFactory _grains;
    private CacheTopology? _topology;
    private IBucketGrain?[]? _bucketGrains;

    /// <summary>Creates a facade that asks the cluster for its topology on first use.</summary>
    public CacheClient(IGrainFactory grains)
    {
        _grains = grains;
    }

    /// <summary>Creates a facade for a cluster whose topology is already known (inside a silo).</summary>
    public CacheClient(IGrainFactory grains, CacheTopology topology)
    {
        _grains = grains;
        _topology = topology;
    }

    /// <summary>Returns the entry stored under <paramref name="key"/>, or <see langword="null"/> on a miss.</summary>
    /// <exception cref="CacheArgumentException">The key is invalid.</exception>
    public async Task<CacheEntry?> GetAsync(string key)
    {
        var bucket = await GetBucketGrainAsync(key);
        return await bucket.GetAsync(key);
    }

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/>; returns once every copy has it.</summary>
    /// <returns>The version of the new entry.</returns>
    /// <exception cref="CacheArgumentException">The key is invalid or the value too large.</exception>
    public async Task<long> SetAsync(string key, CacheValue value)
    {
        var topology = await GetTopologyAsync();
        if (value.Value.Length > topology.MaxValueBytes)
        {
            throw new CacheArgumentException(
                CacheArgumentError.ValueTooLarge,
                $"The value is {value.Value.Length} bytes; the limit is {topology.MaxValueBytes} (MAX_VALUE_BYTES).");
        }

        var bucket = await GetBucketGrainAsync(key);
        return await bucket.SetAsync(key, value);
    }

    /// <summary>Stores raw bytes under <paramref name="key"/>.</summary>
    public Task<long> SetAsync(string key, byte[] value) => SetAsync(key, new CacheValue(value, ValueFormat.Raw));

    /// <summary>Removes <paramref name="key"/> everywhere.</summary>
    /// <returns><see langword="true"/> when the key existed.</returns>
    public async Task<bool> DeleteAsync(string key)
    {
        var bucket = await GetBucketGrainAsync(key);
        return await bucket.DeleteAsync(key);
    }

    /// <summary>Reports which nodes hold the copies of <paramref name="key"/>'s bucket.</summary>
    public async Task<BucketLocation> LocateAsync(string key)
    {
        var bucket = await GetBucketGrainAsync(key);
        return await bucket.LocateAsync();
    }

    /// <summary>Returns every entry held on the node whose <c>NODE_ID</c> is <paramref name="nodeId"/>.</summary>
    /// <exception cref="CacheArgumentException">No active node has that id.</exception>
    public async Task<IReadOnlyDictionary<string, CacheEntry>> DumpNodeAsync(string nodeId)
    {
        var view = await GetClusterAsync();
        bool known = false;
        foreach (var member in view.Members)
        {
            known |= member.Id == nodeId && member.Status == "Active";
        }

        if (!known)
        {
            throw new CacheArgumentException(CacheArgumentError.UnknownNode, $"No active node has NODE_ID '{nodeId}'.");
        }

        return await _grains.GetGrain<INodeGrain>(nodeId).DumpAsync();
    }

    /// <summary>Returns the cluster's members as the node that answers sees them.</summary>
    public Task<ClusterView> GetClusterAsync() => _grains.GetGrain<IClusterGrain>(0).GetViewAsync();

    /// <summary>Returns the bucket count, replication factor and value limit of the cluster.</summary>
    public async ValueTask<CacheTopology> GetTopologyAsync()
    {
        // Benign race: concurrent first calls may each ask; they all get the same answer.
        return _topology ??= await _grains.GetGrain<IClusterGrain>(0).GetTopologyAsync();
    }

    /// <summary>Returns the bucket <paramref name="key"/> belongs to.</summary>
    public async ValueTask<int> GetBucketAsync(string key)
    {
        ThrowIfInvalidKey(key);
        var topology = await GetTopologyAsync();
        return KeyHasher.GetBucket(key, topology.Buckets);
    }

    private async ValueTask<IBucketGrain> GetBucketGrainAsync(string key)
    {
        int bucket = await GetBucketAsync(key);

        // GetGrain looks the interface type up by reflection on every call: 4.9% of a node's CPU time under
        // redis-benchmark GETs (dotnet-trace, docs/benchmarks.md). A grain reference never changes; keep one per
        // bucket. Racing first calls may each create one; either is as good.
        var references = _bucketGrains ??= new IBucketGrain?[(await GetTopologyAsync()).Buckets];
        return references[bucket] ??= _grains.GetGrain<IBucketGrain>(bucket);
    }

    private static void ThrowIfInvalidKey(string key)
    {
        if (CacheKeys.Validate(key) is { } problem)
        {
            throw new CacheArgumentException(CacheArgumentError.InvalidKey, problem);
        }
    }
}
