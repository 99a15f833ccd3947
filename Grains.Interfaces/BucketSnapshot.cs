namespace OrleansCache.Grains.Interfaces;

/// <summary>
/// A complete copy of one bucket: every entry and the sequence number of the last write applied.
/// </summary>
/// <remarks>Immutable by convention: whoever builds one hands it over and never touches the dictionary again.</remarks>
/// <param name="Sequence">The bucket's write sequence number at the time of the copy (0 for a bucket never written).</param>
/// <param name="Entries">The entries by key.</param>
[GenerateSerializer, Immutable, Alias("OrleansCache.BucketSnapshot")]
public sealed record BucketSnapshot(
    [property: Id(0)] long Sequence,
    [property: Id(1)] IReadOnlyDictionary<string, CacheEntry> Entries)
{
    /// <summary>The copy of a bucket that has never been written.</summary>
    public static BucketSnapshot Empty { get; } = new(0, new Dictionary<string, CacheEntry>(0));

    /// <summary>The epoch of the primary activation whose writes the copy holds (see <see cref="ReplicaWrite.Epoch"/>).</summary>
    [Id(2)]
    public long Epoch { get; init; }
}
