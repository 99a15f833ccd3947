using OrleansCache.Client;

namespace OrleansCache.Tests.Unit;

public sealed class ClientBenchHistogramTests
{
    [Fact]
    public void ValueAtPercentile_IsExact_ForValuesBelow128()
    {
        var histogram = new LatencyHistogram();
        for (long value = 1; value <= 100; value++)
        {
            histogram.Record(value);
        }

        Assert.Equal((50, 90, 99, 100), (histogram.ValueAtPercentile(50), histogram.ValueAtPercentile(90), histogram.ValueAtPercentile(99), histogram.ValueAtPercentile(100)));
        Assert.Equal(100, histogram.Max);
        Assert.Equal(100, histogram.Count);
    }

    [Fact]
    public void ValueAtPercentile_IsWithinOneSixtyFourthAboveTheTrueValue_AcrossMagnitudes()
    {
        var random = new Random(42);
        var values = new long[100_000];
        var histogram = new LatencyHistogram();
        for (int i = 0; i < values.Length; i++)
        {
            // From 1 µs to 60 s in nanosecond ticks, spread over every power of two.
            values[i] = (long)Math.Pow(2, 10 + (random.NextDouble() * 26));
            histogram.Record(values[i]);
        }

        Array.Sort(values);
        foreach (double percentile in new[] { 1, 50, 90, 99, 99.9, 100 })
        {
            long exact = values[(int)Math.Ceiling(percentile / 100 * values.Length) - 1];
            long reported = histogram.ValueAtPercentile(percentile);
            Assert.InRange(reported, exact, exact + (exact / 64));
        }

        Assert.Equal(values[^1], histogram.Max);
        Assert.Equal(values[^1], histogram.ValueAtPercentile(100));
    }

    [Fact]
    public void Add_MergesCountsAndMax_AsIfOneHistogramRecordedBoth()
    {
        var a = new LatencyHistogram();
        var b = new LatencyHistogram();
        var both = new LatencyHistogram();
        for (long value = 0; value < 10_000; value += 7)
        {
            (value % 2 == 0 ? a : b).Record(value * 1000);
            both.Record(value * 1000);
        }

        a.Add(b);

        Assert.Equal(both.Count, a.Count);
        Assert.Equal(both.Max, a.Max);
        foreach (double percentile in new[] { 50, 90, 99, 99.9 })
        {
            Assert.Equal(both.ValueAtPercentile(percentile), a.ValueAtPercentile(percentile));
        }
    }

    [Fact]
    public void Record_KeepsTheLargestLong_InTheLastBucket()
    {
        var histogram = new LatencyHistogram();

        histogram.Record(long.MaxValue);
        histogram.Record(-5);

        Assert.Equal(long.MaxValue, histogram.ValueAtPercentile(100));
        Assert.Equal(0, histogram.ValueAtPercentile(50));
    }

    [Fact]
    public void ValueAtPercentile_IsZero_WhenNothingWasRecorded()
    {
        Assert.Equal(0, new LatencyHistogram().ValueAtPercentile(99));
    }
}
