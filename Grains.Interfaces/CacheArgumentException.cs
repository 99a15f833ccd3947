namespace OrleansCache.Grains.Interfaces;

/// <summary>
/// A request the cache refuses because of what the caller sent, or because the state it found does not
/// allow it (<see cref="CacheArgumentError"/> says which); nothing was changed. Thrown by
/// the client library's <c>CacheClient</c> and by the grains behind it, and carried across the wire with its error.
/// </summary>
[GenerateSerializer, Alias("OrleansCache.CacheArgumentException")]
public sealed class CacheArgumentException(CacheArgumentError error, string message) : Exception(message)
{
    /// <summary>What was wrong.</summary>
    [Id(0)]
    public CacheArgumentError Error { get; } = error;
}
