using System.Diagnostics;

namespace OrleansCache.Client;

/// <summary>
/// One of the bench's request loops: random keys and operations from its own seeded generator, each
/// call timed with <see cref="Stopwatch.GetTimestamp"/> into histograms only this loop writes.
/// </summary>
internal sealed class BenchWorker(
    IBenchTarget target,
    string[] keys,
    double getRatio,
    int seed)
{
    // After a failed call the loop pauses this long: a node that refuses at once would otherwise turn
    // every loop into a busy loop of errors, taking the CPU from the nodes that still serve.
    private static readonly TimeSpan ErrorPause = TimeSpan.FromMilliseconds(10);

    private readonly Random _random = new(seed);
    private long _completed;
    private long _errors;

    /// <summary>Latencies of the GETs that succeeded, hits and misses alike.</summary>
    public LatencyHistogram Gets { get; } = new();

    /// <summary>Latencies of the SETs that succeeded.</summary>
    public LatencyHistogram Sets { get; } = new();

    /// <summary>GETs that found no value.</summary>
    public long Misses { get; private set; }

    /// <summary>GETs that failed or did not finish in time.</summary>
    public long GetErrors { get; private set; }

    /// <summary>SETs that failed or did not finish in time.</summary>
    public long SetErrors { get; private set; }

    /// <summary>The first failure, for the summary.</summary>
    public Exception? FirstError { get; private set; }

    /// <summary>Calls finished so far, successful or not; safe to read while the loop runs.</summary>
    public long Completed => Volatile.Read(ref _completed);

    /// <summary>Calls failed so far; safe to read while the loop runs.</summary>
    public long Errors => Volatile.Read(ref _errors);

    /// <summary>
    /// Calls the cache until <paramref name="endTimestamp"/> or until <paramref name="stopping"/> fires;
    /// a call still running when <paramref name="abandon"/> fires is counted as an error.
    /// </summary>
    public async Task RunAsync(long endTimestamp, CancellationToken stopping, CancellationToken abandon)
    {
        while (Stopwatch.GetTimestamp() < endTimestamp && !stopping.IsCancellationRequested)
        {
            string key = keys[_random.Next(keys.Length)];
            bool get = _random.NextDouble() < getRatio;
            long started = Stopwatch.GetTimestamp();
            try
            {
                if (get)
                {
                    bool found = await target.GetAsync(key).WaitAsync(abandon);
                    Gets.Record(Stopwatch.GetTimestamp() - started);
                    Misses += found ? 0 : 1;
                }
                else
                {
                    await target.SetAsync(key).WaitAsync(abandon);
                    Sets.Record(Stopwatch.GetTimestamp() - started);
                }
            }
            catch (Exception e)
            {
                CountError(get, e);
                if (abandon.IsCancellationRequested)
                {
                    return;
                }

                await PauseAsync(abandon);
            }

            Volatile.Write(ref _completed, _completed + 1);
        }
    }

    private void CountError(bool get, Exception e)
    {
        if (get)
        {
            GetErrors++;
        }
        else
        {
            SetErrors++;
        }

        FirstError ??= e;
        Volatile.Write(ref _errors, _errors + 1);
    }

    private static async Task PauseAsync(CancellationToken abandon)
    {
        try
        {
            await Task.Delay(ErrorPause, abandon);
        }
        catch (OperationCanceledException)
        {
            // The run is over; the loop condition ends it.
        }
    }
}
