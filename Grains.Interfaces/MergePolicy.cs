namespace OrleansCache.Grains.Interfaces;

/// <summary>
/// How entries from another cluster are merged into this one when two clusters become one
/// (<c>MERGE_POLICY</c>; see <see cref="IBucketGrain.MergeAsync"/>).
/// </summary>
[GenerateSerializer, Alias("OrleansCache.MergePolicy")]
public enum MergePolicy : byte
{
    /// <summary><c>put-if-absent</c>, the default: an incoming entry is stored only where the key has no live
    /// entry, so what the surviving cluster holds always wins (Hazelcast's default merge policy).</summary>
    PutIfAbsent = 0,

    /// <summary><c>latest-update</c>: an incoming entry is stored where the key has no live entry or the live one
    /// was updated earlier (by <see cref="CacheEntry.UpdatedAt"/>); on a tie the entry already here stays.
    /// Compares the two primaries' clocks, so it is only as right as they are in sync.</summary>
    LatestUpdate = 1,
}
