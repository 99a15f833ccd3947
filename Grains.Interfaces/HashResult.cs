namespace OrleansCache.Grains.Interfaces;

/// <summary>
/// What a <see cref="HashCommand"/> answered (see each <see cref="HashOperation"/> for which part it fills).
/// </summary>
/// <param name="Count">A count or a length; 0 when the operation answers with values.</param>
/// <param name="Values">The values asked for, a <see langword="null"/> item for a missing field; <see langword="null"/>
/// when the operation answers with a count.</param>
[GenerateSerializer, Immutable, Alias("OrleansCache.HashResult")]
public sealed record HashResult(
    [property: Id(0)] long Count,
    [property: Id(1)] byte[]?[]? Values = null);
