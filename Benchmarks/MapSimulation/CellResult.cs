namespace OrleansCache.Benchmarks.MapSimulation;

/// <summary>What the simulation measured for one cluster shape: spread, moves and cost of its map.</summary>
/// <remarks>Spread and move ratios are the worst over every <see cref="NodeNaming"/>; cost is measured on
/// the first scheme only (the names do not change the work).</remarks>
internal sealed record CellResult
{
    /// <summary>Active nodes.</summary>
    public required int Nodes { get; init; }

    /// <summary><c>BUCKETS</c>.</summary>
    public required int Buckets { get; init; }

    /// <summary><c>REPLICATION_FACTOR</c>.</summary>
    public required int ReplicationFactor { get; init; }

    /// <summary>Most primaries on one node over the mean (1 is perfect).</summary>
    public required double PrimaryMax { get; init; }

    /// <summary>Fewest primaries on one node over the mean (1 is perfect).</summary>
    public required double PrimaryMin { get; init; }

    /// <summary>Most copies of any rank on one node over the mean: what sizes a node's memory.</summary>
    public required double CopiesMax { get; init; }

    /// <summary>Fewest copies of any rank on one node over the mean.</summary>
    public required double CopiesMin { get; init; }

    /// <summary>A join: primaries that changed node, over the ideal 1/(n+1) of them.</summary>
    public required double JoinPrimaries { get; init; }

    /// <summary>A join: (bucket, rank) copies that changed node, over the ideal 1/(n+1). Each is one grain
    /// moved with its entries, since a bucket grain or replica grain is keyed by bucket and rank.</summary>
    public required double JoinRankMoves { get; init; }

    /// <summary>A join: copies that land on a node that held no copy of that bucket before (entries that must
    /// cross the network whatever the grain layout), over the ideal 1/(n+1) of all copies.</summary>
    public required double JoinTransfers { get; init; }

    /// <summary>A leave of a middle node: primaries that changed node, over the ideal 1/n.</summary>
    public required double LeavePrimaries { get; init; }

    /// <summary>A leave: (bucket, rank) copies that changed node, over the ideal 1/n.</summary>
    public required double LeaveRankMoves { get; init; }

    /// <summary>A leave: copies that land on a node that held none of that bucket, over the ideal 1/n.</summary>
    public required double LeaveTransfers { get; init; }

    /// <summary>Median wall-clock time of one <c>BucketMap.Build</c>.</summary>
    public required double BuildMilliseconds { get; init; }

    /// <summary>Bytes one build allocates, garbage included.</summary>
    public required long AllocatedBytes { get; init; }

    /// <summary>Bytes the finished map keeps alive: its owner array and node array, counted from its layout.</summary>
    public required long RetainedBytes { get; init; }
}
