namespace OrleansCache.Grains.Interfaces;

/// <summary>What one bucket answered to its share of a batch carried to its node (see
/// <see cref="INodeGrain.GetSharesAsync"/> and <see cref="INodeGrain.SetSharesAsync"/>).</summary>
/// <param name="Entries">For reads, the entries in the order of the share's keys (a miss is <see langword="null"/>);
/// <see langword="null"/> for writes and on failure.</param>
/// <param name="Failure">What the bucket's call threw instead of answering, or <see langword="null"/>. The caller
/// decides from it, as for a call of its own, whether the share may be tried again.</param>
[GenerateSerializer, Immutable, Alias("OrleansCache.BucketShareResult")]
public sealed record BucketShareResult(
    [property: Id(0)] CacheEntry?[]? Entries,
    [property: Id(1)] Exception? Failure);
