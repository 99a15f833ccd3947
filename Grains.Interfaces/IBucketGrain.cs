using Orleans.Concurrency;

namespace OrleansCache.Grains.Interfaces;

/// <summary>
/// The primary copy of one bucket of keys; its integer key is the bucket number
/// (see <see cref="Routing.KeyHasher"/>). It lives on the first silo of the bucket's preference list.
/// </summary>
/// <remarks>
/// Calls run one at a time per bucket (Orleans turn-based execution), so each key is linearizable
/// while the primary lives and every operation here is atomic. A write returns only after every
/// replica that should exist has applied it. A read may write too: it reclaims an expired entry and
/// moves a sliding entry's expiry, each replicated like any other write.
/// While the node holding the primary yields to another cluster (it is about to merge into it), every
/// write a client makes (set, delete, increment, expire, refresh, merge) is refused with an
/// <see cref="OrleansException"/> before it changes anything; reads go on. Retry after a few seconds.
/// </remarks>
[Alias("OrleansCache.IBucketGrain")]
public interface IBucketGrain : IGrainWithIntegerKey
{
    /// <summary>Returns the entry stored under <paramref name="key"/>, or <see langword="null"/> on a miss
    /// (an expired entry is a miss). Counts a hit or a miss; refreshes a sliding entry's expiry.</summary>
    [Alias("Get")]
    Task<CacheEntry?> GetAsync(string key);

    /// <summary>Returns the entry under each of <paramref name="keys"/>, in order, <see langword="null"/> for a miss.</summary>
    [Alias("GetMany")]
    Task<CacheEntry?[]> GetManyAsync(string[] keys);

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/>, on the primary and every replica,
    /// with no expiry.</summary>
    /// <returns>The version of the new entry.</returns>
    [Alias("Set")]
    Task<long> SetAsync(string key, CacheValue value);

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/> as <paramref name="options"/> say:
    /// with an expiry, only under a condition, returning the previous entry.</summary>
    [Alias("SetWithOptions")]
    Task<SetResult> SetAsync(string key, CacheValue value, SetOptions options);

    /// <summary>Stores every entry, each with <paramref name="expiry"/> (or none), as one atomic step of this bucket.</summary>
    [Alias("SetMany")]
    Task SetManyAsync(KeyValuePair<string, CacheValue>[] entries, CacheExpiry? expiry);

    /// <summary>Removes <paramref name="key"/> from the primary and every replica.</summary>
    /// <returns><see langword="true"/> when the key existed.</returns>
    [Alias("Delete")]
    Task<bool> DeleteAsync(string key);

    /// <summary>Removes each of <paramref name="keys"/>; returns how many existed.</summary>
    [Alias("DeleteMany")]
    Task<int> DeleteManyAsync(string[] keys);

    /// <summary>Returns how many of <paramref name="keys"/> are stored, a key named twice counted twice
    /// (Redis <c>EXISTS</c>). Counts no hits or misses and refreshes nothing.</summary>
    [Alias("CountExisting")]
    Task<int> CountExistingAsync(string[] keys);

    /// <summary>Adds <paramref name="by"/> to the 64-bit decimal integer stored under <paramref name="key"/>
    /// (a missing key counts as 0) and returns the result; keeps the entry's expiry.</summary>
    /// <exception cref="CacheArgumentException">The stored value is not an integer, or the sum overflows.</exception>
    [Alias("Increment")]
    Task<long> IncrementAsync(string key, long by);

    /// <summary>Sets the expiry of an existing key, or clears it when <paramref name="expiry"/> is
    /// <see langword="null"/>; an expiry already past deletes the key.</summary>
    /// <returns><see langword="false"/> when the key is absent, or <paramref name="expiry"/> is null and the key had none.</returns>
    [Alias("Expire")]
    Task<bool> ExpireAsync(string key, CacheExpiry? expiry);

    /// <summary>Returns whether <paramref name="key"/> exists and how long it has left.</summary>
    [Alias("TimeToLive")]
    Task<KeyTimeToLive> GetTimeToLiveAsync(string key);

    /// <summary>Runs a hash command on the hash stored under <paramref name="key"/> as one atomic step; a write keeps
    /// the key's expiry, and deleting a hash's last field deletes the key. Reads count a hit or a miss and refresh
    /// a sliding expiry, as <see cref="GetAsync"/> does.</summary>
    /// <exception cref="CacheArgumentException"><see cref="CacheArgumentError.WrongType"/> when the key holds a value
    /// that is not a hash; <see cref="CacheArgumentError.ValueTooLarge"/> when the hash would grow past
    /// <c>MAX_VALUE_BYTES</c>; <see cref="CacheArgumentError.OverMemoryBudget"/> as for any write.</exception>
    [Alias("Hash")]
    Task<HashResult> HashAsync(string key, HashCommand command);

