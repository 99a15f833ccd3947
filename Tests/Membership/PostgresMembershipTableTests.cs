using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Runtime.MembershipService;
using OrleansCache.Silo.Configuration;
using OrleansCache.Silo.Hosting;
using OrleansCache.Tests.Infrastructure;

namespace OrleansCache.Tests.Membership;

/// <summary>
/// The membership contract for <c>CLUSTERING=adonet</c>: Orleans' ADO.NET provider on PostgreSQL with our
/// schema, each table taken from a silo host configured exactly as a node configures itself.
/// </summary>
public sealed class PostgresMembershipTableTests(PostgresDatabase database)
    : MembershipTableContractTests, IClassFixture<PostgresDatabase>
{
    private readonly List<IHost> _hosts = [];

    protected override Task<IMembershipTable> CreateTableAsync(string clusterId)
    {
        var node = new NodeOptions
        {
            Clustering = ClusteringModes.AdoNet,
            AdoNetConnectionString = database.ConnectionString,
            ClusterId = clusterId,
        };
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.UseOrleans(silo => silo.UseCacheNode(node));
        var host = builder.Build();
        _hosts.Add(host);
        var table = host.Services.GetRequiredService<IMembershipTable>();
        Assert.IsType<AdoNetClusteringTable>(table);
        return Task.FromResult(table);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var host in _hosts)
        {
            host.Dispose();
        }
    }
}
