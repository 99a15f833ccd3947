namespace OrleansCache.Grains.Interfaces;

/// <summary>What one replica answered to its share of a batch (see <see cref="INodeGrain.ApplyReplicaWritesAsync"/>).</summary>
/// <param name="Applied">What <see cref="IReplicaGrain.ApplyManyAsync"/> returned: <see langword="false"/> when the
/// replica needs a full copy first.</param>
/// <param name="Failure">What the replica threw instead of answering (a <see cref="StalePrimaryException"/>, or
/// the call failing), or <see langword="null"/>.</param>
[GenerateSerializer, Immutable, Alias("OrleansCache.ReplicaApplyResult")]
public sealed record ReplicaApplyResult(
    [property: Id(0)] bool Applied,
    [property: Id(1)] Exception? Failure);
