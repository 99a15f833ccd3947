namespace OrleansCache.Grains.Interfaces;

/// <summary>
/// A value to store, as a caller hands it to <see cref="IBucketGrain.SetAsync(string, CacheValue)"/>.
/// </summary>
/// <param name="Value">The bytes to store. The caller must not change the array afterwards.</param>
/// <param name="Format">How the bytes are to be read back.</param>
[GenerateSerializer, Immutable, Alias("OrleansCache.CacheValue")]
public sealed record CacheValue(
    [property: Id(0)] byte[] Value,
    [property: Id(1)] ValueFormat Format);
