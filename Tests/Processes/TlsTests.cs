using System.Text;
using System.Text.Json;
using OrleansCache.ClientLibrary.Discovery;
using OrleansCache.Tests.Infrastructure;

namespace OrleansCache.Tests.Processes;

/// <summary>
/// Nodes started with <c>TLS_CERTIFICATE</c>, as an operator would: every door speaks TLS only, on its usual
/// port, and neither a node nor an Orleans client without a certificate the cluster trusts gets in.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class TlsTests
{
    private static readonly TimeSpan Formation = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Nodes_ServeHttpsRedisAndOrleansOverTls_AndRefusePlainConnectionsAndUntrustedClients()
    {
        string pfx = TestCertificates.CreatePfx("cluster");
        await using var cluster = new LocalCluster(Tls(pfx));
        var first = await cluster.StartAsync("a");
        await first.WaitUntilReadyAsync(Formation);
        var second = await cluster.StartAsync("b", linked: first);
        await cluster.WaitForMembersAsync(["a", "b"], Formation);

        // HTTPS, and keys written through one node read through the other: the silos talk over TLS.
        var keys = Enumerable.Range(0, 40).Select(i => $"tls-{i}").ToList();
        foreach (var key in keys)
        {
            await first.SetAsync(key, $"value of {key}");
        }

        foreach (var key in keys)
        {
            Assert.Equal($"value of {key}", await second.GetAsync(key));
        }

        using (var view = JsonDocument.Parse(await first.Http.GetStringAsync("/cluster")))
        {
            Assert.All(view.RootElement.GetProperty("members").EnumerateArray(), member =>
                Assert.StartsWith("https://", member.GetProperty("endpoints").GetProperty("http").GetString()));
        }

        // Plain HTTP on the same port gets no answer at all.
        using (var plain = new HttpClient { BaseAddress = new Uri($"http://{first.Ip}:8080"), Timeout = TimeSpan.FromSeconds(15) })
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => plain.GetAsync($"/get/{keys[0]}"));
        }

        // The Redis protocol over TLS on its port; plain RESP is closed without a reply.
        await using (var resp = await RespSocket.ConnectAsync(second))
        {
            await resp.SendAsync(RespSocket.Command("GET", keys[1]));
            Assert.Equal($"value of {keys[1]}", await resp.ReadReplyAsync());
            await resp.SendAsync(RespSocket.Command("SET", "tls-resp", "over tls"));
            Assert.Equal("+OK", await resp.ReadReplyAsync());
        }

        await using (var plainResp = await RespSocket.ConnectAsync(first, plain: true))
        {
            await plainResp.SendAsync(RespSocket.Command("GET", keys[1]));
            await plainResp.AssertClosedByNodeAsync();
        }

        // An Orleans client with the cluster's certificate connects; one without, or with another, cannot.
        using (var trusted = await ClusterClientHost.StartAsync(first.Ip, Formation, ClusterCertificate.Load(pfx, TestCertificates.Password)))
        {
            Assert.Equal("over tls", Encoding.UTF8.GetString((await trusted.Cache.GetAsync("tls-resp"))!.Value));
        }

        await AssertClientRefusedAsync(first, certificate: null);
        string stranger = TestCertificates.CreatePfx("stranger");
        await AssertClientRefusedAsync(first, ClusterCertificate.Load(stranger, TestCertificates.Password));
        Assert.Equal("over tls", await first.GetAsync("tls-resp"));
    }

    [Fact]
    public async Task ANodeWithACertificateTheClusterDoesNotTrust_IsKeptOut_WithAnErrorNamingTlsCertificate()
    {
        await using var cluster = new LocalCluster();
        var first = await cluster.StartAsync("a", extra: Tls(TestCertificates.CreatePfx("cluster")));
        await first.WaitUntilReadyAsync(Formation);

        var stranger = await cluster.StartAsync("s", linked: first, extra: Tls(TestCertificates.CreatePfx("stranger")));
        int exitCode = await stranger.WaitForExitAsync(Formation);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("TLS_CERTIFICATE", stranger.Output);
        Assert.Equal(["a"], (await LocalCluster.ReadMembersAsync(first)).Keys);
    }

    private static Dictionary<string, string> Tls(string pfx) => new()
    {
        ["TLS_CERTIFICATE"] = pfx,
        ["TLS_CERTIFICATE_PASSWORD"] = TestCertificates.Password,
    };

    // A client the nodes do not trust reads nothing: Orleans' client keeps trying to connect (without a retry
    // filter it waits rather than fails), so "nothing within 10 s", where a trusted client took about one.
    private static async Task AssertClientRefusedAsync(NodeProcess node, ClusterCertificate? certificate)
    {
        var refused = await Record.ExceptionAsync(async () =>
        {
            using var client = await ClusterClientHost.StartAsync(node.Ip, TimeSpan.FromSeconds(10), certificate);
            await client.Cache.GetAsync("tls-resp").WaitAsync(TimeSpan.FromSeconds(10));
        });

        Assert.NotNull(refused);
        Assert.IsNotType<Xunit.Sdk.XunitException>(refused);
    }
}
