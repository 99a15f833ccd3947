using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OrleansCache.Silo.Health;

/// <summary>
/// Ready when the membership table answers: PostgreSQL under ADO.NET membership, the table host under
/// gossip membership. A node that cannot read it cannot learn of joins and deaths.
/// </summary>
public sealed class MembershipHealthCheck(IMembershipTable table) : IHealthCheck
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(3);

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var data = await table.ReadAllAsync(cancellationToken).WaitAsync(Limit, cancellationToken);
            return HealthCheckResult.Healthy($"The membership table answered at version {data.Version.Version}.");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy(e is TimeoutException
                ? $"The membership table did not answer within {Limit.TotalSeconds:0} s."
                : $"The membership table could not be read: {e.Message}");
        }
    }
}