    /// <summary>Returns the string under <paramref name="key"/> and deletes it, as one step (Redis <c>GETDEL</c>).</summary>
    /// <exception cref="CacheArgumentException"><see cref="CacheArgumentError.WrongType"/> for a hash.</exception>
    [Alias("GetAndDelete")]
    Task<CacheEntry?> GetAndDeleteAsync(string key);

    /// <summary>Returns the string under <paramref name="key"/> with its expiry changed as one step (Redis <c>GETEX</c>):
    /// to <paramref name="expiry"/>, or none when <see langword="null"/> (<c>PERSIST</c>); an expiry already past
    /// deletes the key and still returns the value.</summary>
    /// <exception cref="CacheArgumentException"><see cref="CacheArgumentError.WrongType"/> for a hash.</exception>
    [Alias("GetAndExpire")]
    Task<CacheEntry?> GetAndExpireAsync(string key, CacheExpiry? expiry);

    /// <summary>Appends <paramref name="suffix"/> to the string under <paramref name="key"/> (an absent key is empty)
    /// and returns its new length (Redis <c>APPEND</c>); keeps the expiry.</summary>
    /// <exception cref="CacheArgumentException"><see cref="CacheArgumentError.WrongType"/> for a hash;
    /// <see cref="CacheArgumentError.ValueTooLarge"/> past <c>MAX_VALUE_BYTES</c>.</exception>
    [Alias("Append")]
    Task<long> AppendAsync(string key, CacheValue suffix);

    /// <summary>Overwrites the string under <paramref name="key"/> from byte <paramref name="offset"/> on with
    /// <paramref name="value"/>, padding with zero bytes, and returns its new length (Redis <c>SETRANGE</c>); an
    /// absent key with an empty value stays absent. Keeps the expiry.</summary>
    /// <exception cref="CacheArgumentException"><see cref="CacheArgumentError.WrongType"/> for a hash;
    /// <see cref="CacheArgumentError.ValueTooLarge"/> past <c>MAX_VALUE_BYTES</c>.</exception>
    [Alias("SetRange")]
    Task<long> SetRangeAsync(string key, int offset, CacheValue value);

    /// <summary>Adds <paramref name="by"/> to the decimal number stored under <paramref name="key"/> (absent counts as
    /// 0) and returns the result's text, as stored (Redis <c>INCRBYFLOAT</c>); keeps the expiry.</summary>
    /// <exception cref="CacheArgumentException"><see cref="CacheArgumentError.WrongType"/> for a hash;
    /// <see cref="CacheArgumentError.NotAFloat"/> when the stored value is not a number;
    /// <see cref="CacheArgumentError.InvalidArgument"/> when the result is not finite.</exception>
    [Alias("IncrementByFloat")]
    Task<byte[]> IncrementByFloatAsync(string key, double by);

    /// <summary>As <see cref="ExpireAsync(string, CacheExpiry?)"/>, only when <paramref name="condition"/> holds against
    /// the key's current expiry (Redis 7.0's <c>EXPIRE ... NX|XX|GT|LT</c>).</summary>
    /// <returns>Whether the expiry was set (or the key deleted by an expiry already past).</returns>
    [Alias("ExpireIf")]
    Task<bool> ExpireAsync(string key, CacheExpiry expiry, ExpiryCondition condition);

    /// <summary>Stores every entry only if none of their keys exists, as one step (Redis <c>MSETNX</c>; the keys must
    /// all be in this bucket).</summary>
    /// <returns>Whether they were stored.</returns>
    [Alias("SetManyIfNoneExist")]
    Task<bool> SetManyIfNoneExistAsync(KeyValuePair<string, CacheValue>[] entries);

    /// <summary>Deletes <paramref name="key"/> only if its entry still has <paramref name="version"/> (the second half of
    /// a rename: the source goes only if nothing wrote it since it was read).</summary>
    /// <returns>Whether it was deleted.</returns>
    [Alias("DeleteIfVersion")]
    Task<bool> DeleteAsync(string key, long version);

    /// <summary>Deletes every key of the bucket, replicated as any delete (Redis <c>FLUSHALL</c>, one bucket of it).</summary>
    /// <returns>How many keys were deleted.</returns>
    [Alias("DeleteAll")]
    Task<int> DeleteAllAsync();

