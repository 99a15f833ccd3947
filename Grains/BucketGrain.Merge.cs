using OrleansCache.Grains.Interfaces;
using OrleansCache.Grains.Interfaces.Routing;

namespace OrleansCache.Grains;

/// <summary>
/// How the bucket takes in another cluster's entries when two clusters become one: each entry is weighed
/// against the live one by the merge policy, stored as a write of this bucket, and replicated with the
/// call's other writes before it returns.
/// </summary>
public sealed partial class BucketGrain
{
    /// <inheritdoc />
    public async Task<MergeResult> MergeAsync(KeyValuePair<string, CacheEntry>[] entries, MergePolicy policy)
    {
        fence.ThrowIfFrozen();
        ThrowIfNotMergeable(entries, policy);

        var now = _store.Now;
        int maxValueBytes = options.Value.MaxValueBytes;
        long added = 0, replaced = 0, kept = 0, expired = 0, refused = 0;
        foreach (var (key, incoming) in entries)
        {
            if (incoming.IsExpiredAt(now))
            {
                expired++;
                continue;
            }

            // An expired entry here is reclaimed by Live and counts as absent.
            var current = Live(key, now);
            if (current is not null && (policy == MergePolicy.PutIfAbsent || current.UpdatedAt >= incoming.UpdatedAt))
            {
                kept++;
                continue;
            }

            // Counted, not thrown: one entry that does not fit must not cost the rest of the batch. A value over
            // this cluster's limit (the other cluster may allow more) is refused as a write of it would be.
            if (incoming.Value.Length > maxValueBytes || !TryMakeRoom(_store.Growth(key, incoming.Value.Length), keep: key))
            {
                refused++;
                continue;
            }

            // A version of this bucket, so versions stay unique per key here; the rest as it came, UpdatedAt
            // included, so a later latest-update merge still compares the time of the real write.
            _pending.Add(_store.Write(key, incoming with { Version = _store.NextVersion }));
            if (current is null)
            {
                added++;
            }
            else
            {
                replaced++;
            }
        }

        await FlushAsync();
        return new MergeResult(added, replaced, kept, expired, refused);
    }

    // Checked before anything is merged, so a refused batch changes nothing.
    private void ThrowIfNotMergeable(KeyValuePair<string, CacheEntry>[] entries, MergePolicy policy)
    {
        if (policy is not (MergePolicy.PutIfAbsent or MergePolicy.LatestUpdate))
        {
            throw new CacheArgumentException(CacheArgumentError.InvalidArgument, $"Unknown merge policy {(int)policy}.");
        }

        // An entry stored in a bucket its key does not hash to could never be read or deleted.
        int buckets = options.Value.Buckets;
        foreach (var (key, _) in entries)
        {
            int bucket = KeyHasher.GetBucket(key, buckets);
            if (bucket != Bucket)
            {
                throw new CacheArgumentException(
                    CacheArgumentError.InvalidArgument,
                    $"A key of bucket {bucket} was sent to bucket {Bucket} to merge; both clusters must have the same BUCKETS ({buckets} here).");
            }
        }
    }
}
