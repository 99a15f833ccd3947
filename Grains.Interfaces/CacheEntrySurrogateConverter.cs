namespace OrleansCache.Grains.Interfaces;

/// <summary>Converts a <see cref="CacheEntry"/> to and from its wire form, <see cref="CacheEntrySurrogate"/>.</summary>
[RegisterConverter]
public sealed class CacheEntrySurrogateConverter : IConverter<CacheEntry, CacheEntrySurrogate>
{
    /// <inheritdoc/>
    public CacheEntry ConvertFromSurrogate(in CacheEntrySurrogate surrogate) =>
        new(surrogate.Value, surrogate.Format, surrogate.Version)
        {
            ExpiresAt = surrogate.ExpiresAt,
            SlidingExpiration = surrogate.SlidingExpiration,
            AbsoluteExpiration = surrogate.AbsoluteExpiration,
            UpdatedAt = surrogate.UpdatedAt,
        };

    /// <inheritdoc/>
    public CacheEntrySurrogate ConvertToSurrogate(in CacheEntry value) => new()
    {
        Value = value.Value,
        Format = value.Format,
        Version = value.Version,
        ExpiresAt = value.ExpiresAt,
        SlidingExpiration = value.SlidingExpiration,
        AbsoluteExpiration = value.AbsoluteExpiration,
        UpdatedAt = value.UpdatedAt,
    };
}
