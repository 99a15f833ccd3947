namespace OrleansCache.Grains.Interfaces;

/// <summary>
/// One write, as a bucket forwards it to each of its replicas.
/// </summary>
/// <param name="Sequence">The bucket's sequence number for this write; consecutive writes are numbered
/// consecutively, so a replica that sees a jump knows it missed something.</param>
/// <param name="Key">The key written.</param>
/// <param name="Entry">The new entry, or <see langword="null"/> when the key was deleted.</param>
[GenerateSerializer, Immutable, Alias("OrleansCache.ReplicaWrite")]
public sealed record ReplicaWrite(
    [property: Id(0)] long Sequence,
    [property: Id(1)] string Key,
    [property: Id(2)] CacheEntry? Entry)
{
    /// <summary>
    /// The epoch of the primary activation that made the write. Each activation of a bucket's primary takes an
    /// epoch above every one its replicas have seen and claims them with it before it serves anything, so a
    /// replica refuses writes from an older activation (one paused, or cut off and replaced) instead of
    /// letting it acknowledge them. 0 for a write from a version of the cache without epochs.
    /// </summary>
    [Id(3)]
    public long Epoch { get; init; }
}
