using System.Collections.Concurrent;
using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Grains.Replication;

/// <summary>
/// How the buckets of this node send writes to their replicas on other nodes: one channel per target node,
/// which carries the writes of every bucket that arrive while its previous message is on the way in the next
/// one (<see cref="INodeGrain.ApplyReplicaWritesAsync"/>), instead of one message per bucket and write.
/// </summary>
/// <remarks>
/// <para>Nothing waits to fill a batch: a channel that is idle sends at once, so a lone write costs what it cost
/// before (one call to the target node, then one local call there). Under load, writes that arrive during a
/// round trip share the next message. At most one message per target is in flight.</para>
/// <para>Order per replica is kept by the buckets themselves: a bucket runs one call at a time and waits for its
/// replicas before the next, so no two sends of one bucket are ever queued together.</para>
/// </remarks>
public sealed class ReplicationChannels(IGrainFactory grains)
{
    // A message stops growing past this many value bytes (values are up to MAX_VALUE_BYTES, 1 MiB by default),
    // so one batch cannot become a message Orleans refuses or one that holds up every other write for long.
    private const long MaxBatchBytes = 4 << 20;

    private readonly ConcurrentDictionary<string, Channel> _channels = new(StringComparer.Ordinal);

    /// <summary>
    /// Sends <paramref name="writes"/> to the replica <paramref name="replicaKey"/>, by way of the node the bucket map
    /// places it on, <paramref name="node"/>.
    /// </summary>
    /// <returns>What <see cref="IReplicaGrain.ApplyManyAsync"/> returned.</returns>
    /// <exception cref="StalePrimaryException">The replica follows a newer primary activation.</exception>
    public Task<bool> SendAsync(string node, long replicaKey, ReplicaWrite[] writes) =>
        _channels.GetOrAdd(node, static (name, grains) => new Channel(grains.GetGrain<INodeGrain>(name)), grains)
            .Send(new Pending(new ReplicaWrites(replicaKey, writes), Bytes(writes)));

    private static long Bytes(ReplicaWrite[] writes)
    {
        long bytes = 0;
        foreach (var write in writes)
        {
            bytes += write.Entry?.Value.Length ?? 0;
        }

        return bytes;
    }

    private sealed class Pending(ReplicaWrites writes, long bytes)
    {
        public ReplicaWrites Writes { get; } = writes;

        public long Bytes { get; } = bytes;

        public TaskCompletionSource<bool> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class Channel(INodeGrain target)
    {
        private readonly Lock _lock = new();
        private List<Pending> _queued = [];
        private bool _sending;

        public Task<bool> Send(Pending pending)
        {
            bool start;
            lock (_lock)
            {
                _queued.Add(pending);
                start = !_sending;
                _sending = true;
            }

            if (start)
            {
                _ = Task.Run(SendQueuedAsync);
            }

            return pending.Result.Task;
        }

        private async Task SendQueuedAsync()
        {
            while (TakeBatch() is { } batch)
            {
                var shares = new ReplicaWrites[batch.Count];
                for (int i = 0; i < shares.Length; i++)
                {
                    shares[i] = batch[i].Writes;
                }

                ReplicaApplyResult[] results;
                try
                {
                    results = await target.ApplyReplicaWritesAsync(shares);
                }
                catch (Exception exception)
                {
                    foreach (var pending in batch)
                    {
                        pending.Result.TrySetException(exception);
                    }

                    continue;
                }

                for (int i = 0; i < batch.Count; i++)
                {
                    if (results[i].Failure is { } failure)
                    {
                        batch[i].Result.TrySetException(failure);
                    }
                    else
                    {
                        batch[i].Result.TrySetResult(results[i].Applied);
                    }
                }
            }
        }

        // The queued writes up to the batch limit (at least one), or null when none are left and the channel idles.
        private List<Pending>? TakeBatch()
        {
            lock (_lock)
            {
                if (_queued.Count == 0)
                {
                    _sending = false;
                    return null;
                }

                long bytes = 0;
                int count = 0;
                while (count < _queued.Count && (count == 0 || bytes + _queued[count].Bytes <= MaxBatchBytes))
                {
                    bytes += _queued[count].Bytes;
                    count++;
                }

                if (count == _queued.Count)
                {
                    var all = _queued;
                    _queued = [];
                    return all;
                }

                var batch = _queued.GetRange(0, count);
                _queued.RemoveRange(0, count);
                return batch;
            }
        }
    }
}
