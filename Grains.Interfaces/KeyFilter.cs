namespace OrleansCache.Grains.Interfaces;

/// <summary>Which keys a scan returns (Redis's <c>SCAN</c> options <c>MATCH</c> and <c>TYPE</c>).</summary>
/// <param name="Pattern">A Redis glob (<c>*</c>, <c>?</c>, <c>[abc]</c>, <c>[^a]</c>, <c>[a-z]</c>, <c>\</c> to escape),
/// matched against the key's characters; <see langword="null"/> keeps every key.</param>
/// <param name="Type">The kind of value kept.</param>
[GenerateSerializer, Immutable, Alias("OrleansCache.KeyFilter")]
public sealed record KeyFilter(
    [property: Id(0)] string? Pattern,
    [property: Id(1)] KeyType Type)
{
    /// <summary>Every key.</summary>
    public static KeyFilter All { get; } = new(null, KeyType.Any);
}
