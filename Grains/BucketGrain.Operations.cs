using System.Buffers.Text;
using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Grains;

/// <summary>
/// The bucket's operations: reads, writes, conditional and batch writes, counters, expiry, the sweep and
/// eviction. Each runs as one turn of the grain, so it is atomic; every change it makes is applied to the
/// store and collected for the write pipeline (<c>BucketGrain.WritePipeline.cs</c>), which replicates it and
/// makes it final, or takes it back, before the call returns.
/// </summary>
public sealed partial class BucketGrain
{
    // A sweep call reclaims at most this many entries, so one bucket full of due entries cannot hold its
    // turn for long; the next sweep continues.
    private const int MaxReclaimsPerSweep = 1000;

    /// <inheritdoc />
    public async Task<CacheEntry?> GetAsync(string key)
    {
        var entry = Read(key, _store.Now);
        counters.CountRead(hit: entry is not null);
        await FlushAsync();
        return entry;
    }

    /// <inheritdoc />
    public async Task<long> SetAsync(string key, CacheValue value)
    {
        fence.ThrowIfFrozen();
        ThrowIfTooLarge(value);
        await MakeRoomAsync(key, value.Value.Length);
        _pending.Add(_store.Write(key, value));
        long version = _store.Sequence;
        await FlushAsync();
        return version;
    }

    /// <inheritdoc />
    public async Task<SetResult> SetAsync(string key, CacheValue value, SetOptions options)
    {
        fence.ThrowIfFrozen();
        ThrowIfTooLarge(value);
        var now = _store.Now;
        var current = Live(key, now);
        bool write = options.Condition switch
        {
            SetCondition.IfAbsent => current is null,
            SetCondition.IfPresent => current is not null,
            SetCondition.IfVersion => current is not null && current.Version == options.Version,
            _ => true,
        };

        var previous = options.ReturnPrevious ? current : null;
        if (previous?.Format == ValueFormat.Hash)
        {
            // SET ... GET must answer the old value as a string: on a hash Redis refuses, and writes nothing.
            await FlushAsync();
            throw WrongType();
        }

        if (!write)
        {
            await FlushAsync();
            return new SetResult(false, current?.Version ?? 0, previous);
        }

        await MakeRoomAsync(key, value.Value.Length);
        var entry = new CacheEntry(value.Value, value.Format, _store.NextVersion) { UpdatedAt = now };
        entry = options.KeepTimeToLive && current is not null ? KeepExpiry(entry, current) : WithExpiry(entry, options.Expiry, now);
        _pending.Add(_store.Write(key, entry.IsExpiredAt(now) ? null : entry));
        await FlushAsync();
        return new SetResult(true, entry.Version, previous);
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string key)
    {
        fence.ThrowIfFrozen();
        bool existed = Live(key, _store.Now) is not null;
        if (existed)
        {
            _pending.Add(_store.Write(key, value: null));
        }

        await FlushAsync();
        return existed;
    }

    /// <inheritdoc />
    public async Task<CacheEntry?[]> GetManyAsync(string[] keys)
    {
        var now = _store.Now;
        var entries = new CacheEntry?[keys.Length];
        for (int i = 0; i < keys.Length; i++)
        {
            entries[i] = Read(keys[i], now);
            counters.CountRead(hit: entries[i] is not null);
        }

        await FlushAsync();
        return entries;
    }

    /// <inheritdoc />
    public async Task SetManyAsync(KeyValuePair<string, CacheValue>[] entries, CacheExpiry? expiry)
    {
        fence.ThrowIfFrozen();
        long growth = 0;
        foreach (var (key, value) in entries)
        {
            ThrowIfTooLarge(value);
            growth += _store.Growth(key, value.Value.Length);
        }

        // All or nothing within this bucket: refused as a whole before anything is written.
        await MakeRoomAsync(growth, keep: null);
        var now = _store.Now;
        foreach (var (key, value) in entries)
        {
            var entry = WithExpiry(new CacheEntry(value.Value, value.Format, _store.NextVersion) { UpdatedAt = now }, expiry, now);
            _pending.Add(_store.Write(key, entry.IsExpiredAt(now) ? null : entry));
        }

        await FlushAsync();
    }

    /// <inheritdoc />
    public async Task<int> DeleteManyAsync(string[] keys)
    {
        fence.ThrowIfFrozen();
        var now = _store.Now;
        int deleted = 0;
        foreach (string key in keys)
        {
            if (Live(key, now) is not null)
            {
                _pending.Add(_store.Write(key, value: null));
                deleted++;
            }
        }

        await FlushAsync();
        return deleted;
    }

    /// <inheritdoc />
    public async Task<int> CountExistingAsync(string[] keys)
    {
        var now = _store.Now;
        int count = 0;
        foreach (string key in keys)
        {
            count += Live(key, now) is null ? 0 : 1;
        }

        await FlushAsync();
        return count;
    }

