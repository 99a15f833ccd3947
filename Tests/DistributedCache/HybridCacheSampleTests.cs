using System.Net;
using OrleansCache.Tests.Infrastructure;
using OrleansCache.Tests.Processes;

namespace OrleansCache.Tests.DistributedCache;

/// <summary>
/// The README's sample app (<c>Samples/HybridCacheSample</c>), published and run as two processes against one node,
/// seen as its users see it: over HTTP.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class HybridCacheSampleTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("CACHE_NODE")]
    [InlineData("CACHE_REDIS")]
    public async Task WeatherEndpoint_RunsTheFactoryOnce_ForRequestsToTwoInstancesOfTheApp(string connectedBy)
    {
        await using var node = await NodeProcess.StartReadyAsync("0", LoopbackAddresses.Next());

        // Through the Orleans client (AddOrleansCache), or through Microsoft's Redis cache to the node's RESP port.
        var environment = new Dictionary<string, string> { [connectedBy] = connectedBy == "CACHE_NODE" ? node.Ip : node.RespEndpoint };
        await using var first = await SampleAppProcess.StartReadyAsync(LoopbackAddresses.Next(), environment, Timeout);
        await using var second = await SampleAppProcess.StartReadyAsync(LoopbackAddresses.Next(), environment, Timeout);

        string computed = await first.Http.GetStringAsync("/weather/Lisbon").WaitAsync(Timeout);
        string fromThisProcess = await first.Http.GetStringAsync("/weather/Lisbon").WaitAsync(Timeout);

        // HybridCache answers first and writes the cluster just after; the other instance is asked once it has.
        await Poll.UntilAsync(
            async () =>
            {
                using var stored = await node.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/cache/weather:Lisbon"));
                return stored.StatusCode == HttpStatusCode.OK;
            },
            Timeout,
            "the forecast to be stored in the cluster under the key the app gave HybridCache");
        string fromTheCluster = await second.Http.GetStringAsync("/weather/Lisbon").WaitAsync(Timeout);

        // What the README shows.
        Assert.Equal("""{"city":"Lisbon","temperatureC":20,"summary":"Warm"}""", computed);
        Assert.Equal(computed, fromThisProcess);
        Assert.Equal(computed, fromTheCluster);
        Assert.Equal(1, await first.GetFactoryCallsAsync().WaitAsync(Timeout));
        Assert.Equal(0, await second.GetFactoryCallsAsync().WaitAsync(Timeout));

        // The facade's counter, over the Orleans client only (Microsoft's Redis cache registers no CacheClient).
        using var firstVisit = await first.Http.PostAsync("/visits", null).WaitAsync(Timeout);
        using var secondVisit = await second.Http.PostAsync("/visits", null).WaitAsync(Timeout);
        if (connectedBy == "CACHE_NODE")
        {
            Assert.Equal("""{"visits":1}""", await firstVisit.Content.ReadAsStringAsync());
            Assert.Equal("""{"visits":2}""", await secondVisit.Content.ReadAsStringAsync());
        }
        else
        {
            Assert.Equal(HttpStatusCode.NotFound, firstVisit.StatusCode);
        }
    }
}
