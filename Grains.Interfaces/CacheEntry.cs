namespace OrleansCache.Grains.Interfaces;

/// <summary>
/// One stored value as the bucket that owns it keeps it.
/// </summary>
/// <remarks>
/// <para>Immutable: a write replaces the entry, it never edits one. That is what lets Orleans pass the
/// value between grains on one silo without the deep copy it otherwise makes of every byte array.
/// Expiry is an absolute time, so it means the same on every copy and survives replication,
/// failover and migration unchanged.</para>
/// <para>There is one of these per key, so its size is a large share of what a key costs: 56 bytes on x64,
/// against 120 when the expiry fields and <see cref="UpdatedAt"/> were fields of their own (measured with
/// <c>dotnet-gcdump</c> on a node holding a million keys; docs/benchmarks.md, "Memory per key"). The three
/// expiry fields live in one object that only an entry with an expiry references, and <see cref="UpdatedAt"/>
/// is kept as UTC ticks. On the wire it is still the seven fields it always was
/// (<see cref="CacheEntrySurrogate"/>).</para>
/// </remarks>
/// <param name="Value">The value's bytes, exactly as they were written.</param>
/// <param name="Format">How the bytes are to be read back (raw bytes or JSON text).</param>
/// <param name="Version">The bucket's write sequence number of the write that last set this value;
/// it grows with every write to the bucket, so two values of one key never share a version. Changing
/// only the expiry (expire, persist, a sliding refresh) keeps the version.</param>
[Immutable]
public sealed record CacheEntry(byte[] Value, ValueFormat Format, long Version)
{
    private Expiry? _expiry;
    private long _updatedAtUtcTicks;

    /// <summary>When the entry expires, or <see langword="null"/> when it never does. From that instant on
    /// it is never returned.</summary>
    public DateTimeOffset? ExpiresAt
    {
        get => _expiry?.ExpiresAt;
        init => _expiry = Expiry.Of(value, SlidingExpiration, AbsoluteExpiration);
    }

    /// <summary>For a sliding entry, how far each read moves <see cref="ExpiresAt"/> ahead of the read;
    /// <see langword="null"/> for an entry whose expiry reads do not change.</summary>
    public TimeSpan? SlidingExpiration
    {
        get => _expiry?.Sliding;
        init => _expiry = Expiry.Of(ExpiresAt, value, AbsoluteExpiration);
    }

    /// <summary>For a sliding entry, the latest <see cref="ExpiresAt"/> may ever be; <see langword="null"/>
    /// when sliding has no limit.</summary>
    public DateTimeOffset? AbsoluteExpiration
    {
        get => _expiry?.Absolute;
        init => _expiry = Expiry.Of(ExpiresAt, SlidingExpiration, value);
    }

    /// <summary>When, by the clock of the primary that made the write, the value was last set or its expiry
    /// last changed (a sliding entry's refresh on a read does not count). Copies and merges keep it as it
    /// is; the <see cref="MergePolicy.LatestUpdate"/> merge policy compares it. <see cref="DateTimeOffset.MinValue"/>
    /// for an entry written by a version of the cache that did not record it. Always returned in UTC (the
    /// same instant as the one given).</summary>
    public DateTimeOffset UpdatedAt
    {
        get => new(_updatedAtUtcTicks, TimeSpan.Zero);
        init => _updatedAtUtcTicks = value.UtcTicks;
    }

    /// <summary>Whether the entry has expired at <paramref name="now"/>.</summary>
    public bool IsExpiredAt(DateTimeOffset now) => ExpiresAt <= now;

    // The expiry fields together, referenced only by entries that have one; null when all three are.
    private sealed record Expiry(DateTimeOffset? ExpiresAt, TimeSpan? Sliding, DateTimeOffset? Absolute)
    {
        public static Expiry? Of(DateTimeOffset? expiresAt, TimeSpan? sliding, DateTimeOffset? absolute) =>
            expiresAt is null && sliding is null && absolute is null ? null : new Expiry(expiresAt, sliding, absolute);
    }
}
