using OrleansCache.ClientLibrary;
using OrleansCache.Grains.Batching;
using OrleansCache.Grains.Interfaces;
using OrleansCache.Grains.Routing;
using OrleansCache.Grains.Storage;

namespace OrleansCache.Silo.Hosting;

/// <summary>
/// This node's <see cref="ISiloBuckets"/>: a bucket's primary is where the bucket map over the current
/// membership places it (the placement director's own map), and the primaries active here publish their
/// committed entries (<see cref="LocalReads"/>); single reads for other nodes go there in shared messages
/// (<see cref="RemoteReads"/>). A bucket that has not yet moved where the map says is still
/// found: the node that receives its share calls it wherever it is.
/// </summary>
internal sealed class SiloBuckets(BucketMapProvider maps, LocalReads reads, RemoteReads remote, ILocalSiloDetails silo) : ISiloBuckets
{
    /// <inheritdoc />
    public string? RemoteNodeOf(int bucket)
    {
        string? node = maps.Current.GetNode(bucket, rank: 0);
        return node is null || node == silo.Name ? null : node;
    }

    /// <inheritdoc />
    public bool TryReadHere(int bucket, string key, out CacheEntry? entry) => reads.TryRead(bucket, key, out entry);

    /// <inheritdoc />
    public bool TryReadHere(int bucket, IReadOnlyList<string> keys, CacheEntry?[] entries) => reads.TryRead(bucket, keys, entries);

    /// <inheritdoc />
    public Task<CacheEntry?> ReadOnNodeAsync(string node, int bucket, string key) => remote.ReadAsync(node, bucket, key);
}
