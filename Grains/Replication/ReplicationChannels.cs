using OrleansCache.Grains.Batching;
using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Grains.Replication;

/// <summary>
/// How the buckets of this node send writes to their replicas on other nodes: one channel per target node,
/// which carries the writes of every bucket that arrive while its previous message is on the way in the next
/// one (<see cref="INodeGrain.ApplyReplicaWritesAsync"/>), instead of one message per bucket and write.
/// </summary>
/// <remarks>
/// <para>An idle channel sends at once, so a lone write costs what it cost before (one call to the target node,
/// then one local call there); see <see cref="NodeChannels{TItem, TResult}"/>.</para>
/// <para>Order per replica is kept by the buckets themselves: a bucket runs one call at a time and waits for its
/// replicas before the next, so no two sends of one bucket are ever queued together.</para>
/// </remarks>
public sealed class ReplicationChannels(IGrainFactory grains) : NodeChannels<ReplicaWrites, bool>(grains)
{
    /// <summary>
    /// Sends <paramref name="writes"/> to the replica <paramref name="replicaKey"/>, by way of the node the bucket map
    /// places it on, <paramref name="node"/>.
    /// </summary>
    /// <returns>What <see cref="IReplicaGrain.ApplyManyAsync"/> returned.</returns>
    /// <exception cref="StalePrimaryException">The replica follows a newer primary activation.</exception>
    public Task<bool> SendAsync(string node, long replicaKey, ReplicaWrite[] writes) =>
        SendAsync(node, new ReplicaWrites(replicaKey, writes), Bytes(writes));

    /// <inheritdoc />
    protected override async Task<Answer[]> CarryAsync(INodeGrain target, ReplicaWrites[] items) =>
        AnswersOf(await target.ApplyReplicaWritesAsync(items), static result => new Answer(result.Applied, result.Failure));

    private static long Bytes(ReplicaWrite[] writes)
    {
        long bytes = 0;
        foreach (var write in writes)
        {
            bytes += write.Entry?.Value.Length ?? 0;
        }

        return bytes;
    }
}
