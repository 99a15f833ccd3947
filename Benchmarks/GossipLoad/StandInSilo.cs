namespace OrleansCache.Benchmarks.GossipLoad;

/// <summary>
/// The silo a gossip-only node says it has: the gossip layer reads the local silo's address to tell whether
/// this node's silo has a row in the table (a node in a cluster must not move to another quietly).
/// </summary>
internal sealed class StandInSilo(string nodeId, string clusterId, SiloAddress address) : ILocalSiloDetails
{
    /// <inheritdoc />
    public SiloAddress SiloAddress => address;

    /// <inheritdoc />
    public SiloAddress GatewayAddress => SiloAddress;

    /// <inheritdoc />
    public string Name => nodeId;

    /// <inheritdoc />
    public string DnsHostName => Name;

    /// <inheritdoc />
    public string ClusterId => clusterId;
}
