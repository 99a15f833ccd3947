using System.Diagnostics;
using OrleansCache.Grains.Routing;

namespace OrleansCache.Benchmarks.MapSimulation;

/// <summary>Measures the real <see cref="BucketMap"/> for one cluster shape.</summary>
internal static class MapMeasurements
{
    // A build is timed at least this many times, and until this much time has passed, so a median of a
    // 0.1 ms build is not one timer tick and a 1 s build is not run a minute; capped by MaxRuns.
    private const int MinRuns = 5;
    private const int MaxRuns = 31;
    private static readonly TimeSpan MinTimed = TimeSpan.FromMilliseconds(300);

    /// <summary>Brings the map's code to its optimized tier before anything is timed.</summary>
    /// <remarks>Without it the first cells timed their builds at tier 0: 0.09 ms for 3 nodes at RF 1 against
    /// 0.03 ms for the same shape at RF 2, measured after it. Tiering promotes a method after 30 calls and a
    /// 100 ms delay, hence the loops and the pause.</remarks>
    public static void WarmUp()
    {
        var names = NodeNaming.All[0].Names(10);
        for (int round = 0; round < 3; round++)
        {
            for (int i = 0; i < 100; i++)
            {
                Spread(BucketMap.Build(names, 1024, 3));
            }

            Thread.Sleep(250);
        }
    }

    /// <summary>Runs every measurement for <paramref name="nodes"/> nodes.</summary>
    public static CellResult Measure(int nodes, int buckets, int replicationFactor, IReadOnlyList<NodeNaming> namings)
    {
        double primaryMax = 0, primaryMin = double.MaxValue, copiesMax = 0, copiesMin = double.MaxValue;
        double joinPrimaries = 0, joinRankMoves = 0, joinTransfers = 0;
        double leavePrimaries = 0, leaveRankMoves = 0, leaveTransfers = 0;
        foreach (var naming in namings)
        {
            var names = naming.Names(nodes + 1);
            var current = names[..nodes];
            var map = BucketMap.Build(current, buckets, replicationFactor);
            var (pMax, pMin, cMax, cMin) = Spread(map);
            primaryMax = Math.Max(primaryMax, pMax);
            primaryMin = Math.Min(primaryMin, pMin);
            copiesMax = Math.Max(copiesMax, cMax);
            copiesMin = Math.Min(copiesMin, cMin);

            // A join adds the next name of the scheme; a leave removes the middle one (the first or last
            // name could sort specially, a middle one is an ordinary node).
            var joined = BucketMap.Build(names, buckets, replicationFactor);
            var (jp, jr, jt) = Moves(map, joined);
            double joinIdeal = 1.0 / (nodes + 1);
            joinPrimaries = Math.Max(joinPrimaries, jp / joinIdeal);
            joinRankMoves = Math.Max(joinRankMoves, jr / joinIdeal);
            joinTransfers = Math.Max(joinTransfers, jt / joinIdeal);

            var left = BucketMap.Build(current.Where((_, i) => i != nodes / 2), buckets, replicationFactor);
            var (lp, lr, lt) = Moves(map, left);
            double leaveIdeal = 1.0 / nodes;
            leavePrimaries = Math.Max(leavePrimaries, lp / leaveIdeal);
            leaveRankMoves = Math.Max(leaveRankMoves, lr / leaveIdeal);
            leaveTransfers = Math.Max(leaveTransfers, lt / leaveIdeal);
        }

        var (milliseconds, allocated, retained) = Cost(namings[0].Names(nodes), buckets, replicationFactor);
        return new CellResult
        {
            Nodes = nodes,
            Buckets = buckets,
            ReplicationFactor = replicationFactor,
            PrimaryMax = primaryMax,
            PrimaryMin = primaryMin,
            CopiesMax = copiesMax,
            CopiesMin = copiesMin,
            JoinPrimaries = joinPrimaries,
            JoinRankMoves = joinRankMoves,
            JoinTransfers = joinTransfers,
            LeavePrimaries = leavePrimaries,
            LeaveRankMoves = leaveRankMoves,
            LeaveTransfers = leaveTransfers,
            BuildMilliseconds = milliseconds,
            AllocatedBytes = allocated,
            RetainedBytes = retained,
        };
    }

    // Max and min over nodes of primaries, and of copies of every rank together, each over its mean.
    private static (double PrimaryMax, double PrimaryMin, double CopiesMax, double CopiesMin) Spread(BucketMap map)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < map.Nodes.Count; i++)
        {
            index[map.Nodes[i]] = i;
        }

        var primaries = new int[map.Nodes.Count];
        var copies = new int[map.Nodes.Count];
        for (int bucket = 0; bucket < map.Buckets; bucket++)
        {
            for (int rank = 0; rank < map.Copies; rank++)
            {
                int node = index[map.GetNode(bucket, rank)!];
                copies[node]++;
                primaries[node] += rank == 0 ? 1 : 0;
            }
        }

        double primaryMean = map.Buckets / (double)map.Nodes.Count;
        double copiesMean = map.Buckets * (double)map.Copies / map.Nodes.Count;
        return (primaries.Max() / primaryMean, primaries.Min() / primaryMean, copies.Max() / copiesMean, copies.Min() / copiesMean);
    }

    // Fractions of the old map that the new one changes: primaries that changed node; (bucket, rank) pairs that
    // changed node, over the ranks both maps have; and copies held by a node that held none of that bucket
    // before, over the new map's copies.
    private static (double Primaries, double RankMoves, double Transfers) Moves(BucketMap before, BucketMap after)
    {
        int ranks = Math.Min(before.Copies, after.Copies);
        int primaries = 0, rankMoves = 0, transfers = 0;
        for (int bucket = 0; bucket < before.Buckets; bucket++)
        {
            for (int rank = 0; rank < after.Copies; rank++)
            {
                string node = after.GetNode(bucket, rank)!;
                if (rank < ranks && !string.Equals(node, before.GetNode(bucket, rank), StringComparison.Ordinal))
                {
                    rankMoves++;
                    primaries += rank == 0 ? 1 : 0;
                }

                if (!Holds(before, bucket, node))
                {
                    transfers++;
                }
            }
        }

        return (
            primaries / (double)before.Buckets,
            rankMoves / ((double)before.Buckets * ranks),
            transfers / ((double)before.Buckets * after.Copies));
    }

    private static bool Holds(BucketMap map, int bucket, string node)
    {
        for (int rank = 0; rank < map.Copies; rank++)
        {
            if (string.Equals(map.GetNode(bucket, rank), node, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    // Median build time after a warm-up, the bytes one build allocates, and the bytes the map keeps alive.
    private static (double Milliseconds, long Allocated, long Retained) Cost(string[] names, int buckets, int replicationFactor)
    {
        BucketMap.Build(names, buckets, replicationFactor); // warm-up: JIT and tiering of this shape's loops

        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var map = BucketMap.Build(names, buckets, replicationFactor);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;

        // What the map holds, from its fields: an int per copy of each bucket, and the node array (the names
        // themselves belong to the membership view). GC.GetTotalMemory deltas were too coarse to measure
        // 8 KiB (they read 0 for 1024 buckets at RF 2).
        long retained = (4L * map.Buckets * map.Copies) + (8L * map.Nodes.Count) + (3 * 24);

        var times = new List<double>();
        var total = Stopwatch.StartNew();
        while (times.Count < MaxRuns && (times.Count < MinRuns || total.Elapsed < MinTimed))
        {
            long start = Stopwatch.GetTimestamp();
            BucketMap.Build(names, buckets, replicationFactor);
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        times.Sort();
        return (times[times.Count / 2], allocated, retained);
    }
}
