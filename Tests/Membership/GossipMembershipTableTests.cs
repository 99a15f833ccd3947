using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Serialization;
using OrleansCache.Silo.Membership;
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
    private readonly Dictionary<string, List<(string Ip, WebApplication App)>> _clusters = [];

    /// <inheritdoc />
    protected override async Task<IMembershipTable> CreateTableAsync(string clusterId)
    {
        if (!_clusters.TryGetValue(clusterId, out var nodes))
        {
            _clusters[clusterId] = nodes = [];
        }

        var ip = LoopbackAddresses.Next();
        var settings = new GossipMembershipSettings($"node-{nodes.Count}", ip, nodes.Count > 0 ? nodes[0].Ip : null, 8080, clusterId, 1024);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Parse(ip), 8080));
        builder.Services.AddSerializer(serializer => serializer
            .AddAssembly(typeof(GossipDigest).Assembly)
            .AddAssembly(typeof(MembershipEntry).Assembly));
        builder.Services.AddGossipMembership(settings, options => options.Settle = TimeSpan.FromMilliseconds(500));
        var app = builder.Build();
        app.MapGossipMembership();
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        nodes.Add((ip, app));

        var table = new GossipMembershipTable(app.Services.GetRequiredService<GossipMembership>());
        return table;
    }

    /// <inheritdoc />
    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var (_, app) in _clusters.Values.SelectMany(n => n))
        {
            await app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
            await app.DisposeAsync();
        }
    }
}
