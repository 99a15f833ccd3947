namespace OrleansCache.Grains;

/// <summary>
/// What a node does when its entries reach <c>MAX_MEMORY_BYTES</c> (<c>EVICTION_POLICY</c>).
/// </summary>
public enum EvictionPolicy
{
    /// <summary><c>lru</c>: evict the least recently used entries, approximately (sampled, as Redis does).</summary>
    Lru,

    /// <summary><c>noeviction</c>: refuse writes that would need more memory; reads and deletes still work.</summary>
    NoEviction,
}
