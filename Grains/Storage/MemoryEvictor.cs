using Microsoft.Extensions.Logging;
using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Grains.Storage;

/// <summary>
/// Keeps this silo within <c>MAX_MEMORY_BYTES</c> under <c>EVICTION_POLICY=lru</c>: while the entries weigh more
/// than the budget, samples local primaries and evicts the least recently used entries found, as
/// replicated deletes through their bucket grains (so their replicas go too). One per silo.
/// </summary>
/// <remarks>
/// <para>Approximate LRU, as Redis does it: each round asks <see cref="BucketsPerRound"/> random local buckets
/// for the least recently used of a few random entries each, and evicts the older half of what comes back.
/// Access stamps are a silo-wide logical clock, so entries of different buckets compare.</para>
/// <para>Only primaries evict. Replica copies count against the budget but shrink only when their
/// primary, on another node, evicts or deletes; with balanced bucket maps every node holds about as
/// many replica as primary entries, so evicting primaries brings the total down.</para>
/// </remarks>
public sealed partial class MemoryEvictor(
    NodeMemory memory,
    LocalBucketCatalog catalog,
    IGrainFactory grains,
    ILogger<MemoryEvictor> logger) : SiloLoop(logger)
{
    /// <summary>Buckets sampled per round.</summary>
    public const int BucketsPerRound = 16;

    /// <summary>Entries sampled per bucket: Redis' default maxmemory-samples.</summary>
    public const int SamplesPerBucket = 5;

    // Re-checks this often even without a signal: replica writes make the node grow too.
    private static readonly TimeSpan IdleCheck = TimeSpan.FromSeconds(1);

    /// <summary>Runs eviction rounds until the silo is within budget or a round finds nothing to evict.</summary>
    /// <returns>How many entries were evicted.</returns>
    public async Task<int> EvictUntilWithinBudgetAsync()
    {
        int total = 0;
        while (memory.Policy == EvictionPolicy.Lru && memory.IsOverBudget)
        {
            int evicted = await EvictRoundAsync();
            if (evicted == 0)
            {
                break;
            }

            total += evicted;
        }

        return total;
    }

    /// <inheritdoc />
    protected override Task WaitAsync(CancellationToken cancellationToken) =>
        memory.WaitForOverBudgetAsync(IdleCheck, cancellationToken);

    /// <inheritdoc />
    protected override async Task RunOnceAsync()
    {
        int evicted = await EvictUntilWithinBudgetAsync();
        if (evicted > 0)
        {
            LogEvicted(logger, evicted, memory.Bytes, memory.Budget);
        }
    }

    private async Task<int> EvictRoundAsync()
    {
        var buckets = catalog.Primaries.ToArray();
        if (buckets.Length == 0)
        {
            return 0;
        }

        var samples = new List<Task<EvictionCandidate[]>>(BucketsPerRound);
        for (int i = 0; i < Math.Min(BucketsPerRound, buckets.Length); i++)
        {
            long bucket = buckets[Random.Shared.Next(buckets.Length)];
            samples.Add(grains.GetGrain<IBucketGrain>(bucket).SampleForEvictionAsync(SamplesPerBucket));
        }

        var pool = new List<EvictionCandidate>();
        foreach (var candidates in await Task.WhenAll(samples))
        {
            pool.AddRange(candidates);
        }

        // The older half of the pool, at least one, grouped so each bucket is called once.
        pool.Sort((a, b) => a.LastUsed.CompareTo(b.LastUsed));
        var victims = new Dictionary<int, List<EvictionCandidate>>();
        for (int i = 0; i < Math.Max(1, pool.Count / 2) && i < pool.Count; i++)
        {
            var candidate = pool[i];
            if (!victims.TryGetValue(candidate.Bucket, out var list))
            {
                victims[candidate.Bucket] = list = [];
            }

            if (!list.Exists(c => c.Key == candidate.Key))
            {
                list.Add(candidate);
            }
        }

        var evictions = new List<Task<int>>(victims.Count);
        foreach (var (bucket, list) in victims)
        {
            evictions.Add(grains.GetGrain<IBucketGrain>(bucket).EvictAsync([.. list]));
        }

        int evicted = 0;
        foreach (int count in await Task.WhenAll(evictions))
        {
            evicted += count;
        }

        return evicted;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Evicted {Count} entries; {Bytes} of {Budget} bytes in use")]
    private static partial void LogEvicted(ILogger logger, int count, long bytes, long budget);
}
