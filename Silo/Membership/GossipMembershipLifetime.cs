namespace OrleansCache.Silo.Membership;

/// <summary>
/// Starts gossip with the host (so the node is known to others before its silo asks to join) and stops it last.
/// </summary>
internal sealed class GossipMembershipLifetime(GossipMembership membership) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        membership.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => membership.StopAsync();
}
