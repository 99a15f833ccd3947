namespace OrleansCache.Grains.Interfaces;

/// <summary>The keys of one batch that belong to one bucket (see <see cref="INodeGrain.GetSharesAsync"/>).</summary>
/// <param name="Bucket">The bucket the keys hash to.</param>
/// <param name="Keys">Valid keys, in the order their answers are wanted.</param>
[GenerateSerializer, Immutable, Alias("OrleansCache.BucketKeys")]
public sealed record BucketKeys(
    [property: Id(0)] int Bucket,
    [property: Id(1)] string[] Keys);
