using System.Diagnostics;
using System.Globalization;

namespace OrleansCache.Benchmarks.GossipLoad;

/// <summary>
/// A child process of the benchmark: hosts nodes <c>first</c> to <c>first + count - 1</c> of a cluster, started one
/// after another, writes a <see cref="ChildStatus"/> line every second, and exits when its standard input closes
/// (the orchestrator stopped or died: no child outlives it).
/// </summary>
/// <remarks><c>GossipLoad child FIRST_IP FIRST COUNT CLUSTER_ID</c>; the orchestrator starts it, not a user.</remarks>
internal static class ChildMode
{
    private static readonly TimeSpan ReportEvery = TimeSpan.FromSeconds(1);

    /// <summary>Runs the child; returns its exit code.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        if (args is not [var firstIp, var firstText, var countText, var clusterId]
            || !int.TryParse(firstText, CultureInfo.InvariantCulture, out int first)
            || !int.TryParse(countText, CultureInfo.InvariantCulture, out int count)
            || first < 0 || count < 1 || !new AddressPlan(firstIp).Fits(first + count))
        {
            Console.Error.WriteLine("usage: GossipLoad child FIRST_IP FIRST COUNT CLUSTER_ID (started by the orchestrator)");
            return 2;
        }

        var plan = new AddressPlan(firstIp);
        using var stopping = new CancellationTokenSource();
        var inputClosed = new Thread(() =>
        {
            while (Console.In.ReadLine() is not null)
            {
            }

            stopping.Cancel();
        })
        {
            IsBackground = true,
            Name = "stdin watch",
        };
        inputClosed.Start();

        var traffic = new ServedTraffic();
        var nodes = new List<LoadNode>(count);
        var clock = Stopwatch.StartNew();
        var reporting = ReportAsync(nodes, traffic, clock, stopping.Token);
        try
        {
            for (int i = first; i < first + count; i++)
            {
                var node = await LoadNode.StartAsync(AddressPlan.Id(i), plan.Ip(i), plan.LinkOf(i, first + count), clusterId, traffic, stopping.Token);
                lock (nodes)
                {
                    nodes.Add(node);
                }
            }

            await reporting;
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The orchestrator closed our input.
        }

        // The nodes' hosts are not stopped: each would say goodbye to every peer first (GossipMembershipLifetime),
        // which the orchestrator, already measuring the next size or done, has no use for.
        return 0;
    }

    private static async Task ReportAsync(List<LoadNode> nodes, ServedTraffic traffic, Stopwatch clock, CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(ReportEvery);
        do
        {
            LoadNode[] started;
            lock (nodes)
            {
                started = [.. nodes];
            }

            Console.Out.WriteLine(Observe(started, traffic, clock).Format());
        }
        while (await timer.WaitForNextTickAsync(stopping));
    }

    private static ChildStatus Observe(LoadNode[] nodes, ServedTraffic traffic, Stopwatch clock)
    {
        int ready = 0, following = 0;
        long errors = 0;
        foreach (var node in nodes)
        {
            ready += node.Ready ? 1 : 0;
            following += node.Membership.Directory.Following?.NodeId == AddressPlan.HostId ? 1 : 0;
            errors += node.Errors;
        }

        int alive = 0, rows = 0;
        bool hosting = false;
        if (nodes is [var firstNode, ..])
        {
            var membership = firstNode.Membership;
            alive = membership.Directory.Alive().Count;
            hosting = membership.IsHost;
            foreach (var (row, _) in membership.GetCopy().Data.Members)
            {
                rows += row.Status == SiloStatus.Active ? 1 : 0;
            }
        }

        return new ChildStatus(clock.ElapsedMilliseconds, nodes.Length, ready, following, alive, rows, hosting, traffic.Bytes, traffic.Calls, errors);
    }
}
