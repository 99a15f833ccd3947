namespace OrleansCache.Grains.Interfaces;

/// <summary>
/// Why <see cref="CacheClient"/> refused a request.
/// </summary>
public enum CacheArgumentError
{
    /// <summary>The key is empty, longer than 1024 UTF-8 bytes, or not valid UTF-8.</summary>
    InvalidKey,

    /// <summary>The value is larger than <c>MAX_VALUE_BYTES</c>.</summary>
    ValueTooLarge,

    /// <summary>No active node has the <c>NODE_ID</c> asked for.</summary>
    UnknownNode,
}
