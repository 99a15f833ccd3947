namespace OrleansCache.Grains.Interfaces;

/// <summary>
/// What a <see cref="CacheEntry"/> is on the wire: the seven fields, with the ids and types the entry had
/// when they were fields of its own, so nodes of either layout read each other's messages.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansCache.CacheEntry")]
public readonly record struct CacheEntrySurrogate
{
    /// <summary>See <see cref="CacheEntry.Value"/>.</summary>
    [Id(0)]
    public required byte[] Value { get; init; }

    /// <summary>See <see cref="CacheEntry.Format"/>.</summary>
    [Id(1)]
    public ValueFormat Format { get; init; }

    /// <summary>See <see cref="CacheEntry.Version"/>.</summary>
    [Id(2)]
    public long Version { get; init; }

    /// <summary>See <see cref="CacheEntry.ExpiresAt"/>.</summary>
    [Id(3)]
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>See <see cref="CacheEntry.SlidingExpiration"/>.</summary>
    [Id(4)]
    public TimeSpan? SlidingExpiration { get; init; }

    /// <summary>See <see cref="CacheEntry.AbsoluteExpiration"/>.</summary>
    [Id(5)]
    public DateTimeOffset? AbsoluteExpiration { get; init; }

    /// <summary>See <see cref="CacheEntry.UpdatedAt"/>.</summary>
    [Id(6)]
    public DateTimeOffset UpdatedAt { get; init; }
}
