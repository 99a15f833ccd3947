using Microsoft.Extensions.Options;

namespace OrleansCache.Grains.Routing;

/// <summary>
/// Where a key is routed: builds the <see cref="BucketMap"/> for the silos that are active right now,
/// and maps node names back to silo addresses. One per silo, shared by the placement director and
/// the grains.
/// </summary>
public sealed class BucketMapProvider(IClusterMembershipService membership, IOptions<CacheOptions> options)
{
    private readonly CacheOptions _options = options.Value;
    private volatile CachedMap? _cached;

    /// <summary>The map over every silo the local membership view sees as active.</summary>
    public BucketMap Current => GetMap(ActiveSilos(membership.CurrentSnapshot, candidates: null));

    /// <summary>The current membership snapshot.</summary>
    public ClusterMembershipSnapshot Snapshot => membership.CurrentSnapshot;

    /// <summary>Returns the map over the active silos among <paramref name="candidates"/>, with each
    /// node name's address.</summary>
    public (BucketMap Map, IReadOnlyDictionary<string, SiloAddress> Addresses) GetMap(IReadOnlyCollection<SiloAddress> candidates)
    {
        var addresses = ActiveSilos(membership.CurrentSnapshot, candidates);
        return (GetMap(addresses), addresses);
    }

    private BucketMap GetMap(Dictionary<string, SiloAddress> silos)
    {
        // Membership changes rarely and activations are many: keep the last map while its node set holds.
        var cached = _cached;
        if (cached is not null && cached.Nodes.SetEquals(silos.Keys))
        {
            return cached.Map;
        }

        var map = BucketMap.Build(silos.Keys, _options.Buckets, _options.ReplicationFactor);
        _cached = new CachedMap(new HashSet<string>(silos.Keys, StringComparer.Ordinal), map);
        return map;
    }

    private static Dictionary<string, SiloAddress> ActiveSilos(ClusterMembershipSnapshot snapshot, IReadOnlyCollection<SiloAddress>? candidates)
    {
        var silos = new Dictionary<string, SiloAddress>(StringComparer.Ordinal);
        foreach (var member in snapshot.Members.Values)
        {
            if (member.Status != SiloStatus.Active || (candidates is not null && !candidates.Contains(member.SiloAddress)))
            {
                continue;
            }

            // Two live silos claiming one name: keep the newer; the membership layer refuses such joins.
            if (!silos.TryGetValue(member.Name, out var existing) || existing.Generation < member.SiloAddress.Generation)
            {
                silos[member.Name] = member.SiloAddress;
            }
        }

        return silos;
    }

    private sealed record CachedMap(HashSet<string> Nodes, BucketMap Map);
}
