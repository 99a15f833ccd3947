namespace OrleansCache.Grains.Interfaces;

/// <summary>
/// When a written entry is to expire: after a time to live, at an absolute time, or after a sliding
/// window without reads (optionally capped by an absolute time), as <c>IDistributedCache</c> expresses it.
/// </summary>
/// <remarks>A relative time is turned into an absolute one by the bucket's primary, with its own clock,
/// when it applies the write; from then on every copy holds the same absolute time.</remarks>
[GenerateSerializer, Immutable, Alias("OrleansCache.CacheExpiry")]
public sealed record CacheExpiry
{
    /// <summary>The longest time to live accepted: 100 years. Anything longer is refused as a mistake
    /// rather than silently treated as "never".</summary>
    public static readonly TimeSpan MaxTimeToLive = TimeSpan.FromDays(36525);

    /// <summary>Expire this long after the write.</summary>
    [Id(0)]
    public TimeSpan? TimeToLive { get; init; }

    /// <summary>Expire at this instant (with <see cref="SlidingExpiration"/>: never live past it).</summary>
    [Id(1)]
    public DateTimeOffset? AbsoluteExpiration { get; init; }

    /// <summary>Expire once this long has passed without a read through the client library's <c>CacheClient</c>.</summary>
    [Id(2)]
    public TimeSpan? SlidingExpiration { get; init; }

    /// <summary>Expires <paramref name="timeToLive"/> after the write (Redis <c>EX</c>/<c>PX</c>).</summary>
    public static CacheExpiry After(TimeSpan timeToLive) => new() { TimeToLive = timeToLive };

    /// <summary>Expires at <paramref name="instant"/> (Redis <c>EXAT</c>/<c>PXAT</c>).</summary>
    public static CacheExpiry At(DateTimeOffset instant) => new() { AbsoluteExpiration = instant };

    /// <summary>Expires once <paramref name="window"/> passes without a read, and never after
    /// <paramref name="limit"/> when one is given.</summary>
    public static CacheExpiry Sliding(TimeSpan window, DateTimeOffset? limit = null) =>
        new() { SlidingExpiration = window, AbsoluteExpiration = limit };

    /// <summary>Returns why this expiry cannot be used, or <see langword="null"/> when it can.</summary>
    public string? Validate()
    {
        if (TimeToLive is not null && SlidingExpiration is not null)
        {
            return "Give a time to live or a sliding expiration, not both.";
        }

        if (TimeToLive is null && SlidingExpiration is null && AbsoluteExpiration is null)
        {
            return "The expiry names no time.";
        }

        return CheckSpan(TimeToLive, "time to live") ?? CheckSpan(SlidingExpiration, "sliding expiration");
    }

    private static string? CheckSpan(TimeSpan? span, string name) => span switch
    {
        null => null,
        { Ticks: <= 0 } => $"The {name} must be positive; it is {span.Value.TotalSeconds} s.",
        _ when span.Value > MaxTimeToLive => $"The {name} is longer than the limit of {MaxTimeToLive.TotalSeconds} s (100 years).",
        _ => null,
    };
}
