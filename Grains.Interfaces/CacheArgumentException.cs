namespace OrleansCache.Grains.Interfaces;

/// <summary>
/// A request the cache refuses because of what the caller sent; nothing was changed.
/// </summary>
public sealed class CacheArgumentException(CacheArgumentError error, string message) : Exception(message)
{
    /// <summary>What was wrong.</summary>
    public CacheArgumentError Error { get; } = error;
}
