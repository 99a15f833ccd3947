namespace OrleansCache.Grains.Interfaces;

/// <summary>
/// How <c>CacheClient.SetAsync(key, value, options)</c> (the client library) writes: expiry, condition and
/// whether to return the value it replaces. The default writes always and clears any expiry, as Redis
/// <c>SET</c> does.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansCache.SetOptions")]
public sealed record SetOptions
{
    /// <summary>A plain set: always written, no expiry.</summary>
    public static readonly SetOptions Default = new();

    /// <summary>When the new entry expires; <see langword="null"/> for never (unless <see cref="KeepTimeToLive"/>).</summary>
    [Id(0)]
    public CacheExpiry? Expiry { get; init; }

    /// <summary>Keep the expiry of the entry being replaced (Redis <c>KEEPTTL</c>); not with <see cref="Expiry"/>.</summary>
    [Id(1)]
    public bool KeepTimeToLive { get; init; }

    /// <summary>When to write; <see cref="SetCondition.Always"/> by default.</summary>
    [Id(2)]
    public SetCondition Condition { get; init; }

    /// <summary>With <see cref="SetCondition.IfVersion"/>: the <see cref="CacheEntry.Version"/> the stored
    /// entry must have.</summary>
    [Id(3)]
    public long Version { get; init; }

    /// <summary>Return the entry that was stored before, written or not (Redis <c>SET … GET</c>).</summary>
    [Id(4)]
    public bool ReturnPrevious { get; init; }
}