    /// <summary>Returns the bucket's live keys that <paramref name="filter"/> keeps, sorted (ordinal) (Redis <c>SCAN</c>
    /// and <c>KEYS</c>, one bucket of them). Counts no hits or misses and refreshes nothing.</summary>
    [Alias("Scan"), ReadOnly]
    Task<string[]> ScanAsync(KeyFilter filter);

    /// <summary>Moves a sliding entry's expiry ahead, as a read would, without returning it.</summary>
    /// <returns><see langword="false"/> when the key is absent.</returns>
    [Alias("Refresh")]
    Task<bool> RefreshAsync(string key);

    /// <summary>Reclaims entries whose expiry has passed; called by the node's sweep.</summary>
    /// <returns>How many were reclaimed.</returns>
    [Alias("SweepExpired"), SiloOnly]
    Task<int> SweepExpiredAsync();

    /// <summary>Returns the least recently used of <paramref name="samples"/> randomly sampled entries,
    /// for the node's evictor to compare with other buckets' (approximate LRU, as Redis samples).</summary>
    [Alias("SampleForEviction"), ReadOnly, SiloOnly]
    Task<EvictionCandidate[]> SampleForEvictionAsync(int samples);

    /// <summary>Evicts each candidate not used since it was sampled, from the primary and every replica.</summary>
    /// <returns>How many were evicted.</returns>
    [Alias("Evict"), SiloOnly]
    Task<int> EvictAsync(EvictionCandidate[] candidates);

    /// <summary>
    /// Merges entries of another cluster's copy of this bucket into it, as one atomic step of the bucket: for
    /// each entry, <see cref="MergePolicy.PutIfAbsent"/> stores it only when the key has no live entry here;
    /// <see cref="MergePolicy.LatestUpdate"/> stores it when the key has no live entry or the live entry's
    /// <see cref="CacheEntry.UpdatedAt"/> is earlier. A stored entry keeps its value, format, expiry fields
    /// and <see cref="CacheEntry.UpdatedAt"/>, and gets a new version of this bucket. An entry already expired
    /// is skipped. The changes are on every replica before the call returns, as with
    /// <see cref="SetManyAsync"/> (one <see cref="IReplicaGrain.ApplyManyAsync"/> per replica).
    /// </summary>
    /// <remarks>
    /// Memory is made as a write makes it: under <c>EVICTION_POLICY=lru</c> by evicting from this bucket past
    /// the hard limit; under <c>noeviction</c> an entry that does not fit is counted as refused, not thrown for
    /// the whole batch. A key named twice is merged twice, in order. Merging the same entries again changes
    /// nothing (they are then live here with the same <see cref="CacheEntry.UpdatedAt"/>), so a batch whose
    /// answer was lost may be sent again.
    /// </remarks>
    /// <param name="entries">The entries, each under a key of this bucket.</param>
    /// <param name="policy">Which of an incoming and a live entry wins.</param>
    /// <returns>How many entries were added, replaced, kept, skipped as expired, and refused.</returns>
    /// <exception cref="CacheArgumentException">A key does not belong to this bucket (the clusters' <c>BUCKETS</c>
    /// differ), or <paramref name="policy"/> is not a <see cref="MergePolicy"/>; nothing is merged.</exception>
    [Alias("Merge"), SiloOnly]
    Task<MergeResult> MergeAsync(KeyValuePair<string, CacheEntry>[] entries, MergePolicy policy);

    /// <summary>Returns a complete copy of the bucket.</summary>
    [Alias("Snapshot"), ReadOnly, SiloOnly]
    Task<BucketSnapshot> GetSnapshotAsync();

    /// <summary>Returns the sequence number of the last write applied to the bucket.</summary>
    /// <remarks>Interleaves with other calls: a replica asks it while deciding whether it may move, and the
    /// bucket may at that moment be waiting on that replica.</remarks>
    [Alias("Sequence"), AlwaysInterleave, SiloOnly]
    Task<long> GetSequenceAsync();

    /// <summary>Reports the nodes that hold this bucket's primary and replicas right now.</summary>
    [Alias("Locate")]
    Task<BucketLocation> LocateAsync();

    /// <summary>
    /// Brings the bucket in line with the current bucket map: moves the primary, with its entries, to the
    /// node the map names if that is another node; otherwise gives every replica the map calls for a
    /// complete copy if it lacks one. Called by each node's rebalancer when membership changes.
    /// </summary>
    /// <returns><see langword="true"/> when the bucket is moving to another node.</returns>
    [Alias("Reconcile"), SiloOnly]
    Task<bool> ReconcileAsync();
}
