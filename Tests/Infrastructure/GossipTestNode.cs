using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Serialization;
using OrleansCache.Membership;
using OrleansCache.Silo.Apis;

namespace OrleansCache.Tests.Infrastructure;

/// <summary>
/// The embedded gossip membership of one node without a silo: a real HTTP server on its own loopback
/// address serving the node-to-node routes, as a cache node does. Disposing stops it.
/// </summary>
public sealed class GossipTestNode : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GossipTestNode(string nodeId, string ip, WebApplication app)
    {
        NodeId = nodeId;
        Ip = ip;
        _app = app;
        Membership = app.Services.GetRequiredService<GossipMembership>();
    }

    /// <summary>The node's <c>NODE_ID</c>.</summary>
    public string NodeId { get; }

    /// <summary>The node's address.</summary>
    public string Ip { get; }

    /// <summary>The node's membership.</summary>
    public GossipMembership Membership { get; }

    /// <summary>The serializer of the node's membership messages, for tests that send their own.</summary>
    public Serializer Serializer => _app.Services.GetRequiredService<Serializer>();

    /// <summary>The silo address this node pretends to have (see <see cref="JoinAsSiloAsync"/>).</summary>
    public SiloAddress Silo => SiloAddress.New(new IPEndPoint(IPAddress.Parse(Ip), 11111), 1);

    /// <summary>The cluster (table host claim) the node follows now.</summary>
    public LeaderClaim? Following => Membership.Directory.Following;

    /// <summary>Starts a node at <paramref name="ip"/>, linked to <paramref name="linkedIp"/> if given.</summary>
    public static async Task<GossipTestNode> StartAsync(
        string nodeId,
        string ip,
        string? linkedIp,
        string clusterId,
        IClusterYieldHandler? yieldHandler = null,
        Action<GossipOptions>? configure = null,
        string? clusterSecret = null)
    {
        var settings = new GossipMembershipSettings(nodeId, ip, linkedIp, 8080, clusterId, 1024) { ClusterSecret = clusterSecret };
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Parse(ip), 8080));
        builder.Services.AddSerializer(serializer => serializer
            .AddAssembly(typeof(GossipDigest).Assembly)
            .AddAssembly(typeof(MembershipEntry).Assembly));
        if (yieldHandler is not null)
        {
            builder.Services.AddSingleton(yieldHandler);
        }

        // A silo of its own in name only: what a node's membership reads to tell whether it has joined a table.
        var silo = SiloAddress.New(new IPEndPoint(IPAddress.Parse(ip), 11111), 1);
        builder.Services.AddSingleton<ILocalSiloDetails>(new FakeSilo(nodeId, clusterId, silo));

        builder.Services.AddGossipMembership(settings, options =>
        {
            options.Settle = TimeSpan.FromMilliseconds(500);
            configure?.Invoke(options);
        });
        var app = builder.Build();
        app.MapGossipMembership();
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return new GossipTestNode(nodeId, ip, app);
    }

    /// <summary>
    /// Inserts this node's silo into the table of the cluster it follows as Active, as a silo that joined
    /// does: from then on the node cannot move to another cluster quietly.
    /// </summary>
    public async Task JoinAsSiloAsync()
    {
        var table = new GossipMembershipTable(Membership);
        var version = (await table.ReadAll()).Version;
        var entry = new MembershipEntry
        {
            SiloAddress = Silo,
            Status = SiloStatus.Active,
            SiloName = NodeId,
            HostName = Ip,
            StartTime = DateTime.UtcNow,
            IAmAliveTime = DateTime.UtcNow,
        };
        if (!await table.InsertRow(entry, version.Next()))
        {
            throw new InvalidOperationException($"Node {NodeId} could not insert its silo's row.");
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await _app.DisposeAsync();
    }

    private sealed class FakeSilo(string name, string clusterId, SiloAddress address) : ILocalSiloDetails
    {
        public string Name => name;

        public string ClusterId => clusterId;

        public string DnsHostName => name;

        public SiloAddress SiloAddress => address;

        public SiloAddress GatewayAddress => address;
    }
}
