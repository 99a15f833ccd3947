using Microsoft.Extensions.Diagnostics.HealthChecks;
using OrleansCache.Grains;
using OrleansCache.Grains.Storage;

namespace OrleansCache.Silo.Health;

/// <summary>
/// Ready when this node's silo is Active in its own membership view and is not yielding to another
/// cluster; degraded (still ready) while it knows of live nodes outside its cluster and no verdict on
/// which cluster yields has reached it yet.
/// </summary>
public sealed class SiloHealthCheck(
    IClusterMembershipService membership,
    ILocalSiloDetails silo,
    NodeFence fence,
    IClusterSplitWatch? split = null) : IHealthCheck
{
    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress);
        if (status != SiloStatus.Active)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"The silo is {status}, not Active."));
        }

        if (fence.IsFrozen)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("The node is leaving its cluster to join another; writes are refused until it has."));
        }

        if (split?.NodesOutside() is { Count: > 0 } outside)
        {
            return Task.FromResult(HealthCheckResult.Degraded(
                $"Live nodes outside this cluster: {string.Join(", ", outside.Select(n => n.Id))}; the smaller cluster will yield."));
        }

        return Task.FromResult(HealthCheckResult.Healthy("The silo is Active."));
    }
}
