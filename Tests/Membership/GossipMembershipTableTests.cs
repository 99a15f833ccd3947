using OrleansCache.Membership;
using OrleansCache.Tests.Infrastructure;

namespace OrleansCache.Tests.Membership;

/// <summary>
/// The membership table contract against the embedded gossip provider: every table is a node of its
/// own (a real HTTP server on a loopback address), the first one of a cluster hosts the table, and the
/// later ones link to it and forward their calls over HTTP, as silos do.
/// </summary>
[Collection(Processes.ProcessCollection.Name)]
public sealed class GossipMembershipTableTests : MembershipTableContractTests
{
    private readonly Dictionary<string, List<GossipTestNode>> _clusters = [];

    /// <inheritdoc />
    protected override async Task<IMembershipTable> CreateTableAsync(string clusterId)
    {
        if (!_clusters.TryGetValue(clusterId, out var nodes))
        {
            _clusters[clusterId] = nodes = [];
        }

        var node = await GossipTestNode.StartAsync($"node-{nodes.Count}", LoopbackAddresses.Next(), nodes.Count > 0 ? nodes[0].Ip : null, clusterId);
        nodes.Add(node);
        return new GossipMembershipTable(node.Membership);
    }

    /// <inheritdoc />
    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var node in _clusters.Values.SelectMany(n => n))
        {
            await node.DisposeAsync();
        }
    }
}
