using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using OrleansCache.Grains.Interfaces;
using OrleansCache.Grains.Interfaces.Routing;
using OrleansCache.Grains.Storage;

namespace OrleansCache.Grains.Merging;

/// <summary>
/// Copies every bucket copy active on this silo, primaries and replicas, for a node that yields to another
/// cluster: what it exports here, it merges there with <see cref="MergeReplayer"/>. One per silo.
/// </summary>
/// <remarks>Freeze the node first (<see cref="NodeFence"/>): a client write taken after its bucket was copied
/// would not be in the export. Each copy is taken in one turn of its grain, so it is consistent in itself.</remarks>
public sealed partial class LocalExporter(LocalBucketCatalog catalog, IGrainFactory grains, ILogger<LocalExporter> logger)
{
    // Grain calls in flight at once, as in the rebalancer's passes: a node's ~700 copies in well under a
    // second without starving the rest of the silo on 2 cores.
    private const int Parallelism = 8;

    // A copy is one dictionary copy in one grain turn (milliseconds even for 100k entries). A grain that has
    // not answered in this long is stuck behind a call that is not coming back, such as a replication to a
    // node that died: skip it rather than hold the yield up.
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Returns a copy of every bucket (<see cref="IBucketGrain.GetSnapshotAsync"/>) and replica
    /// (<see cref="IReplicaGrain.GetSnapshotAsync"/>) grain active on this silo, ordered by bucket, the primary's
    /// copy first. A replica that holds no copy yet is left out; a grain that does not answer within a few
    /// seconds is logged and left out.
    /// </summary>
    public async Task<IReadOnlyList<BucketExport>> ExportAsync(CancellationToken cancellationToken)
    {
        var work = new List<(long Key, bool Replica)>(catalog.Primaries.Count + catalog.Replicas.Count);
        foreach (long key in catalog.Primaries)
        {
            work.Add((key, false));
        }

        foreach (long key in catalog.Replicas)
        {
            work.Add((key, true));
        }

        var exports = new ConcurrentBag<BucketExport>();
        int unfilled = 0;
        int failed = 0;
        var options = new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(work, options, async (item, token) =>
        {
            try
            {
                if (await CopyAsync(item.Key, item.Replica).WaitAsync(CallTimeout, token) is { } export)
                {
                    exports.Add(export);
                }
                else
                {
                    Interlocked.Increment(ref unfilled);
                }
            }
            catch (Exception exception) when (!token.IsCancellationRequested)
            {
                Interlocked.Increment(ref failed);
                LogCopyFailed(logger, exception, item.Replica ? ReplicaKey.GetBucket(item.Key) : (int)item.Key, item.Replica);
            }
        });

        var sorted = exports.ToList();
        sorted.Sort(static (a, b) => a.Bucket != b.Bucket ? a.Bucket.CompareTo(b.Bucket) : a.IsReplica.CompareTo(b.IsReplica));
        long entries = 0;
        int replicas = 0;
        foreach (var export in sorted)
        {
            entries += export.Snapshot.Entries.Count;
            replicas += export.IsReplica ? 1 : 0;
        }

        LogExported(logger, sorted.Count, sorted.Count - replicas, replicas, entries, unfilled, failed);
        return sorted;
    }

    private async Task<BucketExport?> CopyAsync(long key, bool replica)
    {
        if (!replica)
        {
            return new BucketExport((int)key, IsReplica: false, await grains.GetGrain<IBucketGrain>(key).GetSnapshotAsync());
        }

        var snapshot = await grains.GetGrain<IReplicaGrain>(key).GetSnapshotAsync();
        return snapshot is null ? null : new BucketExport(ReplicaKey.GetBucket(key), IsReplica: true, snapshot);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Exported {Copies} bucket copies ({Primaries} primary, {Replicas} replica) with {Entries} entries; "
        + "{Unfilled} replicas held no copy yet; {Failed} copies did not answer and were skipped")]
    private static partial void LogExported(ILogger logger, int copies, int primaries, int replicas, long entries, int unfilled, int failed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bucket {Bucket} (replica: {Replica}) did not answer the export; its copy is skipped")]
    private static partial void LogCopyFailed(ILogger logger, Exception exception, int bucket, bool replica);
}
