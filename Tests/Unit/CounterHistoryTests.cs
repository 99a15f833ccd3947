using System.Collections.Concurrent;
using OrleansCache.Tests.Infrastructure;

namespace OrleansCache.Tests.Unit;

/// <summary>The counter history's checks catch what they are for, against counters that misbehave on purpose.</summary>
public sealed class CounterHistoryTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Check_PassesCorrectCounters()
    {
        var counters = new ConcurrentDictionary<string, long>();
        var history = await RunAsync((key, _) => Task.FromResult(counters.AddOrUpdate(key, 1, (_, v) => v + 1)), counters);

        Assert.True(history.Acknowledged > 0);
        Assert.Empty(history.Violations);
    }

    [Fact]
    public async Task Check_FindsAnIncrementAppliedTwice()
    {
        var counters = new ConcurrentDictionary<string, long>();
        var history = await RunAsync((key, _) => Task.FromResult(counters.AddOrUpdate(key, 2, (_, v) => v + 2)), counters);

        Assert.Contains(history.Violations, v => v.Contains("applied twice"));
    }

    [Fact]
    public async Task Check_FindsALostIncrement_AndAReadThatWentBack()
    {
        // Acknowledges every increment but keeps none.
        var counters = new ConcurrentDictionary<string, long>();
        long next = 0;
        var history = await RunAsync((_, _) => Task.FromResult(Interlocked.Increment(ref next)), counters);

        Assert.Contains(history.Violations, v => v.Contains("(lost)"));
        Assert.Contains(history.Violations, v => v.Contains("after an increment to"));
    }

    private static async Task<CounterHistory> RunAsync(Func<string, CancellationToken, Task<long>> increment, ConcurrentDictionary<string, long> counters)
    {
        var history = new CounterHistory(counters: 3);
        Task<long?> Read(string key, CancellationToken _) => Task.FromResult(counters.TryGetValue(key, out long v) ? v : (long?)null);
        using var stop = new CancellationTokenSource();
        var clients = Task.WhenAll(
            Task.Run(() => history.IncrementAsync(async (k, t) => { await Task.Yield(); return await increment(k, t); }, stop.Token)),
            Task.Run(() => history.ReadAsync(async (k, t) => { await Task.Yield(); return await Read(k, t); }, stop.Token)));

        // Enough of both, however slowly the machine starts them.
        await Poll.UntilAsync(() => Task.FromResult(history.Acknowledged >= 100 && history.Reads >= 100), Deadline, "100 increments and 100 reads");
        await stop.CancelAsync();
        await clients.WaitAsync(Deadline);
        await history.CheckFinalValuesAsync(Read);
        return history;
    }
}
