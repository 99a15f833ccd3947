using Microsoft.Extensions.Options;

namespace OrleansCache.Grains.Storage;

/// <summary>
/// How much this silo's entries weigh, primary and replica copies together, against its budget
/// (<c>MAX_MEMORY_BYTES</c>). Every <see cref="BucketStore"/> reports each change to it; one per silo.
/// </summary>
/// <remarks>
/// Bytes are an estimate (<see cref="BucketStore.EntrySize"/>), kept exact with respect to that estimate:
/// a store adds what it stores and removes what it drops or releases. Thread-safe: stores of many grains
/// report at once.
/// </remarks>
public sealed class NodeMemory
{
    private readonly SemaphoreSlim _overBudget = new(0, 1);
    private long _bytes;
    private long _primaryKeys;
    private long _replicaKeys;
    private long _expiringKeys;
    private long _accessClock;

    /// <summary>Creates the accounting for a silo with <paramref name="options"/>' budget and policy.</summary>
    public NodeMemory(IOptions<CacheOptions> options)
        : this(options.Value.MaxMemoryBytes, options.Value.EvictionPolicy)
    {
    }

    /// <summary>Creates accounting with an explicit budget (tests, and stores that stand alone).</summary>
    public NodeMemory(long budget, EvictionPolicy policy)
    {
        Budget = budget;
        Policy = policy;
        // Eviction must start before a write can overshoot by much: past the budget by 1/16 (6%), a write
        // evicts from its own bucket before it is applied instead of waiting for the node-wide evictor.
        HardLimit = budget + Math.Max(budget / 16, 1);
    }

    /// <summary>A store that belongs to no silo: counts, but against no budget.</summary>
    public static NodeMemory Unlimited() => new(long.MaxValue / 2, EvictionPolicy.NoEviction);

    /// <summary>The budget, in estimated bytes.</summary>
    public long Budget { get; }

    /// <summary>The point past which a write makes room in its own bucket first (with <see cref="EvictionPolicy.Lru"/>).</summary>
    public long HardLimit { get; }

    /// <summary>What happens at the budget.</summary>
    public EvictionPolicy Policy { get; }

    /// <summary>Estimated bytes of every entry held on this silo.</summary>
    public long Bytes => Volatile.Read(ref _bytes);

    /// <summary>Entries in primary copies.</summary>
    public long PrimaryKeys => Volatile.Read(ref _primaryKeys);

    /// <summary>Entries with an expiry in primary copies.</summary>
    public long ExpiringKeys => Volatile.Read(ref _expiringKeys);

    /// <summary>Entries in replica copies.</summary>
    public long ReplicaKeys => Volatile.Read(ref _replicaKeys);

    /// <summary>Whether the entries weigh more than the budget.</summary>
    public bool IsOverBudget => Bytes > Budget;

    /// <summary>Records that a store's entries changed by <paramref name="bytes"/> and <paramref name="keys"/>.</summary>
    public void Add(long bytes, long keys, bool replica)
    {
        long total = Interlocked.Add(ref _bytes, bytes);
        Interlocked.Add(ref replica ? ref _replicaKeys : ref _primaryKeys, keys);
        if (bytes > 0 && total > Budget && Policy == EvictionPolicy.Lru && _overBudget.CurrentCount == 0)
        {
            try
            {
                _overBudget.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another store signalled at the same moment; one signal is enough.
            }
        }
    }

    /// <summary>Records that a store's entries with an expiry changed by <paramref name="keys"/> (primary copies are counted).</summary>
    public void AddExpiring(long keys, bool replica)
    {
        if (!replica)
        {
            Interlocked.Add(ref _expiringKeys, keys);
        }
    }

    /// <summary>Whether a write that adds <paramref name="growth"/> bytes would go over the budget.</summary>
    public bool WouldExceedBudget(long growth) => growth > 0 && Bytes + growth > Budget;

    /// <summary>Whether a write that adds <paramref name="growth"/> bytes would go past <see cref="HardLimit"/>.</summary>
    public bool WouldExceedHardLimit(long growth) => growth > 0 && Bytes + growth > HardLimit;

    /// <summary>Returns the next access stamp: a silo-wide logical clock, so entries of different buckets
    /// compare by how recently they were used.</summary>
    public long NextAccessStamp() => Interlocked.Increment(ref _accessClock);

    /// <summary>Waits until a store reports growth past the budget, or <paramref name="timeout"/> passes.</summary>
    public Task<bool> WaitForOverBudgetAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _overBudget.WaitAsync(timeout, cancellationToken);
}
