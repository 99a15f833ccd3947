using System.Net;
using System.Text;
using System.Text.Json;
using OrleansCache.Tests.Infrastructure;

namespace OrleansCache.Tests.Processes;

/// <summary>
/// What one client may cost a node, as a client meets the limits: <c>MAX_CLIENTS</c> on the Redis protocol,
/// the key and byte caps of <c>/mget</c> and <c>/mset</c>, and the rate of forced collections.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class RequestLimitTests(RequestLimitTests.LimitedNode fixture) : IClassFixture<RequestLimitTests.LimitedNode>
{
    private const int MaxClients = 2;
    private const int MaxBatchKeys = 10_000;
    private const int OneMiB = 1024 * 1024;

    private NodeProcess Node => fixture.Node;

    [Fact]
    public async Task Resp_RefusesOneClientMoreThanMaxClients_AsRedisDoes_AndTakesOneOnceAnotherLeaves()
    {
        var first = await RespSocket.ConnectAsync(Node);
        await using var second = await RespSocket.ConnectAsync(Node);
        Assert.Equal("+PONG", await PingAsync(first));
        Assert.Equal("+PONG", await PingAsync(second));

        await using (var third = await RespSocket.ConnectAsync(Node))
        {
            Assert.Equal("-ERR max number of clients reached", await third.ReadReplyAsync());
            await third.AssertClosedByNodeAsync();
        }

        Assert.Equal("+PONG", await PingAsync(second));
        await first.DisposeAsync();
        await Poll.UntilAsync(
            async () =>
            {
                await using var next = await RespSocket.ConnectAsync(Node);
                return await PingAsync(next) == "+PONG";
            },
            TimeSpan.FromSeconds(15),
            "a new client served once one of the two left");
    }

    [Fact]
    public async Task Mget_RefusesMoreKeysThanTheCap_With413()
    {
        var keys = Enumerable.Range(0, MaxBatchKeys + 1).Select(i => $"limit-many-{i}").ToArray();

        var (status, body) = await PostAsync("/mget", new { keys });

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains($"at most {MaxBatchKeys} keys", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mget_AnswersAKeyNamedManyTimesOnce()
    {
        await PutAsync("limit-repeated", Encoding.ASCII.GetBytes(new string('x', OneMiB)));
        var keys = Enumerable.Repeat("limit-repeated", 5_000).ToArray();

        var (status, body) = await PostAsync("/mget", new { keys });

        // Once: 5,000 copies of a 1 MiB value would be 5 GiB.
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(body.Length < 2 * OneMiB, $"The answer is {body.Length} characters long.");
        using var answer = JsonDocument.Parse(body);
        Assert.Single(answer.RootElement.GetProperty("values").EnumerateObject());
    }

    [Fact]
    public async Task Mget_RefusesValuesLargerThanTheResponseCap_With413_AndStillServes()
    {
        // 80 values of 1 MiB: more than the 64 MiB one /mget may answer with. Printable values, so that the
        // answer that is served is 10 MiB of JSON, not six times that of \u0000 escapes.
        var keys = Enumerable.Range(0, 80).Select(i => $"limit-large-{i}").ToArray();
        var value = Encoding.ASCII.GetBytes(new string('x', OneMiB));
        foreach (var key in keys)
        {
            await PutAsync(key, value);
        }

        var (status, body) = await PostAsync("/mget", new { keys });
        var (fewer, _) = await PostAsync("/mget", new { keys = keys[..10] });

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains("ask for fewer keys", body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, fewer);
    }

    [Fact]
    public async Task RespMget_RefusesValuesLargerThanTheByteCap_NamingOneLargeKeyManyTimes_AndStillServes()
    {
        // One 1 MiB value named 200 times: 200 MiB of answer from a request of a few KB, the attack /mget had.
        var value = Encoding.ASCII.GetBytes(new string('y', OneMiB));
        await PutAsync("limit-resp-large", value);
        await using var socket = await RespSocket.ConnectAsync(Node);

        await socket.SendAsync(RespSocket.Command(["MGET", .. Enumerable.Repeat("limit-resp-large", 200)]));
        string refused = await socket.ReadReplyAsync();
        await socket.SendAsync(RespSocket.Command(["MGET", .. Enumerable.Repeat("limit-resp-large", 3)]));
        string served = await socket.ReadReplyAsync();

        Assert.StartsWith("-ERR ", refused, StringComparison.Ordinal);
        Assert.Contains("ask for fewer keys", refused, StringComparison.Ordinal);
        Assert.Equal(3 * OneMiB + 2, served.Length);
    }

    [Fact]
    public async Task Resp_ClosesAClientThatPipelinesWithoutReading_AndStillServes()
    {
        // 512 GETs of a 1 MiB value in one write, and nothing read: 512 MiB of replies the node must not keep
        // trying to send. (On one node they share the stored value's bytes, so this shows the close, not the
        // memory a batch may hold, which MaxBatchReplyBytes bounds for values copied from other nodes.)
        var value = Encoding.ASCII.GetBytes(new string('z', OneMiB));
        await PutAsync("limit-unread", value);
        const int Gets = 512;
        await using var silent = await RespSocket.ConnectAsync(Node);
        await silent.SendAsync(Enumerable.Repeat(RespSocket.Command("GET", "limit-unread"), Gets).SelectMany(frame => frame).ToArray());

        // The node sends what its buffers take, then waits for the client; after 10 s of waiting it closes the
        // connection, which INFO clients shows (the only other connection is the one asking).
        await using (var observer = await RespSocket.ConnectAsync(Node))
        {
            await Poll.UntilAsync(
                async () =>
                {
                    await observer.SendAsync(RespSocket.Command("INFO", "clients"));
                    return (await observer.ReadReplyAsync()).Contains("connected_clients:1\r\n", StringComparison.Ordinal);
                },
                TimeSpan.FromSeconds(40),
                () => "the node to close the connection that reads none of its replies");
        }

        // What the client can still read ends short of its replies: the rest was dropped with the connection.
        int received = await silent.ReadUntilClosedAsync();
        Assert.InRange(received, 0, (Gets / 2) * (OneMiB + 16));
        Assert.Equal(value, await Node.Http.GetByteArrayAsync("/cache/limit-unread").WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Mset_RefusesMoreEntriesThanTheCap_With413_AndStoresNone()
    {
        var entries = Enumerable.Range(0, MaxBatchKeys + 1).ToDictionary(i => $"limit-mset-{i}", i => "v");

        var (status, body) = await PostAsync("/mset", new { entries });

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains($"at most {MaxBatchKeys} keys", body, StringComparison.Ordinal);
        using var first = await Node.Http.GetAsync("/cache/limit-mset-0").WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.NotFound, first.StatusCode);
    }

    [Fact]
    public async Task Stats_RunsAtMostOneForcedCollectionPer10Seconds_AndSaysWhenToAskAgain()
    {
        // Another test may have asked first; what matters is that two in a row are not both run.
        using var first = await Node.Http.GetAsync("/stats?gc=true").WaitAsync(TimeSpan.FromSeconds(30));
        using var second = await Node.Http.GetAsync("/stats?gc=true").WaitAsync(TimeSpan.FromSeconds(30));
        using var plain = await Node.Http.GetAsync("/stats").WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Equal("application/problem+json", second.Content.Headers.ContentType?.MediaType);
        Assert.Contains("try again in", await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
    }

    private static async Task<string> PingAsync(RespSocket socket)
    {
        await socket.SendAsync(RespSocket.Command("PING"));
        return await socket.ReadReplyAsync();
    }

    private async Task PutAsync(string key, byte[] value)
    {
        using var response = await Node.Http.PutAsync($"/cache/{key}", new ByteArrayContent(value)).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    private async Task<(HttpStatusCode Status, string Body)> PostAsync(string path, object body)
    {
        using var content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        using var response = await Node.Http.PostAsync(path, content).WaitAsync(TimeSpan.FromSeconds(60));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>One node that serves at most <see cref="MaxClients"/> Redis protocol clients.</summary>
    public sealed class LimitedNode : IAsyncLifetime
    {
        /// <summary>The running node.</summary>
        public NodeProcess Node { get; private set; } = null!;

        /// <inheritdoc />
        public async Task InitializeAsync() =>
            Node = await NodeProcess.StartReadyAsync("limits", LoopbackAddresses.Next(), new Dictionary<string, string> { ["MAX_CLIENTS"] = $"{MaxClients}" });

        /// <inheritdoc />
        public async Task DisposeAsync()
        {
            if (Node is not null)
            {
                await Node.DisposeAsync();
            }
        }
    }
}
