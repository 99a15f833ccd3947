using System.Net;
using System.Net.Http.Headers;
using System.Text;
using OrleansCache.Tests.Infrastructure;
using StackExchange.Redis;

namespace OrleansCache.Tests.Processes;

/// <summary>
/// <c>CACHE_PASSWORD</c> as each door's users meet it: HTTP (Bearer, or Basic as a browser sends it), the
/// Redis protocol (<c>AUTH</c>, <c>HELLO … AUTH</c>, Redis' error words) and the console client.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class ClientPasswordTests(ClientPasswordTests.PasswordNode fixture) : IClassFixture<ClientPasswordTests.PasswordNode>
{
    // A space inside, to show the password is taken as given.
    private const string Password = "correct horse";

    private NodeProcess Node => fixture.Node;

    [Fact]
    public async Task Http_Answers401WithoutThePassword_AndServesWithIt_AsBearerOrBasic()
    {
        // Node.Http sends the password; this client sends only what each request says.
        using var anonymousHttp = new HttpClient { BaseAddress = Node.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        using var anonymous = Send(HttpMethod.Put, "/cache/pw-http", authorization: null, "nope");
        var refused = await anonymousHttp.SendAsync(anonymous);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains("CACHE_PASSWORD", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains(refused.Headers.WwwAuthenticate, h => h.Scheme == "Basic");

        using var bearer = Send(HttpMethod.Put, "/cache/pw-http", new AuthenticationHeaderValue("Bearer", Password), "v1");
        Assert.Equal(HttpStatusCode.NoContent, (await anonymousHttp.SendAsync(bearer)).StatusCode);

        // Basic with any user name, as a browser asks for it on the dashboard.
        var basic = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"anyone:{Password}")));
        using var read = Send(HttpMethod.Get, "/cache/pw-http", basic);
        var answer = await anonymousHttp.SendAsync(read);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("v1", await answer.Content.ReadAsStringAsync());

        // The refused write changed nothing, and a wrong password is refused as no password is.
        using var wrong = Send(HttpMethod.Get, "/cache/pw-http", new AuthenticationHeaderValue("Bearer", "correct horsE"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymousHttp.SendAsync(wrong)).StatusCode);
        foreach (var path in new[] { "/metrics", "/stats", "/cluster", "/dashboard/", "/get/pw-http" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymousHttp.GetAsync(path)).StatusCode);
        }

        // What load balancers and probes ask stays open.
        foreach (var path in new[] { "/ping", "/health/live", "/health/ready" })
        {
            Assert.NotEqual(HttpStatusCode.Unauthorized, (await anonymousHttp.GetAsync(path)).StatusCode);
        }
    }

    [Fact]
    public async Task Resp_RefusesCommandsUntilAuth_WithRedisWords()
    {
        await using (var resp = await RespSocket.ConnectAsync(Node))
        {
            await AssertRepliesAsync(resp, [
                (["SET", "pw-resp", "v"], "-NOAUTH Authentication required."),
                (["PING"], "-NOAUTH Authentication required."),
                (["AUTH", "wrong"], "-WRONGPASS invalid username-password pair or user is disabled."),
                (["AUTH", "other", Password], "-WRONGPASS invalid username-password pair or user is disabled."),
                (["AUTH", Password], "+OK"),
                (["SET", "pw-resp", "v"], "+OK"),
                (["GET", "pw-resp"], "v"),

                // A failed attempt leaves the connection authenticated, as in Redis.
                (["AUTH", "wrong"], "-WRONGPASS invalid username-password pair or user is disabled."),
                (["GET", "pw-resp"], "v"),
            ]);
        }

        await using (var resp = await RespSocket.ConnectAsync(Node))
        {
            await AssertRepliesAsync(resp, [
                (["HELLO", "2"], "-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time"),
                (["HELLO", "2", "AUTH", "default", "wrong"], "-WRONGPASS invalid username-password pair or user is disabled."),
                (["GET", "pw-resp"], "-NOAUTH Authentication required."),
            ]);
            await resp.SendAsync(RespSocket.Command("HELLO", "2", "AUTH", "default", Password));
            Assert.StartsWith("server|redis|", await resp.ReadReplyAsync(), StringComparison.Ordinal);
            await AssertRepliesAsync(resp, [(["GET", "pw-resp"], "v")]);
        }

        await using (var resp = await RespSocket.ConnectAsync(Node))
        {
            await AssertRepliesAsync(resp, [(["AUTH", "default", Password], "+OK"), (["GET", "pw-resp"], "v"), (["QUIT"], "+OK")]);
        }
    }

    [Fact]
    public async Task StackExchangeRedis_WorksWithThePassword_AndIsRefusedWithoutIt()
    {
        var options = ConfigurationOptions.Parse($"{Node.RespEndpoint},password={Password},abortConnect=false,connectTimeout=5000");
        await using (var redis = await ConnectionMultiplexer.ConnectAsync(options).WaitAsync(TimeSpan.FromSeconds(30)))
        {
            var db = redis.GetDatabase();
            Assert.True(await db.StringSetAsync("pw-se", "v"));
            Assert.Equal("v", (string?)await db.StringGetAsync("pw-se"));
        }

        // Without the password, connecting fails as it does against Redis with requirepass (abortConnect is on by
        // default). With abortConnect=false a command could race the handshake and fail before the refusal
        // is known, with "no connection is available" instead (seen once in CI).
        var without = ConfigurationOptions.Parse($"{Node.RespEndpoint},connectTimeout=5000");
        var refused = await Assert.ThrowsAsync<RedisConnectionException>(() => ConnectionMultiplexer.ConnectAsync(without).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(refused.FailureType == ConnectionFailureType.AuthenticationFailure, refused.ToString());
        Assert.Contains("NOAUTH", refused.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConsoleClient_SaysThePasswordIsNeeded_AndWorksWithItFromTheOptionOrTheVariable()
    {
        var without = await ClientProcess.RunAsync(["get", "pw-client", "--node", Node.Ip]);
        Assert.Equal(1, without.ExitCode);
        Assert.Equal([$"Orleans.Cache: the node at {Node.Ip} requires the cluster's password (CACHE_PASSWORD); give it with --password or CACHE_PASSWORD"], without.ErrorLines);

        var wrong = await ClientProcess.RunAsync(["get", "pw-client", "--node", Node.Ip, "--password", "wrong"]);
        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains("refused the password", wrong.Error, StringComparison.Ordinal);

        var set = await ClientProcess.RunAsync(["set", "pw-client", "v", "--node", Node.Ip, "--password", Password]);
        Assert.True(set.ExitCode == 0, set.ToString());
        var get = await ClientProcess.RunAsync(["get", "pw-client", "--node", Node.Ip], environment: new Dictionary<string, string> { ["CACHE_PASSWORD"] = Password });
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Equal(["v"], get.OutputLines);
    }

    [Fact]
    public async Task Resp_Auth_IsRefusedAsRedisRefusesIt_WhenTheNodeHasNoPassword()
    {
        await using var node = await NodeProcess.StartReadyAsync("no-password", LoopbackAddresses.Next());
        await using var resp = await RespSocket.ConnectAsync(node);
        const string NoPassword = "-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?";
        await AssertRepliesAsync(resp, [(["AUTH", "x"], NoPassword), (["HELLO", "2", "AUTH", "default", "x"], NoPassword), (["PING"], "+PONG")]);
    }

    private static HttpRequestMessage Send(HttpMethod method, string path, AuthenticationHeaderValue? authorization, string? body = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : new StringContent(body) };
        request.Headers.Authorization = authorization;
        return request;
    }

    private static async Task AssertRepliesAsync(RespSocket resp, (string[] Command, string Reply)[] exchanges)
    {
        foreach (var (command, reply) in exchanges)
        {
            await resp.SendAsync(RespSocket.Command(command));
            Assert.Equal(reply, await resp.ReadReplyAsync());
        }
    }

    /// <summary>One node with <c>CACHE_PASSWORD</c> set, shared by the tests of the class.</summary>
    public sealed class PasswordNode : IAsyncLifetime
    {
        /// <summary>The running node.</summary>
        public NodeProcess Node { get; private set; } = null!;

        /// <inheritdoc />
        public async Task InitializeAsync() =>
            Node = await NodeProcess.StartReadyAsync("password", LoopbackAddresses.Next(), new Dictionary<string, string> { ["CACHE_PASSWORD"] = Password });

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
