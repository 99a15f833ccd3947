using System.Collections.Concurrent;

namespace OrleansCache.Tests.Infrastructure;

/// <summary>
/// A history of increments of a few counters by concurrent clients, each by one, checked for what a user of a
/// counter relies on: no acknowledged increment is lost, none is applied twice, and no read returns less than
/// an increment acknowledged before the read began.
/// </summary>
/// <remarks>
/// An increment that failed may or may not have been applied (the request may have died after the write), so
/// the final value of a counter must lie between its acknowledged increments and those plus its failed ones.
/// </remarks>
public sealed class CounterHistory(int counters)
{
    private readonly long[] _acknowledged = new long[counters];
    private readonly long[] _failed = new long[counters];

    // The highest value an acknowledged increment returned, per counter: every read begun later must see at least it.
    private readonly long[] _floor = new long[counters];
    private readonly ConcurrentQueue<string> _violations = new();
    private long _reads;

    /// <summary>The key of counter <paramref name="index"/>.</summary>
    public static string Key(int index) => $"counter-{index}";

    /// <summary>Increments acknowledged so far, all counters together.</summary>
    public long Acknowledged => _acknowledged.Sum();

    /// <summary>Increments that failed (outcome unknown), all counters together.</summary>
    public long Failed => _failed.Sum();

    /// <summary>Reads checked.</summary>
    public long Reads => Interlocked.Read(ref _reads);

    /// <summary>What went wrong: lost or doubled increments, reads that went back.</summary>
    public IReadOnlyCollection<string> Violations => _violations;

    /// <summary>Increments random counters through <paramref name="increment"/> (returns the new value) until stopped.</summary>
    public async Task IncrementAsync(Func<string, CancellationToken, Task<long>> increment, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            int counter = Random.Shared.Next(_acknowledged.Length);
            long value;
            try
            {
                value = await increment(Key(counter), stop);
            }
            catch (Exception) when (!stop.IsCancellationRequested)
            {
                Interlocked.Increment(ref _failed[counter]);
                await Task.Delay(50, CancellationToken.None);
                continue;
            }
            catch (Exception)
            {
                // Stopped with the request in flight: its outcome is unknown too.
                Interlocked.Increment(ref _failed[counter]);
                return;
            }

            Interlocked.Increment(ref _acknowledged[counter]);
            Raise(ref _floor[counter], value);
        }
    }

    /// <summary>Reads random counters through <paramref name="read"/> (null when absent) until stopped, checking none goes back.</summary>
    public async Task ReadAsync(Func<string, CancellationToken, Task<long?>> read, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            int counter = Random.Shared.Next(_acknowledged.Length);
            long floor = Interlocked.Read(ref _floor[counter]);
            long? value;
            try
            {
                value = await read(Key(counter), stop);
            }
            catch (Exception)
            {
                await Task.Delay(50, CancellationToken.None);
                continue;
            }

            Interlocked.Increment(ref _reads);
            if ((value ?? 0) < floor)
            {
                _violations.Enqueue($"{Key(counter)} read {value?.ToString() ?? "absent"} after an increment to {floor} was acknowledged");
            }
        }
    }

    /// <summary>Checks each counter's final value, read through <paramref name="read"/> once all clients stopped.</summary>
    public async Task CheckFinalValuesAsync(Func<string, CancellationToken, Task<long?>> read)
    {
        for (int counter = 0; counter < _acknowledged.Length; counter++)
        {
            long value = await read(Key(counter), CancellationToken.None) ?? 0;
            if (value < _acknowledged[counter] || value < _floor[counter])
            {
                _violations.Enqueue($"{Key(counter)} is {value}: {_acknowledged[counter]} increments were acknowledged, one returning {_floor[counter]} (lost)");
            }
            else if (value > _acknowledged[counter] + _failed[counter])
            {
                _violations.Enqueue($"{Key(counter)} is {value}: only {_acknowledged[counter]} increments were acknowledged and {_failed[counter]} failed (applied twice)");
            }
        }
    }

    private static void Raise(ref long target, long value)
    {
        long current;
        while ((current = Interlocked.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
