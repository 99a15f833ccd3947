namespace OrleansCache.Grains.Interfaces;

/// <summary>
/// One hash command for <see cref="IBucketGrain.HashAsync"/>: applied to the hash under one key as one atomic step.
/// </summary>
/// <param name="Operation">What to do.</param>
/// <param name="Fields">The fields it names, in the order given (empty for the whole-hash reads).</param>
/// <param name="Values">For <see cref="HashOperation.Set"/> and <see cref="HashOperation.SetIfAbsent"/>, each
/// field's value; otherwise <see langword="null"/>. The caller must not change the arrays afterwards.</param>
[GenerateSerializer, Immutable, Alias("OrleansCache.HashCommand")]
public sealed record HashCommand(
    [property: Id(0)] HashOperation Operation,
    [property: Id(1)] byte[][] Fields,
    [property: Id(2)] byte[][]? Values = null)
{
    /// <summary>Whether the command can change the hash (and so is refused while the node yields, and replicated).</summary>
    public bool Writes => Operation is HashOperation.Set or HashOperation.SetIfAbsent or HashOperation.Delete;
}
