namespace OrleansCache.Grains.Interfaces;

/// <summary>
/// When a new expiry replaces a key's current one (Redis 7.0's <c>EXPIRE</c> options). A key without an expiry
/// counts as expiring never: later than any time.
/// </summary>
[Flags]
[GenerateSerializer, Alias("OrleansCache.ExpiryCondition")]
public enum ExpiryCondition
{
    /// <summary>Always.</summary>
    None = 0,

    /// <summary><c>NX</c>: only when the key has no expiry.</summary>
    IfNone = 1,

    /// <summary><c>XX</c>: only when the key has an expiry.</summary>
    IfAny = 2,

    /// <summary><c>GT</c>: only when the new expiry is later than the current one.</summary>
    IfLater = 4,

    /// <summary><c>LT</c>: only when the new expiry is earlier than the current one.</summary>
    IfEarlier = 8,
}
