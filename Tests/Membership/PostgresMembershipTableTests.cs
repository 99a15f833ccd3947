using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Messaging;
using Orleans.Runtime.MembershipService;
using OrleansCache.Silo.Configuration;
using OrleansCache.Silo.Hosting;
using OrleansCache.Tests.Infrastructure;

namespace OrleansCache.Tests.Membership;

/// <summary>
/// The membership contract for <c>CLUSTERING=adonet</c>: Orleans' ADO.NET provider on PostgreSQL with our
/// schema, each table taken from a silo host configured exactly as a node configures itself.
/// </summary>
[Needs(Prerequisite.Postgres)]
public sealed class PostgresMembershipTableTests(PostgresDatabase database)
    : MembershipTableContractTests, IClassFixture<PostgresDatabase>
{
    private readonly List<IHost> _hosts = [];

    [CheckedFact]
    public async Task Clients_GetTheGatewaysOfActiveSilos_FromTheSameTables()
    {
        var table = await NewClusterAsync();
        var active = NewEntry(SiloStatus.Active);
        var noGateway = NewEntry(SiloStatus.Active);
        noGateway.ProxyPort = 0;
        foreach (var entry in new[] { active, noGateway, NewEntry(SiloStatus.Joining), NewEntry(SiloStatus.Dead) })
        {
            Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync()).Version.Next()));
        }

        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.UseOrleansClient(client => client
            .Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (table.ClusterId, table.ClusterId))
            .UseAdoNetClustering(o => (o.Invariant, o.ConnectionString) = (NodeOptions.NpgsqlInvariant, database.ConnectionString)));
        using var host = builder.Build();
        var gateways = host.Services.GetRequiredService<IGatewayListProvider>();
        await gateways.InitializeGatewayListProvider().WaitAsync(BoundedMembershipTable.CallTimeout);

        var found = await gateways.GetGateways().WaitAsync(BoundedMembershipTable.CallTimeout);

        var expected = SiloAddress.New(active.SiloAddress.Endpoint.Address, active.ProxyPort, active.SiloAddress.Generation);
        Assert.Equal(expected.ToGatewayUri(), Assert.Single(found));
    }

    protected override Task<IMembershipTable> CreateTableAsync(string clusterId)
    {
        var node = new NodeOptions
        {
            Clustering = ClusteringModes.AdoNet,
            AdoNetConnectionString = database.ConnectionString,
            ClusterId = clusterId,
        };
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.UseOrleans(silo => silo.UseCacheNode(node, buckets: 1024));
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
