using OrleansCache.Silo.Clustering.AdoNet;
using OrleansCache.Silo.Configuration;

namespace OrleansCache.Silo.Hosting;

/// <summary>
/// <c>CLUSTERING=adonet</c>: membership in PostgreSQL through Orleans' ADO.NET clustering provider.
/// </summary>
public static class AdoNetMembershipHostingExtensions
{
    /// <summary>
    /// Keeps membership in the PostgreSQL database of <c>ADONET_CONNECTION_STRING</c>, and creates or upgrades
    /// its schema before the silo starts. A database that cannot be reached stops the node at start.
    /// </summary>
    /// <remarks>Both are used only once the host starts, after <see cref="NodeOptionsValidator"/> has required
    /// <see cref="NodeOptions.AdoNetConnectionString"/>.</remarks>
    public static ISiloBuilder UseAdoNetMembership(this ISiloBuilder silo, NodeOptions node)
    {
        silo.Services.AddHostedService(services =>
            new PostgresSchemaInstaller(ConnectionString(node), services.GetRequiredService<ILogger<PostgresSchemaInstaller>>()));
        return silo.UseAdoNetClustering(options =>
        {
            options.Invariant = node.AdoNetInvariant;
            options.ConnectionString = ConnectionString(node);
        });
    }

    private static string ConnectionString(NodeOptions node) =>
        node.AdoNetConnectionString is { Length: > 0 } given
            ? given
            : throw new InvalidOperationException("ADONET_CONNECTION_STRING is required for adonet clustering.");
}
