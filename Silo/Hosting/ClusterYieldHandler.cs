using OrleansCache.Grains.Merging;
using OrleansCache.Grains.Storage;
using OrleansCache.Membership;

namespace OrleansCache.Silo.Hosting;

/// <summary>
/// How a cache node leaves its cluster for another: it freezes writes (<see cref="NodeFence"/>), exports
/// every bucket copy it holds, and asks <see cref="NodeRestart"/> for a new silo that joins the winning
/// cluster and merges the export there.
/// </summary>
/// <remarks>Resolves the grain-side services when first used: the gossip membership that calls this is
/// itself built while the silo's services are.</remarks>
internal sealed partial class ClusterYieldHandler(IServiceProvider services, NodeRestart restart, ILogger<ClusterYieldHandler> logger) : IClusterYieldHandler
{
    // Exporting reads every local grain once; a node's ~700 grains answer in well under a second.
    private static readonly TimeSpan ExportLimit = TimeSpan.FromSeconds(30);

    /// <inheritdoc />
    public void Freeze(string reason) => services.GetRequiredService<NodeFence>().Freeze(reason);

    /// <inheritdoc />
    public Task YieldAsync(GossipSeed seed, string reason) => LeaveAsync(seed, reason);

    /// <summary>Freezes writes, exports what this node holds and requests the restart.</summary>
    public async Task LeaveAsync(GossipSeed? seed, string reason)
    {
        services.GetRequiredService<NodeFence>().Freeze(reason);
        IReadOnlyList<BucketExport> export;
        try
        {
            using var limit = new CancellationTokenSource(ExportLimit);
            export = await services.GetRequiredService<LocalExporter>().ExportAsync(limit.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or OrleansException or TimeoutException)
        {
            // Restarting anyway is still right: a node that must leave cannot stay. What it held is
            // still on its replicas elsewhere, unless its whole side is leaving.
            LogExportFailed(logger, e);
            export = [];
        }

        restart.Request(new RestartRequest(reason, seed, export));
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Exporting this node's entries before it leaves its cluster failed; it leaves without them")]
    private static partial void LogExportFailed(ILogger logger, Exception exception);
}
