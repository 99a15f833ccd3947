using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Grains.Storage;

/// <summary>
/// The active half of expiry: every <see cref="CacheOptions.ExpirySweepInterval"/>, asks each local bucket
/// that holds entries with an expiry to reclaim the ones that are due, so memory comes back even for
/// keys nobody reads again. (The other half: a read of an expired key reclaims it at once.) One per silo.
/// </summary>
/// <remarks>Buckets register themselves (<see cref="Track"/>) while they hold an expiry, so a node with
/// 1024 buckets and no expiring keys makes no calls at all. Reclaiming runs in the bucket grain, as a
/// replicated delete, so replicas lose the entry too.</remarks>
public sealed partial class ExpirySweeper(
    IGrainFactory grains,
    IOptions<CacheOptions> options,
    [FromKeyedServices(CacheTime.ServiceKey)] TimeProvider time,
    ILogger<ExpirySweeper> logger) : SiloLoop(logger)
{
    private readonly ConcurrentDictionary<int, byte> _buckets = new();

    /// <summary>Records that <paramref name="bucket"/>'s primary, active here, holds entries with an expiry.</summary>
    public void Track(int bucket) => _buckets.TryAdd(bucket, 0);

    /// <summary>Records that <paramref name="bucket"/> holds no expiring entry here (or is no longer active here).</summary>
    public void Untrack(int bucket) => _buckets.TryRemove(bucket, out _);

    /// <summary>Asks every tracked bucket to reclaim its due entries; returns how many were reclaimed.</summary>
    public async Task<int> SweepOnceAsync()
    {
        var calls = new List<Task<int>>();
        foreach (int bucket in _buckets.Keys)
        {
            calls.Add(grains.GetGrain<IBucketGrain>(bucket).SweepExpiredAsync());
        }

        int reclaimed = 0;
        foreach (int count in await Task.WhenAll(calls))
        {
            reclaimed += count;
        }

        return reclaimed;
    }

    /// <inheritdoc />
    protected override Task WaitAsync(CancellationToken cancellationToken) =>
        Task.Delay(options.Value.ExpirySweepInterval, time, cancellationToken);

    /// <inheritdoc />
    protected override async Task RunOnceAsync()
    {
        int reclaimed = await SweepOnceAsync();
        if (reclaimed > 0)
        {
            LogSwept(logger, reclaimed);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Expiry sweep reclaimed {Count} entries")]
    private static partial void LogSwept(ILogger logger, int count);
}
