namespace OrleansCache.Membership;

/// <summary>
/// Starts gossip with the host, so other nodes hear of this one before its silo asks to join, and
/// keeps it running until the silo has stopped: a stopping silo still writes its status to the table.
/// </summary>
internal sealed class GossipMembershipLifetime(GossipMembership membership, IHostApplicationLifetime lifetime) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        membership.Start();

        // Hosted services stop in reverse order of registration, and the silo's may stop after this
        // one; ApplicationStopped comes after all of them.
        lifetime.ApplicationStopped.Register(() => membership.LeaveAsync().Wait(TimeSpan.FromSeconds(5)));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
