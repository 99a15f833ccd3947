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
    /// <exception cref="ArgumentException"><paramref name="node"/> has no <see cref="NodeOptions.AdoNetConnectionString"/>.</exception>
    public static ISiloBuilder UseAdoNetMembership(this ISiloBuilder silo, NodeOptions node)
    {
        string connectionString = node.AdoNetConnectionString is { Length: > 0 } given
            ? given
            : throw new ArgumentException("ADONET_CONNECTION_STRING is required for adonet clustering.", nameof(node));

        silo.Services.AddHostedService(services =>
            new PostgresSchemaInstaller(connectionString, services.GetRequiredService<ILogger<PostgresSchemaInstaller>>()));
        return silo.UseAdoNetClustering(options =>
        {
            options.Invariant = node.AdoNetInvariant;
            options.ConnectionString = connectionString;
        });
    }
}
