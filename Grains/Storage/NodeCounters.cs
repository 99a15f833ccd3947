namespace OrleansCache.Grains.Storage;

/// <summary>
/// This silo's counters since it started, read by <c>GET /stats</c> and exported as metrics
/// (<see cref="Telemetry.CacheMetrics"/>). Reads and reclaims are counted by primaries only: they happen once
/// per key, not once per copy. Thread-safe; one per silo.
/// </summary>
public sealed class NodeCounters
{
    private long _hits;
    private long _misses;
    private long _evictions;
    private long _expirations;
    private long _replicaWrites;
    private long _replicaResyncs;
    private long _bucketMoves;
    private long _replicaMoves;
    private long _recoveries;
    private long _rollbacks;

    /// <summary>Reads that found a live entry.</summary>
    public long Hits => Volatile.Read(ref _hits);

    /// <summary>Reads that found none, or an expired one.</summary>
    public long Misses => Volatile.Read(ref _misses);

    /// <summary>Entries evicted for memory.</summary>
    public long Evictions => Volatile.Read(ref _evictions);

    /// <summary>Expired entries reclaimed.</summary>
    public long Expirations => Volatile.Read(ref _expirations);

    /// <summary>Writes this silo's primaries had applied by a replica (one per write and replica).</summary>
    public long ReplicaWrites => Volatile.Read(ref _replicaWrites);

    /// <summary>Full copies this silo's primaries sent to a replica that lacked writes.</summary>
    public long ReplicaResyncs => Volatile.Read(ref _replicaResyncs);

    /// <summary>Bucket grains that left this silo for the node the bucket map names.</summary>
    public long BucketMoves => Volatile.Read(ref _bucketMoves);

    /// <summary>Replica grains that left this silo for the node the bucket map names.</summary>
    public long ReplicaMoves => Volatile.Read(ref _replicaMoves);

    /// <summary>Buckets that activated here after their primary was lost and loaded a replica's copy.</summary>
    public long Recoveries => Volatile.Read(ref _recoveries);

    /// <summary>Calls whose writes a primary here took back because a replica did not apply them.</summary>
    public long Rollbacks => Volatile.Read(ref _rollbacks);

    /// <summary>Counts one read.</summary>
    public void CountRead(bool hit) => Interlocked.Increment(ref hit ? ref _hits : ref _misses);

    /// <summary>Counts <paramref name="hits"/> reads that found a live entry and <paramref name="misses"/> that did not.</summary>
    public void CountReads(int hits, int misses)
    {
        Interlocked.Add(ref _hits, hits);
        Interlocked.Add(ref _misses, misses);
    }

    /// <summary>Counts evicted entries.</summary>
    public void CountEvictions(int count) => Interlocked.Add(ref _evictions, count);

    /// <summary>Counts reclaimed expired entries.</summary>
    public void CountExpirations(int count) => Interlocked.Add(ref _expirations, count);

    /// <summary>Counts writes applied by replicas.</summary>
    public void CountReplicaWrites(int count) => Interlocked.Add(ref _replicaWrites, count);

    /// <summary>Counts one full copy sent to a replica.</summary>
    public void CountReplicaResync() => Interlocked.Increment(ref _replicaResyncs);

    /// <summary>Counts one grain leaving this silo; <paramref name="replica"/> tells which kind.</summary>
    public void CountMove(bool replica) => Interlocked.Increment(ref replica ? ref _replicaMoves : ref _bucketMoves);

    /// <summary>Counts one bucket recovered from a replica.</summary>
    public void CountRecovery() => Interlocked.Increment(ref _recoveries);

    /// <summary>Counts one call whose writes were taken back.</summary>
    public void CountRollback() => Interlocked.Increment(ref _rollbacks);
}
