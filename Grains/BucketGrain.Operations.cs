using System.Buffers.Text;
using Microsoft.Extensions.Logging;
using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Grains;

/// <summary>
/// The bucket's operations beyond get, set and delete: conditional and batch writes, counters, expiry,
/// the sweep and eviction. Each runs as one turn of the grain, so it is atomic, and every change it
/// makes is a <see cref="ReplicaWrite"/> collected in <see cref="_pending"/> and replicated before the
/// call returns, so replicas stay identical to the primary.
/// </summary>
public sealed partial class BucketGrain
{
    // Evicting for one write stops after this many entries, to bound the write's latency; the node's
    // evictor does the rest.
    private const int MaxEvictionsPerWrite = 64;

    // Samples per local eviction: Redis' default maxmemory-samples, which it measured as close to true LRU.
    private const int EvictionSamples = 5;

    // A sweep call reclaims at most this many entries, so one bucket full of due entries cannot hold its
    // turn for long; the next sweep continues.
    private const int MaxReclaimsPerSweep = 1000;

    // The writes of the current call, applied here and not yet sent to the replicas. Only one call runs
    // at a time (no method interleaves but the read-only sampling, which writes nothing).
    private readonly List<ReplicaWrite> _pending = [];

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
            var entry = current! with { ExpiresAt = null, SlidingExpiration = null, AbsoluteExpiration = null, UpdatedAt = now };
            entry = WithExpiry(entry, expiry, now);
            _pending.Add(_store.Write(key, entry.IsExpiredAt(now) ? null : entry));
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
        return current is null ? KeyTimeToLive.Missing : new KeyTimeToLive(true, current.ExpiresAt - now);
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

    private async Task MakeRoomAsync(string key, int valueLength) => await MakeRoomAsync(_store.Growth(key, valueLength), keep: key);

    // Refuses (noeviction) or evicts from this bucket (lru, past the hard limit) so that growth fits.
    private async Task MakeRoomAsync(long growth, string? keep)
    {
        if (!TryMakeRoom(growth, keep))
        {
            await FlushAsync();
            throw new CacheArgumentException(
                CacheArgumentError.OverMemoryBudget,
                $"The node holding this key is at its memory budget of {memory.Budget} bytes (MAX_MEMORY_BYTES, EVICTION_POLICY=noeviction).");
        }
    }

    // Evicts from this bucket (lru, past the hard limit) so that growth fits; false when it may not (noeviction).
    private bool TryMakeRoom(long growth, string? keep)
    {
        if (!memory.WouldExceedBudget(growth))
        {
            return true;
        }

        if (memory.Policy == EvictionPolicy.NoEviction)
        {
            return false;
        }

        int evicted = 0;
        while (evicted < MaxEvictionsPerWrite && memory.WouldExceedHardLimit(growth)
            && _store.SampleLeastRecentlyUsed(EvictionSamples) is { } oldest && oldest.Key != keep)
        {
            _pending.Add(_store.Write(oldest.Key, value: null));
            evicted++;
        }

        counters.CountEvictions(evicted);
        return true;
    }

    // Sends this call's writes to the replicas and makes them final once every replica has applied them; when
    // one could not, takes them back here too, so that a write the caller sees fail is never read afterwards
    // (it may still surface later if this node dies and a replica that did apply it takes over: a failed write's
    // outcome is unknown, as with any timeout, but a read never goes back from it).
    private async Task FlushAsync()
    {
        if (_pending.Count == 0)
        {
            return;
        }

        var writes = _pending.ToArray();
        _pending.Clear();
        try
        {
            await ReplicateAsync(writes);
            _store.Commit();
        }
        catch (Exception exception)
        {
            LogRolledBack(logger, Bucket, _store.RollBack(), exception.Message);
            if (exception is StalePrimaryException)
            {
                // A newer activation of this bucket took over its replicas: this one must not serve any more.
                DeactivateOnIdle();
            }

            throw;
        }
        finally
        {
            TrackExpiries();
        }
    }

    private void TrackExpiries()
    {
        if (_store.NextExpiry is null)
        {
            sweeper.Untrack(Bucket);
        }
        else
        {
            sweeper.Track(Bucket);
        }
    }

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

    [LoggerMessage(Level = LogLevel.Information, Message = "Bucket {Bucket} took back {Count} writes that its replicas did not all apply: {Reason}")]
    private static partial void LogRolledBack(ILogger logger, int bucket, int count, string reason);
}
