namespace OrleansCache.Grains.Interfaces;

/// <summary>
/// One stored value as the bucket that owns it keeps it.
/// </summary>
/// <remarks>
/// Immutable: a write replaces the entry, it never edits one. That is what lets Orleans pass the
/// value between grains on one silo without the deep copy it otherwise makes of every byte array.
/// Expiry is an absolute time, so it means the same on every copy and survives replication,
/// failover and migration unchanged.
/// </remarks>
/// <param name="Value">The value's bytes, exactly as they were written.</param>
/// <param name="Format">How the bytes are to be read back (raw bytes or JSON text).</param>
/// <param name="Version">The bucket's write sequence number of the write that last set this value;
/// it grows with every write to the bucket, so two values of one key never share a version. Changing
/// only the expiry (expire, persist, a sliding refresh) keeps the version.</param>
[GenerateSerializer, Immutable, Alias("OrleansCache.CacheEntry")]
public sealed record CacheEntry(
    [property: Id(0)] byte[] Value,
    [property: Id(1)] ValueFormat Format,
    [property: Id(2)] long Version)
{
    /// <summary>When the entry expires, or <see langword="null"/> when it never does. From that instant on
    /// it is never returned.</summary>
    [Id(3)]
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>For a sliding entry, how far each read moves <see cref="ExpiresAt"/> ahead of the read;
    /// <see langword="null"/> for an entry whose expiry reads do not change.</summary>
    [Id(4)]
    public TimeSpan? SlidingExpiration { get; init; }

    /// <summary>For a sliding entry, the latest <see cref="ExpiresAt"/> may ever be; <see langword="null"/>
    /// when sliding has no limit.</summary>
    [Id(5)]
    public DateTimeOffset? AbsoluteExpiration { get; init; }

    /// <summary>When, by the clock of the primary that made the write, the value was last set or its expiry
    /// last changed (a sliding entry's refresh on a read does not count). Copies and merges keep it as it
    /// is; the <see cref="MergePolicy.LatestUpdate"/> merge policy compares it. <see cref="DateTimeOffset.MinValue"/>
    /// for an entry written by a version of the cache that did not record it.</summary>
    [Id(6)]
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Whether the entry has expired at <paramref name="now"/>.</summary>
    public bool IsExpiredAt(DateTimeOffset now) => ExpiresAt <= now;
}
