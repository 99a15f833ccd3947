namespace OrleansCache.Grains.Interfaces;

/// <summary>
/// What a conditional set did.
/// </summary>
/// <param name="Written"><see langword="false"/> when the condition did not hold and nothing changed.</param>
/// <param name="Version">The new entry's version when written; otherwise the stored entry's version, or 0
/// when the key is absent.</param>
/// <param name="Previous">The entry stored before, when <see cref="SetOptions.ReturnPrevious"/> asked for
/// it and there was one; otherwise <see langword="null"/>.</param>
[GenerateSerializer, Immutable, Alias("OrleansCache.SetResult")]
public sealed record SetResult(
    [property: Id(0)] bool Written,
    [property: Id(1)] long Version,
    [property: Id(2)] CacheEntry? Previous);
