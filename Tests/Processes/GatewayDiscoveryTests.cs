using System.Text;
using OrleansCache.Tests.Infrastructure;

namespace OrleansCache.Tests.Processes;

[Collection(ProcessCollection.Name)]
public sealed class GatewayDiscoveryTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AClientGivenOneNode_FindsEveryGateway_AndKeepsWorkingWhenThatNodeDies()
    {
        await using var cluster = new LocalCluster();
        var seed = await cluster.StartAsync("0");
        await seed.WaitUntilReadyAsync(Timeout);
        await cluster.StartAsync("1", linked: seed);
        await cluster.StartAsync("2", linked: seed);
        await cluster.WaitForMembersAsync(["0", "1", "2"], Timeout);

        using var client = await ClusterClientHost.StartAsync(seed.Ip, Timeout);
        var cache = client.Cache;
        await cache.SetAsync("discovery", "before"u8.ToArray()).WaitAsync(Timeout);

        seed.Kill();
        await cluster.WaitForMembersAsync(["1", "2"], Timeout, dead: ["0"]);

        // The client reconnects through the gateways it learned; it was never told their addresses.
        await Poll.UntilAsync(
            async () =>
            {
                await cache.SetAsync("discovery", "after"u8.ToArray());
                var entry = await cache.GetAsync("discovery");
                return entry is not null && Encoding.UTF8.GetString(entry.Value) == "after";
            },
            Timeout,
            "the client to set and get through a surviving gateway");
    }
}
