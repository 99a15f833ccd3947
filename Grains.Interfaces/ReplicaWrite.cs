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
    [property: Id(2)] CacheEntry? Entry);
