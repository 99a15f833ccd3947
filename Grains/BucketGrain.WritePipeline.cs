using Microsoft.Extensions.Logging;
using OrleansCache.Grains.Interfaces;
using OrleansCache.Grains.Interfaces.Routing;

namespace OrleansCache.Grains;

/// <summary>
/// The write pipeline of a bucket: the changes a call made (<see cref="_pending"/>), room made for them under
/// the node's memory budget, their replication to every replica the map names, and then either commit (the
/// call is acknowledged) or rollback (the call fails and nothing of it can be read).
/// </summary>
public sealed partial class BucketGrain
{
    // Evicting for one write stops after this many entries, to bound the write's latency; the node's
    // evictor does the rest.
    private const int MaxEvictionsPerWrite = 64;

    // Samples per local eviction: Redis' default maxmemory-samples, which it measured as close to true LRU.
    private const int EvictionSamples = 5;

    // The writes of the current call, applied here and not yet sent to the replicas. Only one call runs
    // at a time (no method interleaves but the read-only sampling, which writes nothing).
    private readonly List<ReplicaWrite> _pending = [];

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
            counters.CountRollback();
            if (exception is StalePrimaryException)
            {
                // A newer activation of this bucket took over its replicas: this one must not serve any more.
                reads.Withdraw(Bucket, _store);
                DeactivateOnIdle();
            }

            throw;
        }
        finally
        {
            TrackExpiries();
        }
    }

    // Consecutive writes go to each replica together, applied there in order, by way of the node the map places
    // it on, in one message with other buckets' writes to that node (see ReplicationChannels).
    private async Task ReplicateAsync(ReplicaWrite[] writes)
    {
        var map = maps.Current;
        if (map.Copies <= 1)
        {
            return;
        }

        var applied = new Task<bool>[map.Copies - 1];
        for (int rank = 1; rank < map.Copies; rank++)
        {
            applied[rank - 1] = map.GetNode(Bucket, rank) is { } node
                ? replication.SendAsync(node, ReplicaKey.Create(Bucket, rank), writes)
                : Replica(rank).ApplyManyAsync(writes);
        }

        await Task.WhenAll(applied);
        for (int i = 0; i < applied.Length; i++)
        {
            if (applied[i].Result)
            {
                counters.CountReplicaWrites(writes.Length);
            }
            else
            {
                // The replica missed writes (it is new, or came back empty): send it everything.
                LogResync(logger, Bucket, i + 1, writes[^1].Sequence);
                await Replica(i + 1).ResetAsync(_store.ToSnapshot());
                counters.CountReplicaResync();
            }
        }
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

    [LoggerMessage(Level = LogLevel.Debug, Message = "Bucket {Bucket} took back {Count} writes that its replicas did not all apply: {Reason}")]
    private static partial void LogRolledBack(ILogger logger, int bucket, int count, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Bucket {Bucket} sent a full copy to replica {Rank} at sequence {Sequence}")]
    private static partial void LogResync(ILogger logger, int bucket, int rank, long sequence);
}
