using System.Runtime.ExceptionServices;
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
    // A read the primary has not answered in this long is tried on a replica. Reads take well under a
    // millisecond when the primary is healthy; a node that died answers nothing until declared dead (~1 s).
    private static readonly TimeSpan ReadFallbackAfter = TimeSpan.FromSeconds(2);

    // Tries of a call Orleans rejects undelivered: 50 + 100 + 150 ms of waiting covers a silo's last
    // moments of stopping, which rejected writes during hand-off in the data-safety tests.
    private const int RejectedAttempts = 4;

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
    /// <remarks>
    /// Reads go to the bucket's primary. When it does not answer (its node died and is not declared dead
    /// yet, or it is busy recovering), the read is served by a replica that holds a complete copy: every
    /// acknowledged write is on it, so the answer is never older than one.
    /// </remarks>
    /// <exception cref="CacheArgumentException">The key is invalid.</exception>
    public async Task<CacheEntry?> GetAsync(string key)
    {
        int bucket = await GetBucketAsync(key);
        var grain = await GetBucketGrainAsync(bucket);
        try
        {
            return await RetryRejectedAsync(static s => s.grain.GetAsync(s.key).WaitAsync(ReadFallbackAfter), (grain, key));
        }
        catch (Exception primaryFailure) when (primaryFailure is not CacheArgumentException)
        {
            return await ReadFromReplicaAsync(bucket, key, primaryFailure);
        }
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
        return await RetryRejectedAsync(static s => s.bucket.SetAsync(s.key, s.value), (bucket, key, value));
    }

    /// <summary>Stores raw bytes under <paramref name="key"/>.</summary>
    public Task<long> SetAsync(string key, byte[] value) => SetAsync(key, new CacheValue(value, ValueFormat.Raw));

    /// <summary>Removes <paramref name="key"/> everywhere.</summary>
    /// <returns><see langword="true"/> when the key existed.</returns>
    public async Task<bool> DeleteAsync(string key)
    {
        var bucket = await GetBucketGrainAsync(key);
        return await RetryRejectedAsync(static s => s.bucket.DeleteAsync(s.key), (bucket, key));
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

    /// <summary>
    /// Runs <paramref name="call"/>, again if Orleans rejected it: a rejected message was never run (a silo
    /// stopping or not yet knowing a new activation), so repeating it cannot apply a write twice.
    /// </summary>
    private static async Task<TResult> RetryRejectedAsync<TState, TResult>(Func<TState, Task<TResult>> call, TState state)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await call(state);
            }
            catch (OrleansMessageRejectionException) when (attempt < RejectedAttempts)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50 * attempt));
            }
        }
    }

    private async Task<CacheEntry?> ReadFromReplicaAsync(int bucket, string key, Exception primaryFailure)
    {
        var topology = await GetTopologyAsync();
        for (int rank = 1; rank < topology.ReplicationFactor; rank++)
        {
            try
            {
                return await _grains.GetGrain<IReplicaGrain>(ReplicaKey.Create(bucket, rank)).GetAsync(key).WaitAsync(ReadFallbackAfter);
            }
            catch (Exception)
            {
                // This copy cannot answer either; try the next one.
            }
        }

        ExceptionDispatchInfo.Throw(primaryFailure);
        return null;
    }

    private async ValueTask<IBucketGrain> GetBucketGrainAsync(string key) => await GetBucketGrainAsync(await GetBucketAsync(key));

    private async ValueTask<IBucketGrain> GetBucketGrainAsync(int bucket)
    {
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
