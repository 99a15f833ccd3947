using System.Runtime.InteropServices;
using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Grains.Storage;

/// <summary>
/// Where data lives: the entries of one bucket copy (primary or replica) and the sequence number of
/// the last write applied to it. Owned by one grain activation, so it needs no locks.
/// </summary>
/// <remarks>
/// <para>Besides the entries it keeps what expiry and eviction need, identically on every copy: a
/// queue of expiry times (the sweep pops what is due instead of scanning) and a list of keys to
/// sample at random. Only the primary uses them; a replica loses an entry only when its primary's
/// delete arrives as a <see cref="ReplicaWrite"/>, so the copies never diverge.</para>
/// <para>Every change is reported to the silo's <see cref="NodeMemory"/>, and <see cref="Release"/>
/// takes the whole store off it when the grain deactivates.</para>
/// <para>One other thread may read a primary's committed entries at any time, without a grain message
/// (<see cref="TryReadCommitted"/>): every change here is bracketed by a change counter, odd while it runs, that
/// such a reader checks before and after, so it sees committed state or gives up and asks the grain.</para>
/// </remarks>
public sealed class BucketStore
{
    /// <summary>
    /// Estimated bytes one entry costs besides its key's characters (2 bytes each) and its value's bytes: the
    /// key string's and value array's headers (22 + 24, plus alignment), the <see cref="CacheEntry"/> (56),
    /// its dictionary slot (40, times about 1.4 for the table's free slots), its place in the sampling list
    /// (8, plus the list's slack) and its bucket grain's share of what an activation costs. Measured, not
    /// derived: a node holding a million 16-character keys with 100-byte values has 339 bytes of live heap
    /// per key (<c>scripts/bench-memory.sh</c>), 207 of them besides the characters and the value. This
    /// estimate is what <c>MAX_MEMORY_BYTES</c> limits, so it should be what the heap holds.
    /// </summary>
    public const int EntryOverheadBytes = 208;

    private readonly NodeMemory _memory;
    private readonly TimeProvider _time;
    private readonly bool _replica;
    private readonly List<string> _keys = [];

    // What this copy's own writes replaced since the last Commit, oldest first, so that writes the replicas
    // did not all take can be taken back (RollBack): a write is visible only once every copy has it.
    private readonly List<(string Key, Slot? Before)> _uncommitted = [];
    private Dictionary<string, Slot> _entries = new(StringComparer.Ordinal);
    private PriorityQueue<string, DateTimeOffset> _expiries = new();
    private int _expiring;
    private long _bytes;

    // Odd while a change runs, and moved on by every change: a reader on another thread that sees the same even
    // value before and after its lookup saw no change in between (a sequence lock; see TryReadCommitted).
    private int _changes;

    /// <summary>Creates a store that stands alone: system time, no silo budget.</summary>
    public BucketStore()
        : this(NodeMemory.Unlimited(), TimeProvider.System, replica: false)
    {
    }

    /// <summary>Creates a store that reports to <paramref name="memory"/> and reads the time from <paramref name="time"/>.</summary>
    /// <param name="memory">The silo's accounting.</param>
    /// <param name="time">The clock that decides what has expired.</param>
    /// <param name="replica">Whether this is a replica copy (counted as replica keys).</param>
    public BucketStore(NodeMemory memory, TimeProvider time, bool replica)
    {
        _memory = memory;
        _time = time;
        _replica = replica;
    }

    /// <summary>Sequence number of the last write applied (0 before the first).</summary>
    public long Sequence { get; private set; }

    /// <summary>
    /// The epoch of the primary activation this copy's content comes from: a primary stamps it on every write and
    /// copy it sends, and a replica keeps the epoch of what it applied (see <see cref="ReplicaWrite.Epoch"/>).
    /// </summary>
    public long Epoch { get; set; }

    /// <summary>The version the next write made here will give its entry.</summary>
    public long NextVersion => Sequence + 1;

    /// <summary>Number of entries, expired ones not yet reclaimed included.</summary>
    public int Count => _entries.Count;

    /// <summary>Estimated bytes of all entries.</summary>
    public long Bytes => _bytes;

