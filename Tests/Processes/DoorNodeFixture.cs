using System.Globalization;
using OrleansCache.ClientLibrary;
using OrleansCache.Tests.Infrastructure;

namespace OrleansCache.Tests.Processes;

/// <summary>
/// One published node, with a <c>MAX_VALUE_BYTES</c> small enough that an oversized value fits on a console
/// client's command line (Linux caps one argument at 128 KiB), and an Orleans client in the test process
/// connected to it: the four doors of <see cref="DoorFailureTests"/> all lead into this one node.
/// </summary>
public sealed class DoorNodeFixture : IAsyncLifetime
{
    /// <summary>The node's <c>MAX_VALUE_BYTES</c>.</summary>
    public const int MaxValueBytes = 4096;

    private ClusterClientHost? _client;

    /// <summary>The running node.</summary>
    public NodeProcess Node { get; private set; } = null!;

    /// <summary>The facade over an Orleans client connected to <see cref="Node"/>.</summary>
    public CacheClient Cache => _client!.Cache;

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        var environment = new Dictionary<string, string> { ["MAX_VALUE_BYTES"] = MaxValueBytes.ToString(CultureInfo.InvariantCulture) };

        // Bounded inside: the publish by 5 minutes per app, readiness by 60 s, after which the node is killed.
        Node = await NodeProcess.StartReadyAsync("door-node", LoopbackAddresses.Next(), environment);
        try
        {
            _client = await ClusterClientHost.StartAsync(Node.Ip, TimeSpan.FromSeconds(60));
        }
        catch
        {
            await Node.DisposeAsync();
            Node = null!;
            throw;
        }
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (Node is not null)
        {
            await Node.DisposeAsync();
        }
    }
}
