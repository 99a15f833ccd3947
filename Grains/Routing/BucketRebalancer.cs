using Microsoft.Extensions.Logging;
using OrleansCache.Grains.Interfaces;
using OrleansCache.Grains.Interfaces.Routing;
using OrleansCache.Grains.Storage;

namespace OrleansCache.Grains.Routing;

/// <summary>
/// Where data is moved: one per silo. Whenever the bucket map changes (a node joins, dies or leaves), it
/// asks every bucket and replica grain active here to reconcile with the map: move, with its entries,
/// to the node the map names, or refill replicas that lack a copy. When the silo stops gracefully it
/// hands everything off before Orleans deactivates what is left.
/// </summary>
/// <remarks>
/// Orleans places a grain only when it activates and never moves it again; this is what moves it. Each
/// silo looks after its own activations only, so the work is spread and no coordinator is needed.
/// A node whose <see cref="NodeFence"/> is frozen moves nothing, not even when it stops: it yields to
/// another cluster, its entries are exported and merged there, and its own cluster is going away.
/// </remarks>
public sealed partial class BucketRebalancer(
    BucketMapProvider maps,
    LocalBucketCatalog catalog,
    IGrainFactory grains,
    ILocalSiloDetails silo,
    NodeFence fence,
    TimeProvider time,
    ILogger<BucketRebalancer> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    // How often the map is checked for a change; a change is acted on within this.
    private static readonly TimeSpan CheckInterval = TimeSpan.FromMilliseconds(250);

    // A full pass also runs this often without a change, to finish what a failed refill left.
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(10);

    // After a pass that started moves, the next runs this soon: a move does not happen while the silo's
    // placement does not list the target yet (a node that just joined), and waiting for the sweep made
    // a join take ~10 s to settle in the history test.
    private static readonly TimeSpan RetryMovesAfter = TimeSpan.FromSeconds(1);

    // Bounded so a stopping node cannot outlast the host's 30 s shutdown timeout or a container's grace.
    private static readonly TimeSpan HandOffLimit = TimeSpan.FromSeconds(15);

    // Grain calls in flight per pass: enough to move a node's ~700 grains in well under a second
    // without starving request traffic on 2 cores.
    private const int Parallelism = 8;

    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;

    /// <inheritdoc />
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(BucketRebalancer), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    private Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (fence.IsFrozen)
        {
            LogNoHandOff(logger, catalog.Primaries.Count + catalog.Replicas.Count);
        }
        else if (!cancellationToken.IsCancellationRequested)
        {
            await HandOffAsync(cancellationToken);
        }
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        var seen = maps.Version;
        var lastPass = time.GetTimestamp();
        var nextPassAfter = SweepInterval;
        using var timer = new PeriodicTimer(CheckInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                var version = maps.Version;
                if (fence.IsFrozen || (version.Equals(seen) && time.GetElapsedTime(lastPass) < nextPassAfter))
                {
                    continue;
                }

                seen = version;
                lastPass = time.GetTimestamp();
                int moving = await ReconcileLocalGrainsAsync(stopping);
                nextPassAfter = moving > 0 ? RetryMovesAfter : SweepInterval;
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>Moves every bucket and replica off this silo before it stops, so none has to be recovered.</summary>
    private async Task HandOffAsync(CancellationToken cancellationToken)
    {
        var self = silo.SiloAddress;
        maps.MarkLeaving(self);
        if (maps.Current.Nodes.Count == 0)
        {
            return; // The last node: there is nowhere to go.
        }

        // Everyone leaves this node out of the map from now on, so nothing is placed or moved back here
        // while it still shows as active.
        var told = new List<Task>();
        foreach (var member in maps.Snapshot.Members.Values)
        {
            if (member.Status == SiloStatus.Active && !member.SiloAddress.Equals(self))
            {
                told.Add(grains.GetGrain<INodeGrain>(member.Name).NodeLeavingAsync(self).WaitAsync(TimeSpan.FromSeconds(2), cancellationToken));
            }
        }

        await Task.WhenAll(told).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

        int held = catalog.Primaries.Count + catalog.Replicas.Count;
        var started = time.GetTimestamp();
        while (catalog.Primaries.Count + catalog.Replicas.Count > 0 && time.GetElapsedTime(started) < HandOffLimit)
        {
            await ReconcileLocalGrainsAsync(cancellationToken);
            await Task.Delay(CheckInterval, time, cancellationToken);
        }

        LogHandedOff(logger, held, catalog.Primaries.Count + catalog.Replicas.Count, time.GetElapsedTime(started).TotalSeconds);
    }

    /// <summary>Reconciles every grain held here; returns how many started moving.</summary>
    private async Task<int> ReconcileLocalGrainsAsync(CancellationToken cancellationToken)
    {
        int moving = 0;
        // Primaries held here, and the primaries of the first replicas held here: a bucket whose primary died
        // with its node is re-activated from its replica now, not at its first request, and then refills
        // the replica it lost. Calling a primary twice in one pass (from two silos) does no harm.
        var primaries = new HashSet<long>(catalog.Primaries);
        var work = new List<(long Key, bool Replica)>();
        foreach (long key in catalog.Replicas)
        {
            work.Add((key, true));
            if (ReplicaKey.GetRank(key) == 1)
            {
                primaries.Add(ReplicaKey.GetBucket(key));
            }
        }

        foreach (long key in primaries)
        {
            work.Add((key, false));
        }

        var options = new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(work, options, async (item, token) =>
        {
            if (fence.IsFrozen)
            {
                return; // Frozen during this pass: what is left stays for the export.
            }

            try
            {
                var reconcile = item.Replica
                    ? grains.GetGrain<IReplicaGrain>(item.Key).ReconcileAsync()
                    : grains.GetGrain<IBucketGrain>(item.Key).ReconcileAsync();
                if (await reconcile.WaitAsync(TimeSpan.FromSeconds(30), token))
                {
                    Interlocked.Increment(ref moving);
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // Typically a replica on a node that died and is not declared dead yet; the next pass retries.
                LogReconcileFailed(logger, exception, item.Key, item.Replica);
            }
        });
        return moving;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Handed off buckets before stopping: {Held} held, {Left} left after {Seconds:F1} s")]
    private static partial void LogHandedOff(ILogger logger, int held, int left, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Not handing off the {Held} bucket copies held here: this node yields to another cluster")]
    private static partial void LogNoHandOff(ILogger logger, int held);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reconciling grain {Key} (replica: {Replica}) failed; retried on the next pass")]
    private static partial void LogReconcileFailed(ILogger logger, Exception exception, long key, bool replica);
}
