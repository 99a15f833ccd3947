namespace OrleansCache.Grains.Storage;

/// <summary>
/// This silo's read and reclaim counters since it started, for <c>GET /stats</c>. Only primaries count:
/// a read or a reclaim happens once per key, not once per copy. Thread-safe; one per silo.
/// </summary>
public sealed class NodeCounters
{
    private long _hits;
    private long _misses;
    private long _evictions;
    private long _expirations;

    /// <summary>Reads that found a live entry.</summary>
    public long Hits => Volatile.Read(ref _hits);

    /// <summary>Reads that found none, or an expired one.</summary>
    public long Misses => Volatile.Read(ref _misses);

    /// <summary>Entries evicted for memory.</summary>
    public long Evictions => Volatile.Read(ref _evictions);

    /// <summary>Expired entries reclaimed.</summary>
    public long Expirations => Volatile.Read(ref _expirations);

    /// <summary>Counts one read.</summary>
    public void CountRead(bool hit) => Interlocked.Increment(ref hit ? ref _hits : ref _misses);

    /// <summary>Counts evicted entries.</summary>
    public void CountEvictions(int count) => Interlocked.Add(ref _evictions, count);

    /// <summary>Counts reclaimed expired entries.</summary>
    public void CountExpirations(int count) => Interlocked.Add(ref _expirations, count);
}
