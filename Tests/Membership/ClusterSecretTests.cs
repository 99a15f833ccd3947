using System.Net;
using System.Net.Http.Headers;
using OrleansCache.Membership;
using OrleansCache.Tests.Infrastructure;

namespace OrleansCache.Tests.Membership;

/// <summary>
/// <c>CLUSTER_SECRET</c> and the bounds on membership messages, with the gossip layer of each node
/// serving its routes on a real HTTP server on its own loopback address, and messages sent as an
/// attacker who can reach a node's HTTP port would send them.
/// </summary>
[Collection(Processes.ProcessCollection.Name)]
public sealed class ClusterSecretTests : IAsyncLifetime
{
    private const string Secret = "the-cluster-secret-shared-by-all";
    private const string OtherSecret = "a-different-secret-of-any-length";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly List<GossipTestNode> _nodes = [];
    private readonly string _clusterId = $"secret-{Guid.NewGuid():N}";
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task NodesSharingTheSecret_FormOneCluster()
    {
        var ips = LoopbackAddresses.NextBlock(3);
        await StartAsync("0", ips[0], null, Secret);
        await StartAsync("1", ips[1], ips[0], Secret);
        await StartAsync("2", ips[2], ips[1], Secret);

        await Poll.UntilAsync(
            () => Task.FromResult(_nodes[0].Following is { } claim && _nodes.All(n => n.Following == claim && n.Membership.Directory.Alive().Count == 3)),
            Deadline,
            () => "one cluster of three: " + string.Join("; ", _nodes.Select(n => $"{n.NodeId} follows {n.Following?.ToString() ?? "nothing"}")));
    }

    [Theory]
    [InlineData(OtherSecret, Secret, "CLUSTER_SECRET")]
    [InlineData(null, Secret, "CLUSTER_SECRET")]
    [InlineData(Secret, null, "CLUSTER_SECRET")]
    public async Task ANodeWithoutTheClustersSecret_NeverJoins_AndIsToldWhy(string? newcomerSecret, string? clusterSecret, string reason)
    {
        var ips = LoopbackAddresses.NextBlock(3);
        var host = await StartAsync("0", ips[0], null, clusterSecret);
        await StartAsync("1", ips[1], ips[0], clusterSecret);
        await host.Membership.WaitUntilJoinedAsync(CancellationToken.None).WaitAsync(Deadline);

        var newcomer = await StartAsync("2", ips[2], ips[0], newcomerSecret);
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => newcomer.Membership.WaitUntilJoinedAsync(CancellationToken.None).WaitAsync(Deadline));

        Assert.Contains(reason, refused.Message, StringComparison.Ordinal);
        if (clusterSecret is not null)
        {
            // A cluster with a secret never even lists the newcomer; an open one hears anyone (it is open),
            // but the newcomer, holding a secret, refuses to join it.
            Assert.All(_nodes.Take(2), node => Assert.DoesNotContain(node.Membership.Directory.All(), n => n.NodeId == "2"));
        }
    }

    [Fact]
    public async Task TableCalls_WithoutTheSecret_AreRefused_AndChangeNothing()
    {
        var ips = LoopbackAddresses.NextBlock(2);
        var host = await StartAsync("0", ips[0], null, Secret);
        var member = await StartAsync("1", ips[1], ips[0], Secret);
        await member.Membership.WaitUntilJoinedAsync(CancellationToken.None).WaitAsync(Deadline);
        await host.JoinAsSiloAsync().WaitAsync(Deadline);
        await member.JoinAsSiloAsync().WaitAsync(Deadline);

        var deleteAll = new TableRequest(TableOperation.DeleteAll, null, null, null, null, default) { Claim = host.Following };
        using var unsigned = await PostAsync(host, MembershipRoutes.Table, deleteAll, proof: null);
        using var forged = await PostAsync(host, MembershipRoutes.Table, deleteAll, Sign(OtherSecret, host, MembershipRoutes.Table, deleteAll));

        Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
        Assert.Contains("CLUSTER_SECRET", await unsigned.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        var rows = await new GossipMembershipTable(member.Membership).ReadAll().WaitAsync(Deadline);
        Assert.Equal(2, rows.Members.Count);
    }

    [Fact]
    public async Task ASignedMessage_IsAcceptedOnce_AndRefusedWhenReplayed()
    {
        var host = await StartAsync("0", LoopbackAddresses.Next(), null, Secret);
        await host.Membership.WaitUntilJoinedAsync(CancellationToken.None).WaitAsync(Deadline);
        var readAll = new TableRequest(TableOperation.ReadAll, null, null, null, null, default) { Claim = host.Following };
        var proof = Sign(Secret, host, MembershipRoutes.Table, readAll);

        using var first = await PostAsync(host, MembershipRoutes.Table, readAll, proof);
        using var replayed = await PostAsync(host, MembershipRoutes.Table, readAll, proof);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, replayed.StatusCode);
        Assert.Contains("replay", await replayed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADigest_SpeakingForAnotherAddress_OrClaimingAnEndlessTerm_IsRefused()
    {
        // No secret: the open, loopback-only default. Claims are bounded all the same.
        var host = await StartAsync("0", LoopbackAddresses.Next(), null, clusterSecret: null);
        await host.Membership.WaitUntilJoinedAsync(CancellationToken.None).WaitAsync(Deadline);

        // This test calls from 127.0.0.1.
        var elsewhere = Digest(new NodeHeartbeat("x", "10.1.2.3", 1, 1));
        var endless = Digest(new NodeHeartbeat("y", "127.0.0.1", 1, 1) { Following = host.Following! with { Term = long.MaxValue } });
        using var misplaced = await PostAsync(host, MembershipRoutes.Gossip, elsewhere, proof: null);
        using var greedy = await PostAsync(host, MembershipRoutes.Gossip, endless, proof: null);

        Assert.Equal(HttpStatusCode.BadRequest, misplaced.StatusCode);
        Assert.Contains("called from 127.0.0.1", await misplaced.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, greedy.StatusCode);
        Assert.Contains("term", await greedy.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(host.Membership.Directory.All(), n => n.NodeId is "x" or "y");
        Assert.Equal("0", host.Following!.NodeId);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _http.Dispose();
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
    }

    private GossipDigest Digest(NodeHeartbeat from) => new(_clusterId, 1024, from, [], 0);

    private async Task<GossipTestNode> StartAsync(string id, string ip, string? linkedIp, string? clusterSecret)
    {
        var node = await GossipTestNode.StartAsync(id, ip, linkedIp, _clusterId, clusterSecret: clusterSecret);
        _nodes.Add(node);
        return node;
    }

    private static RequestProof Sign<T>(string secret, GossipTestNode node, string route, T message) =>
        new MembershipAuthentication(secret, TimeProvider.System).SignRequest(route, "attacker", node.Serializer.SerializeToArray(message))!;

    private async Task<HttpResponseMessage> PostAsync<T>(GossipTestNode node, string route, T message, RequestProof? proof)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://{node.Ip}:8080{MembershipRoutes.Path(route)}")
        {
            Content = new ByteArrayContent(node.Serializer.SerializeToArray(message)),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(GossipTransport.ContentType);
        proof?.WriteTo(request.Headers);

        return await _http.SendAsync(request).WaitAsync(Deadline);
    }
}
