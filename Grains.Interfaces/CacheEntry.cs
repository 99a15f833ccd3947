namespace OrleansCache.Grains.Interfaces;

/// <summary>
/// One stored value as the bucket that owns it keeps it.
/// </summary>
/// <remarks>
/// Immutable: a write replaces the entry, it never edits one. That is what lets Orleans pass the
/// value between grains on one silo without the deep copy it otherwise makes of every byte array.
/// </remarks>
/// <param name="Value">The value's bytes, exactly as they were written.</param>
/// <param name="Format">How the bytes are to be read back (raw bytes or JSON text).</param>
/// <param name="Version">The bucket's write sequence number of the write that produced this entry;
/// it grows with every write to the bucket, so two writes of one key never share a version.</param>
[GenerateSerializer, Immutable, Alias("OrleansCache.CacheEntry")]
public sealed record CacheEntry(
    [property: Id(0)] byte[] Value,
    [property: Id(1)] ValueFormat Format,
    [property: Id(2)] long Version);
