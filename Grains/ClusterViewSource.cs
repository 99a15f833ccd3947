using Microsoft.Extensions.Options;
using Orleans.Configuration;
using OrleansCache.Grains.Interfaces;
using OrleansCache.Grains.Routing;

namespace OrleansCache.Grains;

/// <summary>
/// The cluster as this silo's own membership view shows it. One per silo: read directly by code hosted
/// with the silo (the HTTP API), and through <see cref="ClusterGrain"/> by clients.
/// </summary>
public sealed class ClusterViewSource(
    BucketMapProvider maps,
    IOptions<CacheOptions> options,
    IOptions<EndpointOptions> endpoints,
    ILocalSiloDetails silo,
    IClusterSplitWatch? split = null)
{
    /// <summary>Returns the members this silo knows of, with their status and bucket counts.</summary>
    public ClusterView GetView()
    {
        var map = maps.Current;
        int gatewayPort = endpoints.Value.GatewayPort;
        int httpPort = options.Value.HttpPort;
        string scheme = options.Value.HttpsOnly ? "https" : "http";
        var members = new List<ClusterMemberView>();
        foreach (var member in maps.Snapshot.Members.Values)
        {
            var address = member.SiloAddress.Endpoint.Address.ToString();
            bool active = member.Status == SiloStatus.Active;
            members.Add(new ClusterMemberView(
                member.Name,
                address,
                member.Status.ToString(),
                new MemberEndpoints($"{address}:{member.SiloAddress.Endpoint.Port}", $"{address}:{gatewayPort}", $"{scheme}://{address}:{httpPort}"),
                active ? map.Count(member.Name, rank: 0) : 0,
                active ? ReplicaCount(map, member.Name) : 0));
        }

        // Dead entries of a restarted node share its name; show the live one first.
        members.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id) is var byId && byId != 0
            ? byId
            : (a.Status == "Active" ? 0 : 1).CompareTo(b.Status == "Active" ? 0 : 1));
        var outside = split?.NodesOutside();
        return new ClusterView(silo.Name, members, outside is { Count: > 0 } ? outside : null);
    }

    private static int ReplicaCount(BucketMap map, string node)
    {
        int count = 0;
        for (int rank = 1; rank < map.Copies; rank++)
        {
            count += map.Count(node, rank);
        }

        return count;
    }
}
