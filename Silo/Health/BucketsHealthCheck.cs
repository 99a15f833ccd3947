using Microsoft.Extensions.Diagnostics.HealthChecks;
using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Silo.Health;

/// <summary>
/// Ready when this node holds every bucket copy the bucket map gives it: no other active node still
/// holds one that is to move here (after a join, the moves take a few seconds), and every one of them
/// places this node in its map. A node that does not answer in time is left out, so one dying node, not
/// yet declared dead, cannot make every node unready.
/// </summary>
public sealed class BucketsHealthCheck(IClusterMembershipService membership, ILocalSiloDetails silo, IGrainFactory grains) : IHealthCheck
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(3);

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var others = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active && !m.SiloAddress.Equals(silo.SiloAddress))
            .Select(m => m.Name)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var answers = await Task.WhenAll(others.Select(async name =>
        {
            try
            {
                var owed = await grains.GetGrain<INodeGrain>(name).CountCopiesOwedToAsync(silo.Name).WaitAsync(Limit, cancellationToken);
                return new Answer(name, true, owed);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return new Answer(name, false, null);
            }
        }));

        var silent = answers.Where(a => !a.Answered).Select(a => a.Node).ToList();
        string unanswered = silent.Count > 0 ? $" Not answering: {string.Join(", ", silent)}." : "";
        var unaware = answers.Where(a => a.Answered && a.Owed is null).Select(a => a.Node).ToList();
        if (unaware.Count > 0)
        {
            return HealthCheckResult.Unhealthy($"Not yet in the bucket map of: {string.Join(", ", unaware)}.{unanswered}");
        }

        int owedInAll = answers.Sum(a => a.Owed ?? 0);
        return owedInAll == 0
            ? HealthCheckResult.Healthy($"Every bucket copy the map gives this node is here.{unanswered}")
            : HealthCheckResult.Unhealthy($"{owedInAll} bucket copies the map gives this node are still on other nodes.{unanswered}");
    }

    private sealed record Answer(string Node, bool Answered, int? Owed);
}
