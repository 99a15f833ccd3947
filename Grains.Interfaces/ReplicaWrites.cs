namespace OrleansCache.Grains.Interfaces;

/// <summary>
/// Consecutive writes of one bucket for one of its replicas, as part of a batch a node sends to another
/// (see <see cref="INodeGrain.ApplyReplicaWritesAsync"/>).
/// </summary>
/// <param name="ReplicaKey">The replica's grain key (see <c>Routing.ReplicaKey</c>).</param>
/// <param name="Writes">The writes, in order, as <see cref="IReplicaGrain.ApplyManyAsync"/> takes them.</param>
[GenerateSerializer, Immutable, Alias("OrleansCache.ReplicaWrites")]
public sealed record ReplicaWrites(
    [property: Id(0)] long ReplicaKey,
    [property: Id(1)] ReplicaWrite[] Writes);
