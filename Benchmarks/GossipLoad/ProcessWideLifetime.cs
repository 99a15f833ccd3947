namespace OrleansCache.Benchmarks.GossipLoad;

/// <summary>
/// A node's host lifetime in a process of many: it neither waits for nor handles SIGTERM and Ctrl-C. The default
/// console lifetime of each of fifty hosts would catch SIGTERM to stop its own host and keep the process alive;
/// here the signal ends the child at once, as the orchestrator means it to.
/// </summary>
internal sealed class ProcessWideLifetime : IHostLifetime
{
    /// <inheritdoc />
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
