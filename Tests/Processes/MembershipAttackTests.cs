using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using OrleansCache.Membership;
using OrleansCache.Tests.Infrastructure;

namespace OrleansCache.Tests.Processes;

/// <summary>
/// Membership messages as an attacker who reaches a node's HTTP port sends them, to real nodes: forged
/// gossip, table and copy messages with their fields abused, and mutated bytes of valid messages (the
/// Orleans deserializer's input). Each is refused without a 5xx, and the node's cluster is as it was.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class MembershipAttackTests
{
    private static readonly TimeSpan Formation = TimeSpan.FromSeconds(90);
    private static readonly string[] Routes = [MembershipRoutes.Gossip, MembershipRoutes.Table, MembershipRoutes.Copy];

    private static readonly Serializer Serializer = new ServiceCollection()
        .AddSerializer(serializer => serializer.AddAssembly(typeof(GossipDigest).Assembly).AddAssembly(typeof(MembershipEntry).Assembly))
        .BuildServiceProvider()
        .GetRequiredService<Serializer>();

    [Fact]
    public async Task ForgedMessages_AreRefused_AndChangeNothing_WhenTheClusterHasASecret()
    {
        await using var cluster = new LocalCluster();
        var secret = new Dictionary<string, string> { ["CLUSTER_SECRET"] = "the-secret-this-attacker-lacks" };
        var first = await cluster.StartAsync("0", extra: secret);
        await first.WaitUntilReadyAsync(Formation);
        await cluster.StartAsync("1", linked: first, extra: secret);
        await cluster.WaitForMembersAsync(["0", "1"], Formation);
        await first.SetAsync("kept", "the value");

        var host = new LeaderClaim(1, "0", DateTime.UtcNow.Ticks, "0");
        object[] forged =
        [
            new TableRequest(TableOperation.DeleteAll, null, null, null, null, default) { Claim = host },
            new TableRequest(TableOperation.DeleteAll, null, null, null, null, default),
            Digest(new NodeHeartbeat("0", "127.0.0.1", long.MaxValue, long.MaxValue) { Following = host with { Term = long.MaxValue, NodeId = "attacker" } }),
            Digest(new NodeHeartbeat("1", "attacker.example", 1, 1)),
            new TableCopy(host with { Term = long.MaxValue }, new MembershipTableData(new TableVersion(int.MaxValue, "x"))),
        ];
        foreach (var node in new[] { first, cluster["1"] })
        {
            foreach (var message in forged)
            {
                using var reply = await PostAsync(node, RouteOf(message), Serializer.SerializeToArray(message));
                Assert.Equal(HttpStatusCode.Unauthorized, reply.StatusCode);
            }
        }

        await cluster.WaitForMembersAsync(["0", "1"], Formation);
        Assert.Equal("the value", await cluster["1"].GetAsync("kept"));
        Assert.Contains("Refused membership traffic from 127.0.0.1", first.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MutatedMessages_NeverGet5xx_AndLeaveTheClusterAsItWas_WhenTheClusterHasNoSecret()
    {
        // No secret: every message reaches the deserializer and the bounds, which is what this fuzzes.
        await using var cluster = new LocalCluster();
        var first = await cluster.StartAsync("0");
        await first.WaitUntilReadyAsync(Formation);
        await first.SetAsync("kept", "the value");

        // From an address no node has (the test calls from 127.0.0.1), so a digest that survives mutation
        // intact is still refused as speaking for another address, and one that claims 127.0.0.1 names no node.
        var claim = new LeaderClaim(2, "0", DateTime.UtcNow.Ticks, "0");
        byte[][] templates =
        [
            Serializer.SerializeToArray(Digest(new NodeHeartbeat("z", "10.9.9.9", 1, 1) { Following = claim }, new NodeHeartbeat("y", "10.9.9.8", 1, 1))),
            Serializer.SerializeToArray(new TableRequest(TableOperation.DeleteAll, null, null, null, null, default) { Claim = claim with { Founder = "nobody" } }),
            Serializer.SerializeToArray(new TableCopy(claim with { Founder = "nobody" }, new MembershipTableData(new TableVersion(7, "7")))),
        ];

        var random = new Random(20261202);
        var statuses = new SortedDictionary<int, int>();
        var failures = new List<string>();
        for (int i = 0; i < 300; i++)
        {
            var body = Mutate(random, templates[random.Next(templates.Length)]);
            string route = Routes[random.Next(Routes.Length)];
            try
            {
                using var reply = await PostAsync(first, route, body);
                statuses[(int)reply.StatusCode] = statuses.GetValueOrDefault((int)reply.StatusCode) + 1;
                if ((int)reply.StatusCode >= 500)
                {
                    failures.Add($"#{i} {route}: {(int)reply.StatusCode} {await reply.Content.ReadAsStringAsync()}");
                }
            }
            catch (Exception e) when (e is OperationCanceledException or HttpRequestException or TimeoutException)
            {
                failures.Add($"#{i} {route}: {e.GetType().Name} {e.Message}");
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures) + "\n" + first.LastLines(30));
        Assert.True(statuses.Keys.Any(s => s is >= 400 and < 500), $"nothing was refused: {string.Join(", ", statuses)}");
        var members = await LocalCluster.ReadMembersAsync(first);
        Assert.Equal(["0"], members.Keys);
        Assert.Equal("Active", members["0"]);
        Assert.Equal("the value", await first.GetAsync("kept"));
    }

    private static GossipDigest Digest(NodeHeartbeat from, params NodeHeartbeat[] members) => new("orleans-cache", 1024, from, members, 1);

    private static string RouteOf(object message) => message switch
    {
        TableRequest => MembershipRoutes.Table,
        TableCopy => MembershipRoutes.Copy,
        _ => MembershipRoutes.Gossip,
    };

    private static byte[] Mutate(Random random, byte[] template)
    {
        var body = new List<byte>(template);
        for (int i = random.Next(1, 5); i > 0 && body.Count > 0; i--)
        {
            int at = random.Next(body.Count);
            switch (random.Next(3))
            {
                case 0:
                    body[at] = (byte)random.Next(256);
                    break;
                case 1:
                    body.RemoveAt(at);
                    break;
                default:
                    body.Insert(at, (byte)random.Next(256));
                    break;
            }
        }

        return [.. body];
    }

    private static async Task<HttpResponseMessage> PostAsync(NodeProcess node, string route, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(GossipTransport.ContentType);
        return await node.Http.PostAsync(MembershipRoutes.Path(route), content).WaitAsync(TimeSpan.FromSeconds(10));
    }
}
