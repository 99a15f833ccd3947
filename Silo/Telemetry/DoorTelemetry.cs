using System.Diagnostics;
using System.Diagnostics.Metrics;
using OrleansCache.Grains.Telemetry;

namespace OrleansCache.Silo.Telemetry;

/// <summary>
/// Times every command a node's doors serve (HTTP and the Redis protocol) as the histogram
/// <c>orleans_cache.command.duration</c>, tagged with the door, the command and its outcome; its count is the
/// number of commands. Also the source of the spans the Redis protocol door starts. One per node.
/// </summary>
public sealed class DoorTelemetry
{
    /// <summary>Name of the <see cref="ActivitySource"/> of the doors' spans.</summary>
    public const string ActivitySourceName = "OrleansCache";

    /// <summary>The <c>door</c> tag of HTTP requests.</summary>
    public const string Http = "http";

    /// <summary>The <c>door</c> tag of Redis protocol commands.</summary>
    public const string Resp = "resp";

    /// <summary>The command was served: a miss, an absent key or a failed condition included.</summary>
    public const string Ok = "ok";

    /// <summary>The command was refused for what it asked: bad input, wrong arguments, over the memory budget.</summary>
    public const string Rejected = "rejected";

    /// <summary>The cluster could not serve the command (a node unreachable, a timeout) or it failed unexpectedly.</summary>
    public const string Failed = "failed";

    /// <summary>Spans of the Redis protocol door; HTTP requests get theirs from ASP.NET Core.</summary>
    public static readonly ActivitySource Source = new(ActivitySourceName);

    // Cache commands take from ~0.1 ms (a local hit) to seconds (a call that waits for a failover).
    private static readonly double[] DurationBoundaries =
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Histogram<double> _duration;

    /// <summary>Creates the histogram on the cache's meter.</summary>
    public DoorTelemetry(IMeterFactory meters)
    {
        var meter = meters.Create(CacheMetrics.MeterName);
        _duration = meter.CreateHistogram(
            "orleans_cache.command.duration",
            "s",
            "Time from a command's arrival at a door to its answer, by door, command and outcome.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBoundaries });
    }

    /// <summary>Records one command that arrived at <paramref name="started"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    public void Record(string door, string command, string outcome, long started)
    {
        if (!_duration.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { "door", door },
            { "command", command },
            { "outcome", outcome },
        };
        _duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
    }
}
