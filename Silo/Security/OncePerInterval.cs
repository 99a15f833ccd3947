using System.Diagnostics;

namespace OrleansCache.Silo.Security;

/// <summary>
/// Lets something happen at most once per interval (a forced collection, a log line about refused
/// clients), without a lock: of callers racing after the interval, exactly one gets through.
/// </summary>
internal sealed class OncePerInterval(TimeSpan interval)
{
    // Stopwatch ticks of the last time through; MinValue until the first.
    private long _last = long.MinValue;

    /// <summary>The interval.</summary>
    public TimeSpan Interval => interval;

    /// <summary>Goes through if the interval has passed since the last time.</summary>
    /// <param name="wait">When refused, how long until the interval will have passed.</param>
    public bool TryEnter(out TimeSpan wait)
    {
        long now = Stopwatch.GetTimestamp();
        long last = Interlocked.Read(ref _last);
        var since = last == long.MinValue ? TimeSpan.MaxValue : Stopwatch.GetElapsedTime(last, now);
        if (since >= interval && Interlocked.CompareExchange(ref _last, now, last) == last)
        {
            wait = TimeSpan.Zero;
            return true;
        }

        wait = since >= interval ? interval : interval - since;
        return false;
    }
}
