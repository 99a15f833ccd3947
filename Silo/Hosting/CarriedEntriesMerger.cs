using Microsoft.Extensions.Options;
using OrleansCache.Grains;
using OrleansCache.Grains.Merging;

namespace OrleansCache.Silo.Hosting;

/// <summary>
/// Merges the entries a node carried over from the cluster it left into the cluster its new silo has
/// joined, by <c>MERGE_POLICY</c>, once the silo is active.
/// </summary>
internal sealed partial class CarriedEntriesMerger(
    NodeRestart restart,
    MergeReplayer replayer,
    IOptions<CacheOptions> options,
    ILogger<CarriedEntriesMerger> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _merge = Task.CompletedTask;

    /// <inheritdoc />
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(CarriedEntriesMerger), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    private Task StartAsync(CancellationToken cancellationToken)
    {
        var carried = restart.TakeCarriedEntries();
        if (carried.Count > 0)
        {
            _merge = Task.Run(() => MergeAsync(carried), CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _merge.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task MergeAsync(IReadOnlyList<BucketExport> carried)
    {
        try
        {
            var result = await replayer.ReplayAsync(carried, options.Value.MergePolicy, _stopping.Token);
            LogMerged(logger, carried.Count, result.Added, result.Replaced, result.Kept, result.Expired, result.Refused);
        }
        catch (Exception e) when (!_stopping.IsCancellationRequested)
        {
            LogMergeFailed(logger, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Merged the entries carried from the cluster this node left ({Buckets} bucket copies): {Added} added, {Replaced} replaced, {Kept} kept the cluster's value, {Expired} expired, {Refused} refused for memory")]
    private static partial void LogMerged(ILogger logger, int buckets, long added, long replaced, long kept, long expired, long refused);

    [LoggerMessage(Level = LogLevel.Error, Message = "Merging the entries carried from the cluster this node left did not complete; what did not get in is lost")]
    private static partial void LogMergeFailed(ILogger logger, Exception exception);
}
