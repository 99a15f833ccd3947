using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Grains.Merging;

/// <summary>
/// One bucket copy a yielding node held when it exported its entries (see <see cref="LocalExporter"/>).
/// </summary>
/// <remarks>Kept in the node's memory while its silo restarts into the other cluster, never sent anywhere as
/// it is, so it needs no serializer; <see cref="MergeReplayer"/> sends its entries, in batches.</remarks>
/// <param name="Bucket">The bucket number, the same in both clusters (they must have the same <c>BUCKETS</c>).</param>
/// <param name="IsReplica">Whether this is a replica's copy rather than the primary's.</param>
/// <param name="Snapshot">The copy's live entries at the time of the export.</param>
public sealed record BucketExport(int Bucket, bool IsReplica, BucketSnapshot Snapshot);
