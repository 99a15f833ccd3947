using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Tests.Unit;

/// <summary>
/// <see cref="CacheEntry"/> as it was declared up to commit d9dc3a3 (every field its own, serialized
/// directly): what nodes of that version send and expect, to compare the wire form with.
/// </summary>
[GenerateSerializer, Alias("OrleansCache.Tests.PreviousCacheEntryLayout")]
public sealed record PreviousCacheEntryLayout(
    [property: Id(0)] byte[] Value,
    [property: Id(1)] ValueFormat Format,
    [property: Id(2)] long Version)
{
    /// <summary>As <see cref="CacheEntry.ExpiresAt"/>.</summary>
    [Id(3)]
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>As <see cref="CacheEntry.SlidingExpiration"/>.</summary>
    [Id(4)]
    public TimeSpan? SlidingExpiration { get; init; }

    /// <summary>As <see cref="CacheEntry.AbsoluteExpiration"/>.</summary>
    [Id(5)]
    public DateTimeOffset? AbsoluteExpiration { get; init; }

    /// <summary>As <see cref="CacheEntry.UpdatedAt"/>.</summary>
    [Id(6)]
    public DateTimeOffset UpdatedAt { get; init; }
}
