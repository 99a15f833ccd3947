namespace OrleansCache.Grains.Interfaces;

/// <summary>
/// Why the cache refused a request. The HTTP API answers each with its own status.
/// </summary>
[GenerateSerializer, Alias("OrleansCache.CacheArgumentError")]
public enum CacheArgumentError
{
    /// <summary>The key is empty, longer than 1024 UTF-8 bytes, or not valid UTF-8 (HTTP 400).</summary>
    InvalidKey,

    /// <summary>The value is larger than <c>MAX_VALUE_BYTES</c> (HTTP 413).</summary>
    ValueTooLarge,

    /// <summary>No active node has the <c>NODE_ID</c> asked for (HTTP 404).</summary>
    UnknownNode,

    /// <summary>A time to live or expiry is not positive, too long, or contradicts another option (HTTP 400).</summary>
    InvalidExpiry,

    /// <summary>An increment found a stored value that is not a 64-bit decimal integer (HTTP 409).</summary>
    NotAnInteger,

    /// <summary>An increment would take the value outside the 64-bit signed range (HTTP 409).</summary>
    IntegerOverflow,

    /// <summary>The node holding the key is at <c>MAX_MEMORY_BYTES</c> with <c>EVICTION_POLICY=noeviction</c>
    /// (HTTP 507); reads and deletes still work.</summary>
    OverMemoryBudget,

    /// <summary>A request argument other than the key or value is unusable, e.g. an empty key list (HTTP 400).</summary>
    InvalidArgument,

    /// <summary>The key holds another kind of value than the operation works on: a string command on a hash, or
    /// a hash command on a string (Redis's <c>WRONGTYPE</c>; HTTP 409).</summary>
    WrongType,

    /// <summary>A float increment found a stored value that is not a decimal number (HTTP 409).</summary>
    NotAFloat,

    /// <summary>The keys of an operation that must be atomic are in more than one bucket (Redis's <c>CROSSSLOT</c>; HTTP 400).</summary>
    CrossSlot,
}
