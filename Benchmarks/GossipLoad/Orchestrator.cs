using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace OrleansCache.Benchmarks.GossipLoad;

/// <summary>
/// Runs each cluster size in turn: n000 alone in a child, then n001 alone in another and the other n-2 nodes in
/// children of at most <see cref="LoadOptions.PerProcess"/>; waits for the cluster to form, lets it settle, then
/// measures each child's CPU and the membership bytes served over the window. Kills every child it started,
/// whatever happens.
/// </summary>
internal sealed class Orchestrator(LoadOptions options)
{
    private static readonly TimeSpan PollEvery = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan FoundDeadline = TimeSpan.FromSeconds(60);

    // Every child started and not yet killed. A child also exits by itself when this process dies (its standard
    // input closes), so not even kill -9 here leaves one behind.
    private readonly List<ChildProcess> _children = [];

    /// <summary>Measures every size, printing a row as each completes; returns the exit code.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(options.Logs);
        var results = new List<SizeResult>();
        Console.WriteLine(ResultTable.Header());
        try
        {
            foreach (int n in options.Sizes)
            {
                var result = await MeasureAsync(n, cancellationToken);
                results.Add(result);
                Console.WriteLine(ResultTable.Row(result));
                if (options.Results is { } file)
                {
                    await File.AppendAllTextAsync(file, result.ToLine() + Environment.NewLine, cancellationToken);
                }
            }
        }
        catch (BenchmarkFailedException e)
        {
            Console.Write(ResultTable.Notes(results));
            Console.Error.WriteLine($"GossipLoad: {e.Message}");
            return 1;
        }