    /// <summary>The current time by this store's clock.</summary>
    public DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>The earliest expiry among the entries, if any has one (may be one already replaced).</summary>
    public DateTimeOffset? NextExpiry => _expiries.TryPeek(out _, out var at) ? at : null;

    /// <summary>Returns the estimated bytes of an entry with this key and value length.</summary>
    public static long EntrySize(string key, int valueLength) => EntryOverheadBytes + 2L * key.Length + valueLength;

    /// <summary>Returns the live entry under <paramref name="key"/>, or <see langword="null"/> (expired entries are never returned).</summary>
    public CacheEntry? Get(string key)
    {
        var entry = Peek(key);
        return entry is null || entry.IsExpiredAt(Now) ? null : entry;
    }

    /// <summary>Returns the entry under <paramref name="key"/> even when it has expired, or <see langword="null"/>.</summary>
    public CacheEntry? Peek(string key) => _entries.TryGetValue(key, out var slot) ? slot.Entry : null;

    /// <summary>Records a use of <paramref name="key"/> for eviction (the primary calls it on every read and write).</summary>
    public void Touch(string key)
    {
        ref var slot = ref CollectionsMarshal.GetValueRefOrNullRef(_entries, key);
        if (!System.Runtime.CompilerServices.Unsafe.IsNullRef(ref slot))
        {
            slot.LastUsed = _memory.NextAccessStamp();
        }
    }

    /// <summary>Returns how many bytes storing a value of <paramref name="valueLength"/> under <paramref name="key"/>
    /// would add (negative when it shrinks an existing entry).</summary>
    public long Growth(string key, int valueLength)
    {
        long existing = _entries.TryGetValue(key, out var slot) ? EntrySize(key, slot.Entry.Value.Length) : 0;
        return EntrySize(key, valueLength) - existing;
    }

    /// <summary>Applies a new write made by this copy's own primary (an entry with no expiry, updated now) and
    /// returns what to forward to replicas.</summary>
    public ReplicaWrite Write(string key, CacheValue? value) =>
        Write(key, value is null ? null : new CacheEntry(value.Value, value.Format, NextVersion) { UpdatedAt = Now });

    /// <summary>Applies a new write of <paramref name="entry"/> (or a delete, when <see langword="null"/>) made by
    /// this copy's own primary and returns what to forward to replicas. Build a new value's entry with
    /// <see cref="NextVersion"/>; an entry whose expiry alone changes keeps its version.</summary>
    public ReplicaWrite Write(string key, CacheEntry? entry)
    {
        var write = new ReplicaWrite(NextVersion, key, entry) { Epoch = Epoch };
        BeginChange();
        _uncommitted.Add((key, _entries.TryGetValue(key, out var before) ? before : (Slot?)null));
        Apply(write);
        Touch(key);
        EndChange();
        return write;
    }

    /// <summary>Makes the writes since the last commit final: every copy has them.</summary>
    public void Commit()
    {
        if (_uncommitted.Count == 0)
        {
            return;
        }

        BeginChange();
        _uncommitted.Clear();
        EndChange();
    }

