using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Grains.Merging;

/// <summary>
/// Merges what a yielding node exported (<see cref="LocalExporter"/>) into the cluster it has joined, through
/// each bucket's <see cref="IBucketGrain.MergeAsync"/>. One per silo.
/// </summary>
/// <remarks>
/// Entries go to the bucket number of their export: both clusters have the same <c>BUCKETS</c> (a node whose
/// <c>BUCKETS</c> differs is refused at join), so a key's bucket is the same on both sides.
/// </remarks>
public sealed partial class MergeReplayer(IGrainFactory grains, ILogger<MergeReplayer> logger)
{
    /// <summary>Most entries sent in one merge call.</summary>
    public const int MaxBatchEntries = 1000;

    /// <summary>Most key and value bytes sent in one merge call (an entry larger than this goes alone): 4 MiB
    /// keeps each message far below Orleans' 100 MB limit and each grain turn short.</summary>
    public const long MaxBatchBytes = 4 * 1024 * 1024;

    // Buckets merged at once: each call holds one bucket's turn and waits on its replicas, so a few in flight
    // keep the cluster busy without starving the requests it serves meanwhile.
    private const int Parallelism = 4;

    // Tries of one batch, waiting 0.25, 0.5, 1, 2 and 4 s in between: a node that has just joined sees calls
    // fail while buckets move to it and the others learn of it (a join settled in about a second in the
    // data-safety tests). Sending a batch again is safe: a merge repeated changes nothing.
    private const int Attempts = 6;

    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(250);

    // One batch is one grain turn plus one replication round: well under a second when the cluster is healthy.
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Sends every exported entry to its bucket's <see cref="IBucketGrain.MergeAsync"/> with
    /// <paramref name="policy"/>, in batches, a few buckets at a time; within a bucket the primary's copy goes
    /// first, and a key already sent from one copy of a bucket is not sent again from another. A batch that
    /// fails is tried again a few times.
    /// </summary>
    /// <returns>The counts of every batch, summed.</returns>
    /// <exception cref="OrleansException">Some batches failed every try; all the others were merged first, and the
    /// summary logged says how many entries were not.</exception>
    public async Task<MergeResult> ReplayAsync(IReadOnlyList<BucketExport> export, MergePolicy policy, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        var buckets = new Dictionary<int, List<BucketExport>>();
        foreach (var copy in export)
        {
            if (!buckets.TryGetValue(copy.Bucket, out var copies))
            {
                buckets[copy.Bucket] = copies = [];
            }

            copies.Add(copy);
        }

        var total = new BucketReplay();
        var options = new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(buckets, options, async (pair, token) =>
        {
            var replay = await ReplayBucketAsync(pair.Key, pair.Value, policy, token);
            lock (total)
            {
                total.Add(replay);
            }
        });

        var merged = total.Merged;
        LogReplayed(
            logger, merged.Total + total.Undelivered, export.Count, policy, merged.Added, merged.Replaced, merged.Kept, merged.Expired,
            merged.Refused, total.Duplicates, total.Undelivered, Stopwatch.GetElapsedTime(started).TotalSeconds);
        if (total.Undelivered > 0)
        {
            throw new OrleansException(
                $"{total.Undelivered} of {merged.Total + total.Undelivered} exported entries could not be merged: their batches failed {Attempts} tries.",
                total.LastFailure!);
        }

        return merged;
    }

    private async Task<BucketReplay> ReplayBucketAsync(int bucket, List<BucketExport> copies, MergePolicy policy, CancellationToken cancellationToken)
    {
        // The primary's copy first: it holds every write its replicas hold, and newer ones of writes in flight.
        copies.Sort(static (a, b) => a.IsReplica.CompareTo(b.IsReplica));
        var grain = grains.GetGrain<IBucketGrain>(bucket);
        var replay = new BucketReplay();

        // With two copies of one bucket (a node holds a primary and a spare replica of it while buckets move),
        // send each key once: the second would only be counted as kept.
        var sent = copies.Count > 1 ? new HashSet<string>(StringComparer.Ordinal) : null;
        var batch = new List<KeyValuePair<string, CacheEntry>>(MaxBatchEntries);
        long bytes = 0;
        foreach (var copy in copies)
        {
            foreach (var entry in copy.Snapshot.Entries)
            {
                if (sent is not null && !sent.Add(entry.Key))
                {
                    replay.Duplicates++;
                    continue;
                }

                long size = entry.Key.Length + entry.Value.Value.Length;
                if (batch.Count == MaxBatchEntries || (batch.Count > 0 && bytes + size > MaxBatchBytes))
                {
                    await SendAsync(grain, bucket, batch, policy, replay, cancellationToken);
                    bytes = 0;
                }

                batch.Add(entry);
                bytes += size;
            }
        }

        if (batch.Count > 0)
        {
            await SendAsync(grain, bucket, batch, policy, replay, cancellationToken);
        }

        return replay;
    }

    // Sends the batch, again on failure, and records what became of it; clears it for the next.
    private async Task SendAsync(
        IBucketGrain grain, int bucket, List<KeyValuePair<string, CacheEntry>> batch, MergePolicy policy, BucketReplay replay, CancellationToken cancellationToken)
    {
        var entries = batch.ToArray();
        batch.Clear();
        var delay = FirstRetryDelay;
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                replay.Merged += await grain.MergeAsync(entries, policy).WaitAsync(CallTimeout, cancellationToken);
                return;
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                // A refused argument (BUCKETS differ) would be refused again.
                if (attempt == Attempts || exception is CacheArgumentException)
                {
                    LogBatchFailed(logger, exception, bucket, entries.Length, attempt);
                    replay.Undelivered += entries.Length;
                    replay.LastFailure = exception;
                    return;
                }

                LogBatchRetried(logger, exception, bucket, entries.Length, attempt);
            }

            await Task.Delay(delay, cancellationToken);
            delay *= 2;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Replayed {Entries} exported entries of {Copies} bucket copies by {Policy}: {Added} added, "
        + "{Replaced} replaced, {Kept} kept, {Expired} expired, {Refused} refused; {Duplicates} held twice sent once; {Undelivered} undelivered; {Seconds:F1} s")]
    private static partial void LogReplayed(
        ILogger logger, long entries, int copies, MergePolicy policy, long added, long replaced, long kept, long expired, long refused,
        long duplicates, long undelivered, double seconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Merging {Count} entries into bucket {Bucket} failed (try {Attempt}); trying again")]
    private static partial void LogBatchRetried(ILogger logger, Exception exception, int bucket, int count, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Merging {Count} entries into bucket {Bucket} failed {Attempt} times; they are not merged")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, int bucket, int count, int attempt);

    // What became of one bucket's entries (or, summed, of all of them).
    private sealed class BucketReplay
    {
        public MergeResult Merged { get; set; } = MergeResult.Empty;

        public long Duplicates { get; set; }

        public long Undelivered { get; set; }

        public Exception? LastFailure { get; set; }

        public void Add(BucketReplay other)
        {
            Merged += other.Merged;
            Duplicates += other.Duplicates;
            Undelivered += other.Undelivered;
            LastFailure = other.LastFailure ?? LastFailure;
        }
    }
}