        Console.Write(ResultTable.Notes(results));
        return 0;
    }

    private async Task<SizeResult> MeasureAsync(int n, CancellationToken cancellationToken)
    {
        var plan = options.Plan;
        EnsureAddressesFree(plan, n);
        string clusterId = $"gossip-load-{n}";
        var sizeClock = Stopwatch.StartNew();
        try
        {
            // n000 first, alone: the cluster is its, whatever the order in which the followers' processes come up.
            var host = Start(n, 0, 1, clusterId);
            await WaitUntilAsync(() => host.Latest is { Hosting: true }, FoundDeadline, () => $"n={n}: n000 did not found the cluster within {FoundDeadline.TotalSeconds:F0} s", [host], cancellationToken);

            var formation = Stopwatch.StartNew();
            var typical = Start(n, 1, 1, clusterId);
            var others = new List<ChildProcess>();
            int rest = n - 2;
            int processes = (rest + options.PerProcess - 1) / options.PerProcess;
            for (int p = 0; p < processes; p++)
            {
                int from = 2 + (p * rest / processes), to = 2 + ((p + 1) * rest / processes);
                others.Add(Start(n, from, to - from, clusterId));
            }

            Console.Error.WriteLine($"n={n}: n000 hosts the table; {n - 1} followers starting in {others.Count + 1} processes ...");
            var deadline = options.DeadlineFor(n);
            var progress = Stopwatch.StartNew();
            await WaitUntilAsync(
                () =>
                {
                    var state = Observe(n, host);
                    if (progress.Elapsed >= ProgressEvery)
                    {
                        progress.Restart();
                        Console.Error.WriteLine($"n={n}: {formation.Elapsed.TotalSeconds:F0} s: {state.Describe(n)}");
                    }

                    return state.Formed(n);
                },
                deadline,
                () => $"n={n} did not form within {deadline.TotalSeconds:F0} s: {Observe(n, host).Describe(n)}",
                [.. _children],
                cancellationToken);
            double formationSeconds = formation.Elapsed.TotalSeconds;
            Console.Error.WriteLine($"n={n}: formed in {formationSeconds:F1} s; settling {options.Settle.TotalSeconds:F0} s, then measuring {options.Window.TotalSeconds:F0} s ...");

            await Task.Delay(options.Settle, cancellationToken);
            var start = Sample.Take([.. _children]);
            await Task.Delay(options.Window, cancellationToken);
            var end = Sample.Take([.. _children]);
            double load = ProcStat.LoadAverage();

            var notes = new List<string>();
            var after = Observe(n, host);
            if (!after.Formed(n))
            {
                notes.Add($"at the window's end {after.Describe(n)}");
            }

            long errors = _children.Sum(c => c.Latest?.Errors ?? 0);
            if (errors > 0)
            {
                notes.Add($"{errors} table calls failed (see the logs in {options.Logs})");
            }

            if (load > Environment.ProcessorCount)
            {
                notes.Add($"load average {load:F2} on {Environment.ProcessorCount} cores (these nodes starting, or other work): formation is slower, and CPU may be inflated by contention");
            }

            var result = new SizeResult(
                options.Label,
                n,
                formationSeconds,
                Sample.CpuPercent(start, end, host),
                Sample.CpuPercent(start, end, typical),
                others.Count > 0 ? others.Sum(c => Sample.CpuPercent(start, end, c)) / rest : double.NaN,
                Sample.KiBPerSecond(start, end, host),
                Sample.KiBPerSecond(start, end, typical),
                load,
                string.Join("; ", notes));
            Console.Error.WriteLine($"n={n}: done in {sizeClock.Elapsed.TotalSeconds:F0} s");
            return result;
        }
        finally
        {
            KillChildren();
        }
    }

    private ChildProcess Start(int n, int first, int count, string clusterId)
    {
        string log = Path.Combine(options.Logs, $"{options.Label}-{n}-{AddressPlan.Id(first)}.log");
        var child = ChildProcess.Start(options.Plan, first, count, clusterId, log);
        lock (_children)
        {
            _children.Add(child);
        }

        return child;
    }

    private void KillChildren()
    {
        ChildProcess[] children;
        lock (_children)
        {
            children = [.. _children];
            _children.Clear();
        }

        foreach (var child in children)
        {
            child.Dispose();
        }
    }

    private Formation Observe(int n, ChildProcess host)
    {
        ChildProcess[] children;
        lock (_children)
        {
            children = [.. _children];
        }

        int started = 0, ready = 0, following = 0;
        foreach (var child in children)
        {
            started += child.Latest?.Started ?? 0;
            ready += child.Latest?.Ready ?? 0;
            following += child.Latest?.Following ?? 0;
        }

        return new Formation(started, ready, following, host.Latest?.Alive ?? 0, host.Latest?.Rows ?? 0);
    }

    // Polls until the condition holds, failing when the deadline passes or a child has exited.
    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan deadline, Func<string> timedOut, IReadOnlyList<ChildProcess> children, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (children.Select(c => c.Gone).FirstOrDefault(g => g is not null) is { } gone)
            {
                throw new BenchmarkFailedException(gone);
            }

            if (clock.Elapsed > deadline)
            {
                throw new BenchmarkFailedException(timedOut());
            }

            await Task.Delay(PollEvery, cancellationToken);
        }
    }

    // A node left listening by an earlier run (or other work on these addresses) would join the cluster or refuse
    // to let a node bind: refuse to start instead. A connection to a free loopback address is refused at once.
    private static void EnsureAddressesFree(AddressPlan plan, int n)
    {
        for (int i = 0; i < n; i++)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Connect(plan.Ip(i), AddressPlan.HttpPort);
            }
            catch (SocketException)
            {
                continue;
            }

            throw new BenchmarkFailedException($"{plan.Ip(i)}:{AddressPlan.HttpPort} is in use (a leftover run? pgrep -af GossipLoad); choose other addresses with --first-ip");
        }
    }

    /// <summary>How far a size has formed.</summary>
    private sealed record Formation(int Started, int Ready, int Following, int HostAlive, int HostRows)
    {
        public bool Formed(int n) => Ready == n && Following == n && HostAlive == n && HostRows == n;

        public string Describe(int n) => string.Create(CultureInfo.InvariantCulture,
            $"{Started}/{n} started, {Ready}/{n} in the table, {Following}/{n} follow n000, n000 sees {HostAlive} alive and {HostRows} Active rows");
    }

    /// <summary>Each child's CPU time and last status at one moment.</summary>
    private sealed record Sample(long Timestamp, Dictionary<ChildProcess, (TimeSpan Cpu, ChildStatus? Status)> Children)
    {
        public static Sample Take(IReadOnlyList<ChildProcess> children) =>
            new(Stopwatch.GetTimestamp(), children.ToDictionary(c => c, c => (c.CpuTime, c.Latest)));

        public static double CpuPercent(Sample start, Sample end, ChildProcess child) =>
            100 * (end.Children[child].Cpu - start.Children[child].Cpu) / Stopwatch.GetElapsedTime(start.Timestamp, end.Timestamp);

        // By the child's own clock between its two status lines: each line may be up to a second old.
        public static double KiBPerSecond(Sample start, Sample end, ChildProcess child) =>
            (start.Children[child].Status, end.Children[child].Status) is ({ } before, { } after) && after.Milliseconds > before.Milliseconds
                ? (after.Bytes - before.Bytes) / 1024.0 / ((after.Milliseconds - before.Milliseconds) / 1000.0)
                : double.NaN;
    }
}
