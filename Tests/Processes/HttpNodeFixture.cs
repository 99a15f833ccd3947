using System.Globalization;
using OrleansCache.Tests.Infrastructure;

namespace OrleansCache.Tests.Processes;

/// <summary>
/// One published node, started as its own process with a small <c>MAX_VALUE_BYTES</c> so that
/// oversized values are cheap to send, shared by the tests of one class and killed after them.
/// </summary>
public sealed class HttpNodeFixture : IAsyncLifetime
{
    /// <summary>The node's <c>MAX_VALUE_BYTES</c>.</summary>
    public const int MaxValueBytes = 4096;

    /// <summary>The running node.</summary>
    public NodeProcess Node { get; private set; } = null!;

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        var environment = new Dictionary<string, string> { ["MAX_VALUE_BYTES"] = MaxValueBytes.ToString(CultureInfo.InvariantCulture) };

        // Bounded inside: the publish by 5 minutes per app, readiness by 60 s, after which the node is killed.
        Node = await NodeProcess.StartReadyAsync("http-node", LoopbackAddresses.Next(), environment);
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (Node is not null)
        {
            await Node.DisposeAsync();
        }
    }
}
