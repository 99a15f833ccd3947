using OrleansCache.Tests.Infrastructure;

namespace OrleansCache.Tests.Processes;

/// <summary>
/// One published node, started as its own process, that the console client tests talk to.
/// Tests sharing it use keys of their own.
/// </summary>
public sealed class ClientNodeFixture : IAsyncLifetime
{
    /// <summary>The running node.</summary>
    public NodeProcess Node { get; private set; } = null!;

    /// <inheritdoc />
    public async Task InitializeAsync() =>
        Node = await NodeProcess.StartReadyAsync("client-node", LoopbackAddresses.Next()).WaitAsync(TimeSpan.FromMinutes(6));

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (Node is not null)
        {
            await Node.DisposeAsync();
        }
    }
}