    /// <inheritdoc />
    public async Task<long> IncrementAsync(string key, long by)
    {
        fence.ThrowIfFrozen();
        var now = _store.Now;
        var current = Live(key, now);
        long value = 0;
        if (current?.Format == ValueFormat.Hash)
        {
            await FlushAsync();
            throw WrongType();
        }

        if (current is not null && !TryParseInteger(current.Value, out value))
        {
            await FlushAsync();
            throw new CacheArgumentException(CacheArgumentError.NotAnInteger, $"The value of '{key}' is not a 64-bit decimal integer.");
        }

        if ((by > 0 && value > long.MaxValue - by) || (by < 0 && value < long.MinValue - by))
        {
            await FlushAsync();
            throw new CacheArgumentException(CacheArgumentError.IntegerOverflow, $"Adding {by} to {value} would overflow a 64-bit integer.");
        }

        long result = value + by;
        byte[] text = System.Text.Encoding.ASCII.GetBytes(result.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await MakeRoomAsync(key, text.Length);

        // A JSON integer's text is its decimal text, so a number stored through /set stays a JSON number.
        var entry = new CacheEntry(text, current?.Format ?? ValueFormat.Raw, _store.NextVersion) { UpdatedAt = now };
        _pending.Add(_store.Write(key, current is null ? entry : KeepExpiry(entry, current)));
        await FlushAsync();
        return result;
    }

    /// <inheritdoc />
    public async Task<bool> ExpireAsync(string key, CacheExpiry? expiry)
    {
        fence.ThrowIfFrozen();
        var now = _store.Now;
        var current = Live(key, now);
        bool changed = current is not null && (expiry is not null || current.ExpiresAt is not null);
        if (changed)
        {
            SetExpiry(key, current!, expiry, now);
        }

        await FlushAsync();
        return changed;
    }

    /// <inheritdoc />
    public async Task<KeyTimeToLive> GetTimeToLiveAsync(string key)
    {
        var now = _store.Now;
        var current = Live(key, now);
        await FlushAsync();
        return current is null ? KeyTimeToLive.Missing : new KeyTimeToLive(true, current.ExpiresAt - now) { ExpiresAt = current.ExpiresAt };
    }

    /// <inheritdoc />
    public async Task<bool> RefreshAsync(string key)
    {
        fence.ThrowIfFrozen();
        bool exists = Read(key, _store.Now) is not null;
        await FlushAsync();
        return exists;
    }

    /// <inheritdoc />
    public async Task<int> SweepExpiredAsync()
    {
        _store.RemoveExpired(MaxReclaimsPerSweep, _pending);
        int reclaimed = _pending.Count;
        counters.CountExpirations(reclaimed);
        await FlushAsync();
        return reclaimed;
    }

    /// <inheritdoc />
    public Task<EvictionCandidate[]> SampleForEvictionAsync(int samples) =>
        Task.FromResult(_store.SampleLeastRecentlyUsed(samples) is { } oldest
            ? new[] { new EvictionCandidate(Bucket, oldest.Key, oldest.LastUsed) }
            : []);

    /// <inheritdoc />
    public async Task<int> EvictAsync(EvictionCandidate[] candidates)
    {
        foreach (var candidate in candidates)
        {
            // Used since it was sampled: no longer the least recently used.
            if (_store.LastUsed(candidate.Key) == candidate.LastUsed)
            {
                _pending.Add(_store.Write(candidate.Key, value: null));
            }
        }

        int evicted = _pending.Count;
        counters.CountEvictions(evicted);
        await FlushAsync();
        return evicted;
    }

    // The live entry under key; an expired one is reclaimed (a replicated delete) and reads as absent.
    private CacheEntry? Live(string key, DateTimeOffset now)
    {
        var entry = _store.Peek(key);
        if (entry is null || !entry.IsExpiredAt(now))
        {
            return entry;
        }

        _pending.Add(_store.Write(key, value: null));
        counters.CountExpirations(1);
        return null;
    }

    // A read: the live entry, marked as just used, with a sliding expiry moved ahead.
    private CacheEntry? Read(string key, DateTimeOffset now)
    {
        var entry = Live(key, now);
        if (entry is null)
        {
            return null;
        }

        _store.Touch(key);
        if (entry.SlidingExpiration is not { } window)
        {
            return entry;
        }

        var expiresAt = Earlier(now + window, entry.AbsoluteExpiration);
        if (expiresAt == entry.ExpiresAt)
        {
            return entry;
        }

        // Keeps UpdatedAt: a read is not an update. Were it stamped, a key that was only read on a cluster
        // that yields would win a latest-update merge against a newer write on the other cluster.
        entry = entry with { ExpiresAt = expiresAt };
        _pending.Add(_store.Write(key, entry));
        return entry;
    }

    private void ThrowIfTooLarge(CacheValue value)
    {
        int max = options.Value.MaxValueBytes;
        if (value.Value.Length > max)
        {
            ThrowValueTooLarge(value.Value.Length, max);
        }
    }

    private static CacheArgumentException WrongType() => new(CacheArgumentError.WrongType, CacheProblems.WrongType);

    private static void ThrowValueTooLarge(int length, int max) =>
        throw new CacheArgumentException(CacheArgumentError.ValueTooLarge, CacheProblems.ValueTooLarge(length, max));

    private static CacheEntry WithExpiry(CacheEntry entry, CacheExpiry? expiry, DateTimeOffset now) => expiry switch
    {
        null => entry,
        { TimeToLive: { } ttl } => entry with { ExpiresAt = now + ttl },
        { SlidingExpiration: { } window } => entry with
        {
            ExpiresAt = Earlier(now + window, expiry.AbsoluteExpiration),
            SlidingExpiration = window,
            AbsoluteExpiration = expiry.AbsoluteExpiration,
        },
        _ => entry with { ExpiresAt = expiry.AbsoluteExpiration },
    };

    private static CacheEntry KeepExpiry(CacheEntry entry, CacheEntry from) => entry with
    {
        ExpiresAt = from.ExpiresAt,
        SlidingExpiration = from.SlidingExpiration,
        AbsoluteExpiration = from.AbsoluteExpiration,
    };

    private static DateTimeOffset Earlier(DateTimeOffset at, DateTimeOffset? limit) => limit < at ? limit.Value : at;

    // Redis accepts an optional '-' and decimal digits, nothing else: no spaces, '+' or fractions.
    private static bool TryParseInteger(byte[] text, out long value)
    {
        value = 0;
        return text.Length is > 0 and <= 20 && text[0] != (byte)'+'
            && Utf8Parser.TryParse(text, out value, out int consumed) && consumed == text.Length;
    }
}
