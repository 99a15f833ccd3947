using OrleansCache.Silo.Security;

namespace OrleansCache.Silo.Hosting;

/// <summary>Keeps the grains' internal methods to the cluster's silos.</summary>
public static class SiloOnlyHostingExtensions
{
    /// <summary>
    /// With <paramref name="clusterSecret"/> set, refuses calls to <see cref="Grains.Interfaces.SiloOnlyAttribute"/>
    /// methods that do not come from a silo holding it (see <see cref="SiloOnlyCallFilter"/>). Without it,
    /// nothing is added: such a node is on loopback, or <c>INSECURE</c> on purpose, and its grain calls pay
    /// for no filter.
    /// </summary>
    public static ISiloBuilder AddSiloOnlyCalls(this ISiloBuilder silo, string? clusterSecret)
    {
        if (clusterSecret is null)
        {
            return silo;
        }

        silo.Services.AddSingleton(sp => new SiloCallProof(clusterSecret, TimeProvider.System));
        silo.Services.AddSingleton<SiloOnlyCallFilter>();
        silo.Services.AddSingleton<IIncomingGrainCallFilter>(sp => sp.GetRequiredService<SiloOnlyCallFilter>());
        silo.Services.AddSingleton<IOutgoingGrainCallFilter>(sp => sp.GetRequiredService<SiloOnlyCallFilter>());
        return silo;
    }
}
