using OrleansCache.Grains.Interfaces;
using OrleansCache.Grains.Keys;

namespace OrleansCache.Grains;

/// <summary>
/// The commands over a whole bucket's keys: a scan (SCAN, KEYS, RANDOMKEY visit every bucket with it) and
/// the bucket's share of FLUSHALL; and the delete that ends a rename.
/// </summary>
public sealed partial class BucketGrain
{
    /// <inheritdoc />
    public async Task<int> DeleteAllAsync()
    {
        fence.ThrowIfFrozen();
        var keys = _store.CopyKeys();
        foreach (string key in keys)
        {
            _pending.Add(_store.Write(key, value: null));
        }

        await FlushAsync();
        return keys.Count;
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string key, long version)
    {
        fence.ThrowIfFrozen();
        bool same = Live(key, _store.Now)?.Version == version;
        if (same)
        {
            _pending.Add(_store.Write(key, value: null));
        }

        await FlushAsync();
        return same;
    }

    /// <inheritdoc />
    public Task<string[]> ScanAsync(KeyFilter filter)
    {
        var now = _store.Now;
        var keys = new List<string>();
        foreach (string key in _store.CopyKeys())
        {
            var entry = _store.Peek(key);
            if (entry is null || entry.IsExpiredAt(now) || !Keeps(filter, key, entry))
            {
                continue;
            }

            keys.Add(key);
        }

        // Sorted, so a bucket reads the same way on every copy and in every call.
        keys.Sort(StringComparer.Ordinal);
        return Task.FromResult(keys.ToArray());
    }

    private static bool Keeps(KeyFilter filter, string key, CacheEntry entry) =>
        filter.Type switch
        {
            KeyType.String => entry.Format != ValueFormat.Hash,
            KeyType.Hash => entry.Format == ValueFormat.Hash,
            _ => true,
        }
        && (filter.Pattern is null || GlobPattern.IsMatch(filter.Pattern, key));
}
