using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using OrleansCache.Grains.Interfaces;
using OrleansCache.Grains.Interfaces.Routing;
using OrleansCache.Grains.Placement;
using OrleansCache.Grains.Routing;
using OrleansCache.Grains.Storage;

namespace OrleansCache.Grains;

/// <summary>
/// Answers for one node (its key is the node's <c>NODE_ID</c>, and it is placed on that node).
/// </summary>
[NamedNodePlacement]
[Reentrant] // Reads other grains and forwards replica writes; overlapping calls share only the reference cache, touched between awaits.
public sealed class NodeGrain(
    LocalBucketCatalog catalog,
    LocalReads reads,
    BucketMapProvider maps,
    NodeMemory memory,
    NodeCounters counters,
    ILocalSiloDetails silo,
    IOptions<CacheOptions> options) : Grain, INodeGrain
{
    // Replica references by key: GetGrain resolves the interface by reflection on every call (see CacheClient).
    // Turns of this grain never run at once, reentrant as it is, so a plain dictionary is safe.
    private readonly Dictionary<long, IReplicaGrain> _replicas = [];
    private readonly Dictionary<int, IBucketGrain> _buckets = [];

    /// <inheritdoc />
    public async Task<ReplicaApplyResult[]> ApplyReplicaWritesAsync(ReplicaWrites[] batch)
    {
        var calls = new Task<bool>[batch.Length];
        for (int i = 0; i < batch.Length; i++)
        {
            var (key, writes) = batch[i];
            if (!_replicas.TryGetValue(key, out var replica))
            {
                _replicas[key] = replica = GrainFactory.GetGrain<IReplicaGrain>(key);
            }

            calls[i] = writes.Length == 1 ? replica.ApplyAsync(writes[0]) : replica.ApplyManyAsync(writes);
        }

        return await AnswerEachAsync(calls, static applied => new ReplicaApplyResult(applied, Failure: null), static failure => new ReplicaApplyResult(false, failure));
    }

    /// <inheritdoc />
    public async Task<BucketShareResult[]> GetSharesAsync(BucketKeys[] shares)
    {
        // Shares of primaries active here are read from their committed state; only the rest cost a bucket call.
        var calls = new Task<CacheEntry?[]>[shares.Length];
        for (int i = 0; i < shares.Length; i++)
        {
            var entries = new CacheEntry?[shares[i].Keys.Length];
            calls[i] = reads.TryRead(shares[i].Bucket, shares[i].Keys, entries)
                ? Task.FromResult(entries)
                : Bucket(shares[i].Bucket).GetManyAsync(shares[i].Keys);
        }

        return await AnswerEachAsync(calls, static entries => new BucketShareResult(entries, Failure: null), static failure => new BucketShareResult(Entries: null, failure));
    }

    /// <inheritdoc />
    public async Task<BucketShareResult[]> SetSharesAsync(BucketEntries[] shares, CacheExpiry? expiry)
    {
        var calls = new Task<bool>[shares.Length];
        for (int i = 0; i < shares.Length; i++)
        {
            calls[i] = WrittenAsync(Bucket(shares[i].Bucket).SetManyAsync(shares[i].Entries, expiry));
        }

        return await AnswerEachAsync(calls, static _ => new BucketShareResult(Entries: null, Failure: null), static failure => new BucketShareResult(Entries: null, failure));

        static async Task<bool> WrittenAsync(Task write)
        {
            await write;
            return true;
        }
    }

    /// <inheritdoc />
    public Task<NodeStats> GetStatsAsync() => Task.FromResult(new NodeStats(
        silo.Name,
        memory.PrimaryKeys,
        memory.ReplicaKeys,
        memory.Bytes,
        memory.Budget,
        options.Value.EvictionPolicy == EvictionPolicy.Lru ? "lru" : "noeviction",
        counters.Hits,
        counters.Misses,
        counters.Evictions,
        counters.Expirations)
    {
        ExpiringKeys = memory.ExpiringKeys,
    });

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, CacheEntry>> DumpAsync()
    {
        var copies = new List<Task<BucketSnapshot?>>();
        foreach (long bucket in catalog.Primaries)
        {
            copies.Add(SnapshotOf(GrainFactory.GetGrain<IBucketGrain>(bucket)));
        }

        foreach (long replica in catalog.Replicas)
        {
            copies.Add(GrainFactory.GetGrain<IReplicaGrain>(replica).GetSnapshotAsync());
        }

        var entries = new Dictionary<string, CacheEntry>(StringComparer.Ordinal);
        foreach (var snapshot in await Task.WhenAll(copies))
        {
            foreach (var (key, entry) in snapshot?.Entries ?? BucketSnapshot.Empty.Entries)
            {
                entries[key] = entry;
            }
        }

        return entries;
    }

    /// <inheritdoc />
    public Task NodeLeavingAsync(SiloAddress leaving)
    {
        maps.MarkLeaving(leaving);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<bool> HoldsReplicaAsync(long replicaKey) => Task.FromResult(catalog.Contains(replicaKey, replica: true));

    /// <inheritdoc />
    public Task<int?> CountCopiesOwedToAsync(string nodeId)
    {
        var map = maps.Current;
        if (!map.Nodes.Contains(nodeId))
        {
            return Task.FromResult<int?>(null);
        }

        int owed = catalog.Primaries.Count(bucket => map.GetNode((int)bucket, rank: 0) == nodeId);
        owed += catalog.Replicas.Count(key => map.GetNode(ReplicaKey.GetBucket(key), ReplicaKey.GetRank(key)) == nodeId);
        return Task.FromResult<int?>(nodeId == silo.Name ? 0 : owed);
    }

    private static async Task<BucketSnapshot?> SnapshotOf(IBucketGrain bucket) => await bucket.GetSnapshotAsync();

    // Awaits every call of a batch; a call's failure becomes its own answer instead of failing the whole batch.
    private static async Task<TResult[]> AnswerEachAsync<T, TResult>(Task<T>[] calls, Func<T, TResult> answered, Func<Exception, TResult> failed)
    {
        var results = new TResult[calls.Length];
        for (int i = 0; i < calls.Length; i++)
        {
            try
            {
                results[i] = answered(await calls[i]);
            }
            catch (Exception exception)
            {
                results[i] = failed(exception);
            }
        }

        return results;
    }

    private IBucketGrain Bucket(int bucket)
    {
        if (!_buckets.TryGetValue(bucket, out var grain))
        {
            _buckets[bucket] = grain = GrainFactory.GetGrain<IBucketGrain>(bucket);
        }

        return grain;
    }
}
