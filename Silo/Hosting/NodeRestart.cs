using OrleansCache.Grains.Merging;
using OrleansCache.Membership;

namespace OrleansCache.Silo.Hosting;

/// <summary>
/// Lets a node leave its cluster and come back as a new silo without its process exiting: when gossip
/// decides its cluster yields to another, or Orleans finds the node declared dead, the node's web host
/// (silo, HTTP, Redis protocol) is stopped and a new one started in the same process, which joins the
/// cluster named in the request and merges the entries the old one held. One per process; it outlives
/// the hosts it runs.
/// </summary>
/// <remarks>
/// A silo declared dead can never come back under its old identity (Orleans stops it), and before this a
/// node in that state exited and waited for a supervisor. Restarting in-process keeps the node's
/// addresses and configuration, and its entries, which are only in memory.
/// </remarks>
public sealed partial class NodeRestart
{
    // A yielding node has exported its entries and frozen its writes: stopping it needs no hand-off, only
    // Orleans' own stop, which waits on the old cluster's table host. Past this the stop is forced.
    private static readonly TimeSpan StopLimit = TimeSpan.FromSeconds(10);

    // How long a failed start waits for the restart request of a silo declared dead while it joined.
    private static readonly TimeSpan DeathReportLimit = TimeSpan.FromSeconds(2);

    private TaskCompletionSource<RestartRequest> _requested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private RestartRequest? _carried;
    private ILogger _logger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    /// <summary>What the current run was started with: the cluster to join and the entries to merge.</summary>
    public RestartRequest? Carried => _carried;

    /// <summary>How many times the node restarted in this process.</summary>
    public int Restarts { get; private set; }

    /// <summary>Asks for the current host to be replaced by a new one (the first request of a run counts).</summary>
    public void Request(RestartRequest request)
    {
        if (_requested.TrySetResult(request))
        {
            LogRequested(_logger, request.Reason, request.Export.Count);
        }
    }

    /// <summary>Hands the carried entries to whoever merges them, once; later calls return none.</summary>
    public IReadOnlyList<BucketExport> TakeCarriedEntries()
    {
        var carried = _carried;
        if (carried is null || carried.Export.Count == 0)
        {
            return [];
        }

        _carried = carried with { Export = [] };
        return carried.Export;
    }

    /// <summary>
    /// Runs <paramref name="app"/> until the process is asked to stop (SIGTERM, Ctrl+C) or a restart is
    /// requested. Returns <see langword="true"/> when the caller should build and run a new host.
    /// </summary>
    public async Task<bool> RunAsync(WebApplication app)
    {
        _logger = app.Services.GetRequiredService<ILogger<NodeRestart>>();
        var requested = _requested.Task;
        var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onStopping = app.Lifetime.ApplicationStopping.Register(() => stopping.TrySetResult());
        using var cancelStart = new CancellationTokenSource();
        var start = app.StartAsync(cancelStart.Token);
        await Task.WhenAny(start, requested, stopping.Task);
        if (!start.IsCompleted)
        {
            // Stopped, or asked to leave, while still joining: a node waiting for a linked node that is not up
            // must still stop on Ctrl+C or SIGTERM.
            await cancelStart.CancelAsync();
        }

        try
        {
            await start;
        }
        catch (Exception e) when (e is OperationCanceledException or OrleansException)
        {
            // Asked to stop or to restart while joining: the start is cancelled, or fails as Orleans stops a silo
            // declared dead before it was Active (OrleansLifecycleCanceledException), possibly just before its
            // fatal-error handler asks for the restart. Either way it is what was asked; anything else is not.
            if (!requested.IsCompleted && !stopping.Task.IsCompleted && await Task.WhenAny(requested, Task.Delay(DeathReportLimit)) != requested)
            {
                throw;
            }

            LogStartAbandoned(_logger, e.Message);
        }

        await Task.WhenAny(stopping.Task, requested);
        if (!requested.IsCompleted)
        {
            await app.StopAsync();
            await app.DisposeAsync();
            return false;
        }

        using (var limit = new CancellationTokenSource(StopLimit))
        {
            try
            {
                await app.StopAsync(limit.Token);
            }
            catch (Exception e)
            {
                // Whatever the old host says as it goes (a silo stopped while still Starting throws, say), it is
                // discarded: the node goes on with a new one.
                LogStopForced(_logger, e.Message);
            }
        }

        try
        {
            await app.DisposeAsync();
        }
        catch (Exception e)
        {
            LogStopForced(_logger, e.Message);
        }

        _carried = await requested;
        _requested = new TaskCompletionSource<RestartRequest>(TaskCreationOptions.RunContinuationsAsynchronously);
        Restarts++;
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Restarting this node's silo in-process: {Reason}. {Buckets} bucket copies are carried over to merge")]
    private static partial void LogRequested(ILogger logger, string reason, int buckets);

    [LoggerMessage(Level = LogLevel.Information, Message = "The silo's start was abandoned to stop or restart: {Reason}")]
    private static partial void LogStartAbandoned(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The old silo did not stop cleanly: {Reason}")]
    private static partial void LogStopForced(ILogger logger, string reason);
}

/// <summary>Why and how a node restarts its silo in-process.</summary>
/// <param name="Reason">For the log.</param>
/// <param name="Seed">Under gossip membership, the cluster the new silo joins; <see langword="null"/> to find it as at start.</param>
/// <param name="Export">Every bucket copy the old silo held, to merge into the cluster the new silo joins.</param>
public sealed record RestartRequest(string Reason, GossipSeed? Seed, IReadOnlyList<BucketExport> Export);
