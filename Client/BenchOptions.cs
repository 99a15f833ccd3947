using System.Net;

namespace OrleansCache.Client;

/// <summary>
/// How one <c>bench</c> run loads the cluster; <see cref="CommandLine"/> has checked every value.
/// </summary>
public sealed record BenchOptions
{
    /// <summary>Largest <see cref="ValueSize"/>: 1 MiB, the nodes' default <c>MAX_VALUE_BYTES</c>.</summary>
    public const int MaxValueSize = 1024 * 1024;

    /// <summary>Largest <see cref="Concurrency"/>.</summary>
    public const int MaxConcurrency = 10_000;

    /// <summary>Largest <see cref="DurationSeconds"/>: one day.</summary>
    public const int MaxDurationSeconds = 86_400;

    /// <summary>Largest <see cref="Keys"/>.</summary>
    public const int MaxKeys = 10_000_000;

    /// <summary>The defaults: 32 loops, 10 s, 80 % GET, 100-byte values, 10,000 keys.</summary>
    public static BenchOptions Default { get; } = new();

    /// <summary>Concurrent request loops (<c>--concurrency</c>, default 32).</summary>
    public int Concurrency { get; init; } = 32;

    /// <summary>Length of the timed run in seconds, after the preload (<c>--duration</c>, default 10).</summary>
    public int DurationSeconds { get; init; } = 10;

    /// <summary>Share of operations that are GETs, 0 to 1; the rest are SETs (<c>--get-ratio</c>, default 0.8).</summary>
    public double GetRatio { get; init; } = 0.8;

    /// <summary>Bytes in every value written (<c>--value-size</c>, default 100).</summary>
    public int ValueSize { get; init; } = 100;

    /// <summary>Distinct keys, all written before the timed run starts (<c>--keys</c>, default 10,000).</summary>
    public int Keys { get; init; } = 10_000;

    /// <summary>Port of <see cref="Redis"/> when <c>--redis</c> names none: Redis' own, 6379.</summary>
    public const int DefaultRedisPort = 6379;

    /// <summary>
    /// A Redis server (or any RESP port) to run the same load against through StackExchange.Redis instead of
    /// the cluster (<c>--redis &lt;ip&gt;[:&lt;port&gt;]</c>); <see langword="null"/>, the default, benches the cluster.
    /// </summary>
    public IPEndPoint? Redis { get; init; }
}
