using System.Globalization;
using System.Net;

namespace OrleansCache.Benchmarks.GossipLoad;

/// <summary>
/// Who node <c>i</c> of a run is: <c>NODE_ID</c> <c>n000</c>, <c>n001</c>, … at consecutive loopback addresses
/// from the first. Zero-padded ids sort as numbers, so <c>n000</c>, the lowest <c>NODE_ID</c>, founds the
/// cluster and hosts its table, as node 0 does in scripts/scale-ten.sh.
/// </summary>
/// <param name="FirstIp">The address of <c>n000</c> (127.0.4.1 by default: other work uses 127.0.0.x).</param>
internal sealed record AddressPlan(string FirstIp)
{
    /// <summary>The default first address.</summary>
    public const string DefaultFirstIp = "127.0.4.1";

    /// <summary>The HTTP port every node serves gossip on, each at its own address.</summary>
    public const int HttpPort = 8080;

    /// <summary>How often one node in ten links to the next node instead of <c>n000</c>.</summary>
    private const int LateLinkEvery = 10;

    /// <summary>The <c>NODE_ID</c> of node <paramref name="index"/>.</summary>
    public static string Id(int index) => string.Create(CultureInfo.InvariantCulture, $"n{index:D3}");

    /// <summary>The id of the node that hosts the table.</summary>
    public static string HostId => Id(0);

    /// <summary>Whether the plan has room for <paramref name="nodes"/> addresses (the last octet ends at 254).</summary>
    public bool Fits(int nodes) =>
        IPAddress.TryParse(FirstIp, out var first) && first.GetAddressBytes() is [127, _, _, var last] && last >= 1 && last + nodes - 1 <= 254;

    /// <summary>The address of node <paramref name="index"/>.</summary>
    public string Ip(int index)
    {
        var bytes = IPAddress.Parse(FirstIp).GetAddressBytes();
        bytes[3] = (byte)(bytes[3] + index);
        return new IPAddress(bytes).ToString();
    }

    /// <summary>
    /// The <c>LINKED_NODE_IP</c> of node <paramref name="index"/>, which starts in a process that starts nodes up to
    /// <paramref name="processEnd"/> (exclusive), one after another: <c>n000</c>'s address, except that one node in
    /// ten links to the node its process starts next, as a user who lists nodes in order does; <c>n000</c> none.
    /// </summary>
    public string? LinkOf(int index, int processEnd) =>
        index == 0 ? null
        : index % LateLinkEvery == LateLinkEvery / 2 && index + 1 < processEnd ? Ip(index + 1)
        : Ip(0);
}
