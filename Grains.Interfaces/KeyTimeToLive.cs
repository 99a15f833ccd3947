namespace OrleansCache.Grains.Interfaces;

/// <summary>
/// How long a key has left (Redis <c>TTL</c>/<c>PTTL</c>).
/// </summary>
/// <param name="Exists">Whether the key is stored (an expired key is not).</param>
/// <param name="Remaining">Time left before it expires; <see langword="null"/> when it never expires
/// or does not exist.</param>
[GenerateSerializer, Immutable, Alias("OrleansCache.KeyTimeToLive")]
public sealed record KeyTimeToLive(
    [property: Id(0)] bool Exists,
    [property: Id(1)] TimeSpan? Remaining)
{
    /// <summary>When it expires (Redis <c>EXPIRETIME</c>); <see langword="null"/> when it never expires or does not exist.</summary>
    [Id(2)]
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>The answer for a key that is not stored.</summary>
    public static KeyTimeToLive Missing { get; } = new(false, null);
}
