using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Grains;

/// <summary>
/// Answers clients' questions about the cluster from the membership view of the silo it runs on.
/// </summary>
[StatelessWorker]
public sealed class ClusterGrain(ClusterViewSource view, IOptions<CacheOptions> options) : Grain, IClusterGrain
{
    /// <inheritdoc />
    public Task<ClusterView> GetViewAsync() => Task.FromResult(view.GetView());

    /// <inheritdoc />
    public Task<CacheTopology> GetTopologyAsync()
    {
        var value = options.Value;
        return Task.FromResult(new CacheTopology(value.Buckets, value.ReplicationFactor, value.MaxValueBytes));
    }
}
