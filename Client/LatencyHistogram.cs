using System.Diagnostics;
using System.Numerics;

namespace OrleansCache.Client;

/// <summary>
/// Counts latencies in log-linear buckets, as HdrHistogram does: values below 128 ticks exactly, and
/// every power of two above split into 64 buckets, so a percentile read back is at most 1/64 (1.6 %)
/// above the true value. Fixed size (3712 counters, 29 KiB) whatever the run's length.
/// </summary>
/// <remarks>
/// Not thread-safe: each bench loop records into its own and the totals are merged at the end.
/// </remarks>
public sealed class LatencyHistogram
{
    private const int SubBucketBits = 6;
    private const int SubBuckets = 1 << SubBucketBits;

    // Values 0..127 are exact; then 64 buckets for each exponent 7..62 of a positive long.
    private const int ExactValues = 2 * SubBuckets;
    private const int BucketCount = ExactValues + ((62 - SubBucketBits) * SubBuckets);

    private readonly long[] _counts = new long[BucketCount];

    /// <summary>Values recorded.</summary>
    public long Count { get; private set; }

    /// <summary>The largest value recorded, exactly; 0 when empty.</summary>
    public long Max { get; private set; }

    /// <summary>Records one latency in <see cref="Stopwatch"/> ticks; negative values count as 0.</summary>
    public void Record(long ticks)
    {
        long value = Math.Max(ticks, 0);
        _counts[IndexOf(value)]++;
        Count++;
        if (value > Max)
        {
            Max = value;
        }
    }

    /// <summary>Adds every value <paramref name="other"/> recorded to this histogram.</summary>
    public void Add(LatencyHistogram other)
    {
        for (int i = 0; i < BucketCount; i++)
        {
            _counts[i] += other._counts[i];
        }

        Count += other.Count;
        Max = Math.Max(Max, other.Max);
    }

    /// <summary>
    /// Returns the value at or below which <paramref name="percentile"/> percent of the values lie (the
    /// top of its bucket, never above <see cref="Max"/>); 0 when empty.
    /// </summary>
    public long ValueAtPercentile(double percentile)
    {
        if (Count == 0)
        {
            return 0;
        }

        long rank = Math.Clamp((long)Math.Ceiling(percentile / 100 * Count), 1, Count);
        long seen = 0;
        for (int i = 0; i < BucketCount; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return Math.Min(HighestValueOf(i), Max);
            }
        }

        return Max;
    }

    /// <summary>Converts <see cref="Stopwatch"/> ticks to milliseconds.</summary>
    public static double ToMilliseconds(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    private static int IndexOf(long value)
    {
        if (value < ExactValues)
        {
            return (int)value;
        }

        // value >> shift keeps the top 7 bits: 64..127, the sub-bucket within the value's power of two.
        int exponent = 63 - BitOperations.LeadingZeroCount((ulong)value);
        int shift = exponent - SubBucketBits;
        int subBucket = (int)(value >> shift) - SubBuckets;
        return ExactValues + ((exponent - SubBucketBits - 1) * SubBuckets) + subBucket;
    }

    private static long HighestValueOf(int index)
    {
        if (index < ExactValues)
        {
            return index;
        }

        int offset = index - ExactValues;
        int shift = (offset / SubBuckets) + 1;
        long lowest = (long)(SubBuckets + (offset % SubBuckets)) << shift;
        return lowest + (1L << shift) - 1;
    }
}
