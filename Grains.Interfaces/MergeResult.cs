namespace OrleansCache.Grains.Interfaces;

/// <summary>
/// What a merge did with the entries it was given (see <see cref="IBucketGrain.MergeAsync"/>); each entry is
/// counted once.
/// </summary>
/// <param name="Added">Stored where the key had no live entry.</param>
/// <param name="Replaced">Stored over a live entry that was updated earlier (<see cref="MergePolicy.LatestUpdate"/> only).</param>
/// <param name="Kept">Not stored: the key's live entry stays, as the policy says.</param>
/// <param name="Expired">Not stored: already expired when it arrived.</param>
/// <param name="Refused">Not stored though the policy said to: the node was at its memory budget with
/// <c>EVICTION_POLICY=noeviction</c>, or the value is larger than this cluster's <c>MAX_VALUE_BYTES</c>.</param>
[GenerateSerializer, Immutable, Alias("OrleansCache.MergeResult")]
public sealed record MergeResult(
    [property: Id(0)] long Added,
    [property: Id(1)] long Replaced,
    [property: Id(2)] long Kept,
    [property: Id(3)] long Expired,
    [property: Id(4)] long Refused)
{
    /// <summary>The result of merging nothing.</summary>
    public static MergeResult Empty { get; } = new(0, 0, 0, 0, 0);

    /// <summary>How many entries were counted: the sum of every count.</summary>
    public long Total => Added + Replaced + Kept + Expired + Refused;

    /// <summary>Adds the counts of two results (of two batches of one merge).</summary>
    public static MergeResult operator +(MergeResult left, MergeResult right) => new(
        left.Added + right.Added,
        left.Replaced + right.Replaced,
        left.Kept + right.Kept,
        left.Expired + right.Expired,
        left.Refused + right.Refused);
}
