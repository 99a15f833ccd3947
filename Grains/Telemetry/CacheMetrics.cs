using System.Diagnostics.Metrics;
using OrleansCache.Grains.Routing;
using OrleansCache.Grains.Storage;

namespace OrleansCache.Grains.Telemetry;

/// <summary>
/// The silo's <c>orleans_cache.*</c> instruments for what it holds and what its grains did: keys, bytes,
/// buckets, hits, misses, evictions, expirations, replica writes and resyncs, bucket moves and recoveries,
/// and membership. One per silo.
/// </summary>
/// <remarks>
/// Every instrument here is observable: it reads <see cref="NodeCounters"/>, <see cref="NodeMemory"/> and
/// the bucket catalog when a collector asks (a Prometheus scrape, an OTLP export), so grains pay nothing per
/// call beyond the counters <c>GET /stats</c> reads anyway. Commands per door are counted where they enter
/// (the HTTP and Redis protocol doors of the node).
/// </remarks>
public sealed class CacheMetrics : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>Name of the meter every cache instrument belongs to.</summary>
    public const string MeterName = "OrleansCache";

    private static readonly KeyValuePair<string, object?> Primary = new("copy", "primary");
    private static readonly KeyValuePair<string, object?> Replica = new("copy", "replica");

    private readonly NodeCounters _counters;
    private readonly NodeMemory _memory;
    private readonly LocalBucketCatalog _catalog;
    private readonly BucketMapProvider _maps;

    /// <summary>Creates the instruments on a meter from <paramref name="meters"/>.</summary>
    public CacheMetrics(IMeterFactory meters, NodeCounters counters, NodeMemory memory, LocalBucketCatalog catalog, BucketMapProvider maps)
    {
        _counters = counters;
        _memory = memory;
        _catalog = catalog;
        _maps = maps;
        var meter = meters.Create(MeterName);

        meter.CreateObservableGauge("orleans_cache.keys", ObserveKeys, "{key}", "Entries held on this node, by copy (primary or replica); expired ones not yet reclaimed included.");
        meter.CreateObservableGauge("orleans_cache.memory.used", () => _memory.Bytes, "By", "Estimated bytes of every entry held on this node, primary and replica copies: what MAX_MEMORY_BYTES limits.");
        meter.CreateObservableGauge("orleans_cache.memory.limit", () => _memory.Budget, "By", "This node's MAX_MEMORY_BYTES.");
        meter.CreateObservableGauge("orleans_cache.buckets", ObserveBuckets, "{bucket}", "Bucket copies active on this node, by copy (primary or replica).");
        meter.CreateObservableGauge("orleans_cache.members", ObserveMembers, "{node}", "Nodes in this node's membership view, by Orleans status.");

        meter.CreateObservableCounter("orleans_cache.hits", () => _counters.Hits, "{read}", "Reads of this node's primaries that found a live entry.");
        meter.CreateObservableCounter("orleans_cache.misses", () => _counters.Misses, "{read}", "Reads of this node's primaries that found none or an expired one.");
        meter.CreateObservableCounter("orleans_cache.evictions", () => _counters.Evictions, "{key}", "Entries evicted to stay within MAX_MEMORY_BYTES.");
        meter.CreateObservableCounter("orleans_cache.expirations", () => _counters.Expirations, "{key}", "Expired entries reclaimed, on access or by the sweep.");
        meter.CreateObservableCounter("orleans_cache.replica.writes", () => _counters.ReplicaWrites, "{write}", "Writes of this node's primaries applied by a replica, one per write and replica.");
        meter.CreateObservableCounter("orleans_cache.replica.resyncs", () => _counters.ReplicaResyncs, "{copy}", "Full copies this node's primaries sent to replicas that lacked writes.");
        meter.CreateObservableCounter("orleans_cache.bucket.moves", ObserveMoves, "{move}", "Bucket and replica grains that moved off this node to where the bucket map names, by copy.");
        meter.CreateObservableCounter("orleans_cache.bucket.recoveries", () => _counters.Recoveries, "{bucket}", "Buckets that failed over to this node and loaded a replica's copy.");
        meter.CreateObservableCounter("orleans_cache.write.rollbacks", () => _counters.Rollbacks, "{call}", "Calls whose writes this node's primaries took back (and failed) because a replica did not apply them.");
        meter.CreateObservableCounter("orleans_cache.membership.version", () => _maps.Snapshot.Version.Value, "{change}", "Version of this node's membership view; it grows by one or more with each change.");
    }

    /// <summary>Takes part in the silo's start only so that the instruments exist before the first bucket activates.</summary>
    public void Participate(ISiloLifecycle lifecycle)
    {
    }

    private IEnumerable<Measurement<long>> ObserveKeys() =>
        [new(_memory.PrimaryKeys, Primary), new(_memory.ReplicaKeys, Replica)];

    private IEnumerable<Measurement<int>> ObserveBuckets() =>
        [new(_catalog.Primaries.Count, Primary), new(_catalog.Replicas.Count, Replica)];

    private IEnumerable<Measurement<long>> ObserveMoves() =>
        [new(_counters.BucketMoves, Primary), new(_counters.ReplicaMoves, Replica)];

    private IEnumerable<Measurement<int>> ObserveMembers()
    {
        var counts = new Dictionary<SiloStatus, int>();
        foreach (var member in _maps.Snapshot.Members.Values)
        {
            counts[member.Status] = counts.GetValueOrDefault(member.Status) + 1;
        }

        var measurements = new List<Measurement<int>>(counts.Count);
        foreach (var (status, count) in counts)
        {
            measurements.Add(new(count, new KeyValuePair<string, object?>("status", status.ToString())));
        }

        return measurements;
    }
}