    /// <summary>
    /// Reads <paramref name="key"/>'s committed entry from a thread other than the owning grain's, without
    /// waiting for it: <see langword="true"/> with the live entry (or <see langword="null"/> for none) when no
    /// write was uncommitted or under way meanwhile and the entry needs no change to be read (it has not expired,
    /// and has no sliding expiry to move ahead); <see langword="false"/> when only the grain can answer.
    /// </summary>
    /// <param name="key">The key.</param>
    /// <param name="entry">The committed live entry, or <see langword="null"/> when the key has none.</param>
    public bool TryReadCommitted(string key, out CacheEntry? entry)
    {
        entry = null;
        int before = Volatile.Read(ref _changes);
        if ((before & 1) != 0)
        {
            return false;
        }

        CacheEntry? found;
        try
        {
            if (_uncommitted.Count != 0)
            {
                return false;
            }

            // Found, it is marked as just used (for eviction), as a read through the grain marks it. Should a change
            // run meanwhile, the mark may land on a slot that moved: only an eviction's sampling reads it.
            ref var slot = ref CollectionsMarshal.GetValueRefOrNullRef(_entries, key);
            if (System.Runtime.CompilerServices.Unsafe.IsNullRef(ref slot))
            {
                found = null;
            }
            else
            {
                found = slot.Entry;
                slot.LastUsed = _memory.NextAccessStamp();
            }
        }
        catch (Exception)
        {
            // A change that started after the check above can make a lookup fail (a table being resized); the
            // counter below would discard what it found anyway.
            return false;
        }

        // The lookup's reads must be done before the counter is read again.
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref _changes) != before
            || (found is not null && (found.SlidingExpiration is not null || found.IsExpiredAt(Now))))
        {
            return false;
        }

        entry = found;
        return true;
    }

    /// <summary>
    /// Takes back every write made here since the last <see cref="Commit"/>, restoring the entries they replaced
    /// (when their replication failed), and moves the sequence number one past them: a replica that did apply
    /// some of them is then behind by a gap, so it asks for (and gets) a full copy before it takes more writes.
    /// </summary>
    /// <returns>How many writes were taken back.</returns>
    public int RollBack()
    {
        int count = _uncommitted.Count;
        BeginChange();
        for (int i = count - 1; i >= 0; i--)
        {
            var (key, before) = _uncommitted[i];
            if (before is { } slot)
            {
                Store(key, slot.Entry);
                CollectionsMarshal.GetValueRefOrNullRef(_entries, key).LastUsed = slot.LastUsed;
            }
            else
            {
                Remove(key);
            }
        }

        _uncommitted.Clear();
        Sequence += count > 0 ? 1 : 0;
        EndChange();
        return count;
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

        BeginChange();
        Apply(write);
        EndChange();
        return true;
    }

    /// <summary>Deletes entries whose expiry has passed, at most <paramref name="limit"/>, adding each delete to
    /// <paramref name="writes"/> to forward.</summary>
    public void RemoveExpired(int limit, List<ReplicaWrite> writes)
    {
        var now = Now;
        while (writes.Count < limit && _expiries.TryPeek(out var key, out var at) && at <= now)
        {
            _expiries.Dequeue();

            // The queue is lazy: an entry rewritten with another expiry (or none) left a stale item behind.
            if (_entries.TryGetValue(key, out var slot) && slot.Entry.ExpiresAt == at)
            {
                writes.Add(Write(key, entry: null));
            }
        }
    }

    /// <summary>Returns the least recently used among <paramref name="samples"/> entries picked at random.</summary>
    public (string Key, long LastUsed)? SampleLeastRecentlyUsed(int samples)
    {
        (string Key, long LastUsed)? oldest = null;
        for (int i = 0; i < samples && _keys.Count > 0; i++)
        {
            string key = _keys[Random.Shared.Next(_keys.Count)];
            long lastUsed = _entries[key].LastUsed;
            if (oldest is null || lastUsed < oldest.Value.LastUsed)
            {
                oldest = (key, lastUsed);
            }
        }

        return oldest;
    }

    /// <summary>Returns a copy of every key, expired ones not yet reclaimed included, in no order.</summary>
    public List<string> CopyKeys() => [.. _keys];

    /// <summary>Returns when <paramref name="key"/> was last used, or <see langword="null"/> when it is absent.</summary>
    public long? LastUsed(string key) => _entries.TryGetValue(key, out var slot) ? slot.LastUsed : null;

    /// <summary>Returns a copy of the live entries, safe to hand to another grain.</summary>
    public BucketSnapshot ToSnapshot()
    {
        var now = Now;
        var entries = new Dictionary<string, CacheEntry>(_entries.Count, StringComparer.Ordinal);
        foreach (var (key, slot) in _entries)
        {
            if (!slot.Entry.IsExpiredAt(now))
            {
                entries[key] = slot.Entry;
            }
        }

        return new BucketSnapshot(Sequence, entries) { Epoch = Epoch };
    }

    /// <summary>Replaces the whole store with <paramref name="snapshot"/>.</summary>
    public void Reset(BucketSnapshot snapshot)
    {
        Release();
        BeginChange();
        _entries = new Dictionary<string, Slot>(snapshot.Entries.Count, StringComparer.Ordinal);
        foreach (var (key, entry) in snapshot.Entries)
        {
            Store(key, entry);
        }

        Sequence = snapshot.Sequence;
        Epoch = snapshot.Epoch;
        EndChange();
    }

    /// <summary>Drops every entry and takes them off the silo's accounting (when the grain deactivates).</summary>
    public void Release()
    {
        BeginChange();
        _memory.Add(-_bytes, -_entries.Count, _replica);
        _bytes = 0;
        _entries = new Dictionary<string, Slot>(StringComparer.Ordinal);
        _keys.Clear();
        _expiries = new PriorityQueue<string, DateTimeOffset>();
        _memory.AddExpiring(-_expiring, _replica);
        _expiring = 0;
        _uncommitted.Clear();
        EndChange();
    }

    /// <summary>Copies every live entry into <paramref name="target"/>.</summary>
    public void CopyTo(IDictionary<string, CacheEntry> target)
    {
        foreach (var (key, entry) in ToSnapshot().Entries)
        {
            target[key] = entry;
        }
    }

    // A change is under way from here to EndChange: readers on other threads (TryReadCommitted) give up. A full
    // fence, so that none of the change's writes is seen before the odd counter.
    private void BeginChange() => Interlocked.Increment(ref _changes);

    // A release write, so that every write of the change is seen before the even counter.
    private void EndChange() => Volatile.Write(ref _changes, _changes + 1);

    private void Apply(ReplicaWrite write)
    {
        if (write.Entry is null)
        {
            Remove(write.Key);
        }
        else
        {
            Store(write.Key, write.Entry);
        }

        Sequence = write.Sequence;
    }

    private void Store(string key, CacheEntry entry)
    {
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_entries, key, out bool exists);
        long bytes = EntrySize(key, entry.Value.Length);
        if (exists)
        {
            bytes -= EntrySize(key, slot.Entry.Value.Length);
            CountExpiring(slot.Entry.ExpiresAt is null ? 0 : -1);
        }
        else
        {
            slot.Index = _keys.Count;
            _keys.Add(key);
        }

        slot.Entry = entry;
        if (entry.ExpiresAt is { } at)
        {
            CountExpiring(1);
            _expiries.Enqueue(key, at);
            CompactExpiries();
        }

        _bytes += bytes;
        _memory.Add(bytes, exists ? 0 : 1, _replica);
    }

    private void Remove(string key)
    {
        if (!_entries.Remove(key, out var slot))
        {
            return;
        }

        // Swap-remove from the sampling list, keeping the moved key's index right.
        string last = _keys[^1];
        _keys[slot.Index] = last;
        _keys.RemoveAt(_keys.Count - 1);
        if (last != key)
        {
            CollectionsMarshal.GetValueRefOrNullRef(_entries, last).Index = slot.Index;
        }

        CountExpiring(slot.Entry.ExpiresAt is null ? 0 : -1);
        long bytes = EntrySize(key, slot.Entry.Value.Length);
        _bytes -= bytes;
        _memory.Add(-bytes, -1, _replica);
    }

    private void CountExpiring(int change)
    {
        _expiring += change;
        _memory.AddExpiring(change, _replica);
    }

    // Rewriting a key with an expiry leaves its old queue item behind; rebuild once stale items are the
    // majority, so the queue stays within twice the expiring entries (plus a little).
    private void CompactExpiries()
    {
        if (_expiries.Count <= 2 * _expiring + 64)
        {
            return;
        }

        var fresh = new PriorityQueue<string, DateTimeOffset>(_expiring);
        foreach (var (key, slot) in _entries)
        {
            if (slot.Entry.ExpiresAt is { } at)
            {
                fresh.Enqueue(key, at);
            }
        }

        _expiries = fresh;
    }

    private struct Slot
    {
        public CacheEntry Entry;
        public int Index;
        public long LastUsed;
    }
}
