using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Grains.Storage;

/// <summary>
/// Where data lives: the entries of one bucket copy (primary or replica) and the sequence number of
/// the last write applied to it. Owned by one grain activation, so it needs no locks.
/// </summary>
public sealed class BucketStore
{
    private Dictionary<string, CacheEntry> _entries = new(StringComparer.Ordinal);

    /// <summary>Sequence number of the last write applied (0 before the first).</summary>
    public long Sequence { get; private set; }

    /// <summary>Number of entries.</summary>
    public int Count => _entries.Count;

    /// <summary>Returns the entry under <paramref name="key"/>, or <see langword="null"/>.</summary>
    public CacheEntry? Get(string key) => _entries.GetValueOrDefault(key);

    /// <summary>Applies a new write made by this copy's own primary and returns what to forward to replicas.</summary>
    public ReplicaWrite Write(string key, CacheValue? value)
    {
        long sequence = Sequence + 1;
        var write = new ReplicaWrite(sequence, key, value is null ? null : new CacheEntry(value.Value, value.Format, sequence));
        Apply(write);
        return write;
    }

    /// <summary>Applies a write forwarded from the primary, if it is the next one expected.</summary>
    /// <returns><see langword="false"/> when a write between ours and this one is missing.</returns>
    public bool TryApply(ReplicaWrite write)
    {
        if (write.Sequence <= Sequence)
        {
            return true; // Already applied: a retried forward.
        }

        if (write.Sequence != Sequence + 1)
        {
            return false;
        }

        Apply(write);
        return true;
    }

    /// <summary>Returns a copy of the whole store, safe to hand to another grain.</summary>
    public BucketSnapshot ToSnapshot() => new(Sequence, new Dictionary<string, CacheEntry>(_entries, StringComparer.Ordinal));

    /// <summary>Replaces the whole store with <paramref name="snapshot"/>.</summary>
    public void Reset(BucketSnapshot snapshot)
    {
        _entries = new Dictionary<string, CacheEntry>(snapshot.Entries, StringComparer.Ordinal);
        Sequence = snapshot.Sequence;
    }

    /// <summary>Copies every entry into <paramref name="target"/>.</summary>
    public void CopyTo(IDictionary<string, CacheEntry> target)
    {
        foreach (var (key, entry) in _entries)
        {
            target[key] = entry;
        }
    }

    private void Apply(ReplicaWrite write)
    {
        if (write.Entry is null)
        {
            _entries.Remove(write.Key);
        }
        else
        {
            _entries[write.Key] = write.Entry;
        }

        Sequence = write.Sequence;
    }
}
