using OrleansCache.Grains.Interfaces;

namespace OrleansCache.ClientLibrary;

/// <summary>
/// What the silo that hosts a <see cref="CacheClient"/> knows of the buckets: where each primary lives, so a
/// multi-key operation carries each other node's shares there in one message instead of one per bucket, and the
/// committed entries of the primaries that live here, read without a grain message. Only a silo knows; a facade
/// outside the cluster has none and calls each bucket.
/// </summary>
public interface ISiloBuckets
{
    /// <summary>Returns the <c>NODE_ID</c> of the node that holds <paramref name="bucket"/>'s primary when that is
    /// another node, or <see langword="null"/> when it is this node or not known.</summary>
    string? RemoteNodeOf(int bucket);

    /// <summary>
    /// Reads <paramref name="key"/> from <paramref name="bucket"/>'s primary when it is active on this silo and can
    /// answer from committed state alone, as a call of its grain would have answered.
    /// </summary>
    /// <param name="bucket">The key's bucket.</param>
    /// <param name="key">A valid key.</param>
    /// <param name="entry">The live entry, or <see langword="null"/> on a miss.</param>
    /// <returns><see langword="false"/> when only the bucket grain can answer (it is elsewhere, a write is under
    /// way, or the entry expires or slides).</returns>
    bool TryReadHere(int bucket, string key, out CacheEntry? entry);

    /// <summary>Reads all of <paramref name="keys"/> of <paramref name="bucket"/> as
    /// <see cref="TryReadHere(int, string, out CacheEntry?)"/> reads one, or none of them.</summary>
    /// <param name="bucket">The keys' bucket.</param>
    /// <param name="keys">Valid keys of that bucket.</param>
    /// <param name="entries">Where each key's entry goes, at its key's index.</param>
    /// <returns><see langword="false"/> when the bucket grain must be asked for all of them.</returns>
    bool TryReadHere(int bucket, IReadOnlyList<string> keys, CacheEntry?[] entries);

    /// <summary>
    /// Reads <paramref name="key"/> of <paramref name="bucket"/> on <paramref name="node"/>, where its primary is,
    /// together with the other reads this node sends there meanwhile (one message for many).
    /// </summary>
    /// <param name="node">The node <see cref="RemoteNodeOf"/> named.</param>
    /// <param name="bucket">The key's bucket.</param>
    /// <param name="key">A valid key.</param>
    /// <returns>The live entry, or <see langword="null"/> on a miss; an exception when the read did not come back
    /// (it may be made again another way).</returns>
    Task<CacheEntry?> ReadOnNodeAsync(string node, int bucket, string key);
}
