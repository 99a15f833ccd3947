using System.Globalization;

namespace OrleansCache.Benchmarks.GossipLoad;

/// <summary>What Linux's <c>/proc</c> says of a process's CPU time and of the machine's load.</summary>
internal static class ProcStat
{
    // utime and stime count USER_HZ ticks, which the kernel fixes at 100 for user space on x86 and arm
    // whatever its own tick rate (getconf CLK_TCK).
    private const double TicksPerSecond = 100;

    /// <summary>The CPU time (user plus system, all threads) process <paramref name="pid"/> has used.</summary>
    public static TimeSpan CpuTime(int pid)
    {
        string stat = File.ReadAllText($"/proc/{pid}/stat");

        // Field 2, the command name, is in parentheses and may hold spaces: count from the last ')'. The rest
        // starts at field 3 (state); utime and stime are fields 14 and 15.
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }

    /// <summary>The machine's load average over the last minute.</summary>
    public static double LoadAverage() =>
        double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);
}
