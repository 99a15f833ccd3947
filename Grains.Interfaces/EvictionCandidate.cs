namespace OrleansCache.Grains.Interfaces;

/// <summary>
/// An entry a bucket offers for eviction: its key and when it was last used.
/// </summary>
/// <param name="Bucket">The bucket holding it.</param>
/// <param name="Key">The key.</param>
/// <param name="LastUsed">The bucket's access stamp of its last read or write (larger is more recent);
/// eviction skips the entry if it has been used since.</param>
[GenerateSerializer, Immutable, Alias("OrleansCache.EvictionCandidate")]
public sealed record EvictionCandidate(
    [property: Id(0)] int Bucket,
    [property: Id(1)] string Key,
    [property: Id(2)] long LastUsed);
