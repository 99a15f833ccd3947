using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using OrleansCache.ClientLibrary;

namespace OrleansCache.Tests.Infrastructure;

/// <summary>
/// Records a history of writes and reads over a fixed set of keys and checks it as it goes. Each key has
/// one writer, which writes 1, 2, 3, …; a read must never return less than the last value acknowledged
/// before the read began (stale), nor nothing once a value was acknowledged (missed).
/// </summary>
public sealed class KeyHistory(int keys, string prefix = "history")
{
    private readonly long[] _acknowledged = new long[keys];
    private readonly long[] _attempted = new long[keys];
    private readonly ConcurrentQueue<string> _violations = new();
    private readonly ConcurrentQueue<string> _failures = new();
    private readonly ConcurrentQueue<string> _lost = new();
    private long _acknowledgedCount;
    private long _reads;
    private long _failed;
    private long _longestFailureTicks;

    /// <summary>A read or write operation: returns the value read, or null; throws when it failed.</summary>
    public delegate Task<string?> Operation(string key, string? value, CancellationToken cancellationToken);

    /// <summary>Writes acknowledged so far.</summary>
    public long Acknowledged => Interlocked.Read(ref _acknowledgedCount);

    /// <summary>Reads completed so far.</summary>
    public long Reads => Interlocked.Read(ref _reads);

    /// <summary>Requests that failed (an error or no answer).</summary>
    public long FailedRequests => Interlocked.Read(ref _failed);

    /// <summary>The longest time one worker saw its requests fail in a row.</summary>
    public TimeSpan LongestFailureWindow => TimeSpan.FromTicks(Interlocked.Read(ref _longestFailureTicks));

    /// <summary>The first few failures, described.</summary>
    public string FailureSamples => string.Join(Environment.NewLine, _failures);

    /// <summary>Stale or missed reads, described.</summary>
    public IReadOnlyCollection<string> Violations => _violations;

    /// <summary>Keys whose final value is older than their last acknowledged write, described.</summary>
    public IReadOnlyCollection<string> Lost => _lost;

    /// <summary>Stale reads so far.</summary>
    public int StaleReads => _violations.Count(v => v.StartsWith("stale", StringComparison.Ordinal));

    /// <summary>Reads that found nothing where a value was acknowledged.</summary>
    public int MissedReads => _violations.Count(v => v.StartsWith("missed", StringComparison.Ordinal));

    /// <summary>The name of key <paramref name="index"/>.</summary>
    public string Key(int index) => $"{prefix}-{index}";

    /// <summary>Writes the keys <paramref name="writer"/> owns (every <paramref name="writers"/>th), round robin, until stopped.</summary>
    public Task WriteAsync(CacheClient cache, int writer, int writers, CancellationToken stop) =>
        WriteAsync(
            async (key, value, _) =>
            {
                await cache.SetAsync(key, Encoding.UTF8.GetBytes(value!));
                return null;
            },
            writer,
            writers,
            stop);

    /// <summary>Reads random keys through <paramref name="cache"/> until stopped.</summary>
    public Task ReadAsync(CacheClient cache, CancellationToken stop) =>
        ReadAsync(
            async (key, _, _) => await cache.GetAsync(key) is { } entry ? Encoding.UTF8.GetString(entry.Value) : null,
            stop);

    /// <summary>Writes the keys <paramref name="writer"/> owns with <paramref name="write"/> until stopped.</summary>
    public async Task WriteAsync(Operation write, int writer, int writers, CancellationToken stop)
    {
        var failures = new FailureClock();
        for (int round = 0; !stop.IsCancellationRequested; round++)
        {
            for (int index = writer; index < keys && !stop.IsCancellationRequested; index += writers)
            {
                long next = _attempted[index] + 1;
                Volatile.Write(ref _attempted[index], next);
                if (await TryAsync(() => write(Key(index), next.ToString(), stop), failures, stop))
                {
                    Volatile.Write(ref _acknowledged[index], next);
                    Interlocked.Increment(ref _acknowledgedCount);
                }
            }
        }
    }

    /// <summary>Reads random keys with <paramref name="read"/> until stopped, checking each answer.</summary>
    public async Task ReadAsync(Operation read, CancellationToken stop)
    {
        var failures = new FailureClock();
        while (!stop.IsCancellationRequested)
        {
            int index = Random.Shared.Next(keys);
            long floor = Volatile.Read(ref _acknowledged[index]);
            string? value = null;
            if (!await TryAsync(async () => value = await read(Key(index), null, stop), failures, stop))
            {
                continue;
            }

            Interlocked.Increment(ref _reads);
            Check(index, floor, value, "read");
        }
    }

    /// <summary>Reads every key once more and records it as lost unless it holds its last acknowledged value or a later attempt.</summary>
    public async Task CheckFinalValuesAsync(Operation read, CancellationToken cancellationToken)
    {
        for (int index = 0; index < keys; index++)
        {
            long floor = Volatile.Read(ref _acknowledged[index]);
            string? value = await read(Key(index), null, cancellationToken);
            if (floor > 0 && (!long.TryParse(value, out long number) || number < floor || number > Volatile.Read(ref _attempted[index])))
            {
                _lost.Enqueue($"{Key(index)} reads {value ?? "nothing"}; {floor} was acknowledged, {Volatile.Read(ref _attempted[index])} attempted last");
            }
        }
    }

    /// <summary>Asserts every key holds its last acknowledged value or a later attempt, read through <paramref name="cache"/>.</summary>
    public async Task AssertFinalValuesAsync(CacheClient cache)
    {
        await CheckFinalValuesAsync(
            async (key, _, _) => await cache.GetAsync(key) is { } entry ? Encoding.UTF8.GetString(entry.Value) : null,
            CancellationToken.None);
        Assert.Empty(Lost);
    }

    private void Check(int index, long floor, string? value, string what)
    {
        if (floor == 0)
        {
            return;
        }

        if (value is null)
        {
            _violations.Enqueue($"missed: {what} of {Key(index)} found nothing; {floor} was acknowledged");
        }
        else if (!long.TryParse(value, out long number) || number < floor)
        {
            _violations.Enqueue($"stale: {what} of {Key(index)} returned {value}; {floor} was acknowledged");
        }
    }

    private async Task<bool> TryAsync(Func<Task> request, FailureClock failures, CancellationToken stop)
    {
        try
        {
            await request().WaitAsync(TimeSpan.FromSeconds(30), stop);
            if (failures.Since is { } since)
            {
                RecordFailureWindow(Stopwatch.GetElapsedTime(since));
                failures.Since = null;
            }

            return true;
        }
        catch (Exception exception) when (!stop.IsCancellationRequested)
        {
            if (Interlocked.Increment(ref _failed) <= 5)
            {
                _failures.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {exception.GetType().Name}: {exception.Message}");
            }

            failures.Since ??= Stopwatch.GetTimestamp();
            await Task.Delay(50, CancellationToken.None);
            return false;
        }
        catch (Exception)
        {
            return false; // Stopped mid-request: neither acknowledged nor failed.
        }
    }

    private void RecordFailureWindow(TimeSpan window)
    {
        long ticks = window.Ticks;
        long current;
        while (ticks > (current = Interlocked.Read(ref _longestFailureTicks))
            && Interlocked.CompareExchange(ref _longestFailureTicks, ticks, current) != current)
        {
        }
    }

    /// <summary>When the requests of one worker started failing in a row, if they are failing.</summary>
    private sealed class FailureClock
    {
        public long? Since { get; set; }
    }
}
