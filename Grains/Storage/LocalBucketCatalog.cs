using System.Collections.Concurrent;

namespace OrleansCache.Grains.Storage;

/// <summary>
/// The bucket and replica grains active on this silo, so a node can list what it holds.
/// Grains add themselves on activation and remove themselves on deactivation.
/// </summary>
public sealed class LocalBucketCatalog
{
    private readonly ConcurrentDictionary<long, byte> _primaries = new();
    private readonly ConcurrentDictionary<long, byte> _replicas = new();

    /// <summary>Keys of the bucket grains active here.</summary>
    public ICollection<long> Primaries => _primaries.Keys;

    /// <summary>Keys of the replica grains active here.</summary>
    public ICollection<long> Replicas => _replicas.Keys;

    /// <summary>Records that a bucket (or, with <paramref name="replica"/>, a replica) grain is active here.</summary>
    public void Add(long key, bool replica) => (replica ? _replicas : _primaries).TryAdd(key, 0);

    /// <summary>Records that a grain added with <see cref="Add"/> is no longer active here.</summary>
    public void Remove(long key, bool replica) => (replica ? _replicas : _primaries).TryRemove(key, out _);
}
