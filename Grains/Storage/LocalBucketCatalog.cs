using System.Collections.Concurrent;

namespace OrleansCache.Grains.Storage;

/// <summary>
/// The bucket and replica grains active on this silo, so a node can list what it holds.
/// Grains add themselves on activation and remove themselves when Orleans disposes them: for a grain that
/// moves, that is after its new activation on the other node is active, so a bucket in motion is always
/// listed by at least one node.
/// </summary>
public sealed class LocalBucketCatalog
{
    // Key to the activation that added it: an old activation's late removal must not remove a newer one's.
    private readonly ConcurrentDictionary<long, object> _primaries = new();
    private readonly ConcurrentDictionary<long, object> _replicas = new();

    /// <summary>Keys of the bucket grains active here.</summary>
    public ICollection<long> Primaries => _primaries.Keys;

    /// <summary>Keys of the replica grains active here.</summary>
    public ICollection<long> Replicas => _replicas.Keys;

    /// <summary>Whether a bucket (or, with <paramref name="replica"/>, a replica) grain with this key is active here.</summary>
    /// <param name="key">The grain's key.</param>
    /// <param name="replica">Whether it is a replica grain.</param>
    /// <returns><see langword="true"/> when it is listed.</returns>
    public bool Contains(long key, bool replica) => (replica ? _replicas : _primaries).ContainsKey(key);

    /// <summary>Records that a bucket (or, with <paramref name="replica"/>, a replica) grain is active here.</summary>
    /// <param name="key">The grain's key.</param>
    /// <param name="replica">Whether it is a replica grain.</param>
    /// <param name="activation">The activation, which alone may remove the record.</param>
    public void Add(long key, bool replica, object activation) => (replica ? _replicas : _primaries)[key] = activation;

    /// <summary>Records that the activation added with <see cref="Add"/> is gone; a newer one's record stays.</summary>
    public void Remove(long key, bool replica, object activation) =>
        (replica ? _replicas : _primaries).TryRemove(new KeyValuePair<long, object>(key, activation));
}
