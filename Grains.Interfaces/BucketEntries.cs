namespace OrleansCache.Grains.Interfaces;

/// <summary>The entries of one batch that belong to one bucket (see <see cref="INodeGrain.SetSharesAsync"/>).</summary>
/// <param name="Bucket">The bucket the keys hash to.</param>
/// <param name="Entries">Valid keys and their values, applied in this order.</param>
[GenerateSerializer, Immutable, Alias("OrleansCache.BucketEntries")]
public sealed record BucketEntries(
    [property: Id(0)] int Bucket,
    [property: Id(1)] KeyValuePair<string, CacheValue>[] Entries);
