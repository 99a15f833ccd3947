using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OrleansCache.Grains.Interfaces;
using OrleansCache.Tests.Infrastructure;

namespace OrleansCache.Tests.Processes;

/// <summary>
/// The same mistake made at each of the four doors of one real node (HTTP, RESP, the console client, and the
/// <c>CacheClient</c> facade over an Orleans client) fails the same way: each door's own form of refusal
/// (a 4xx with problem+json, an <c>ERR</c> line, exit code 2 with a one-line reason, a
/// <see cref="CacheArgumentException"/>), the same reason text where the door's protocol lets it, and nothing
/// stored changes.
/// </summary>
/// <remarks>
/// RESP keeps Redis's own words where Redis defines them (a counter that is not an integer, an invalid expire
/// time), as the README's Redis table says. The console client has no counter or expiry command, so those two
/// mistakes have three doors.
/// </remarks>
[Collection(ProcessCollection.Name)]
public sealed class DoorFailureTests(DoorNodeFixture fixture) : IClassFixture<DoorNodeFixture>
{
    private const int MaxValue = DoorNodeFixture.MaxValueBytes;

    // Holds a fresh value before each test, which every refused request must leave in place.
    private const string Victim = "doors:victim";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private NodeProcess Node => fixture.Node;

    public static TheoryData<string, string> BadKeys() => new()
    {
        { "get", string.Empty },
        { "set", string.Empty },

        // 513 two-byte characters: 1026 bytes of UTF-8 though only 513 characters.
        { "get", new string('é', 513) },
        { "set", new string('é', 513) },
    };

    [Theory]
    [MemberData(nameof(BadKeys))]
    public async Task BadKey_IsRefusedInTheSameWordsAtEveryDoor_AndChangesNothing(string operation, string key)
    {
        string expected = key.Length == 0 ? CacheProblems.EmptyKey : CacheProblems.KeyTooLong(Encoding.UTF8.GetByteCount(key));
        bool set = operation == "set";

        await AssertChangesNothingAsync(async () =>
        {
            // HTTP: the legacy route for the empty key (a path cannot end in an empty key and still name the route
            // twice), the REST route for the long one.
            var http = key.Length == 0
                ? set ? await PostJsonAsync("/set", new { key, value = "changed" }) : await SendAsync(HttpMethod.Get, "/get/")
                : await SendAsync(set ? HttpMethod.Put : HttpMethod.Get, "/cache/" + Uri.EscapeDataString(key), set ? "changed" : null);
            string resp = await RespAsync(set ? ["SET", key, "changed"] : ["GET", key]);
            var console = await ClientAsync(set ? ["set", "--", key, "changed"] : ["get", "--", key]);
            var facade = set ? await RefusedAsync(() => fixture.Cache.SetAsync(key, U("changed"))) : await RefusedAsync(() => fixture.Cache.GetAsync(key));

            AssertProblem(http, HttpStatusCode.BadRequest, expected);
            AssertSameWords(expected, resp, console, facade, CacheArgumentError.InvalidKey);
        });
    }

    [Fact]
    public async Task ValueOverMaxValueBytes_IsRefusedInTheSameWordsAtEveryDoor_AndChangesNothing()
    {
        string value = new('v', MaxValue + 1);
        string expected = CacheProblems.ValueTooLarge(MaxValue + 1, MaxValue);
        Assert.Equal("The value is 4097 bytes; the limit is 4096 (MAX_VALUE_BYTES).", expected);

        await AssertChangesNothingAsync(async () =>
        {
            var put = await SendAsync(HttpMethod.Put, "/cache/" + Victim, value);
            var post = await PostJsonAsync("/set", new { key = Victim, value });
            string resp = await RespAsync(["SET", Victim, value]);
            var console = await ClientAsync(["set", Victim, value]);
            var facade = await RefusedAsync(() => fixture.Cache.SetAsync(Victim, U(value)));

            AssertProblem(put, HttpStatusCode.RequestEntityTooLarge, expected);
            AssertProblem(post, HttpStatusCode.RequestEntityTooLarge, expected);
            AssertSameWords(expected, resp, console, facade, CacheArgumentError.ValueTooLarge);
        });
    }

    [Fact]
    public async Task IncrementOfANonInteger_IsRefusedAtEveryDoor_InRedisWordsOverResp_AndChangesNothing()
    {
        await AssertChangesNothingAsync(async () =>
        {
            var http = await SendAsync(HttpMethod.Post, "/incr/" + Victim);
            string resp = await RespAsync(["INCR", Victim]);
            var facade = await RefusedAsync(() => fixture.Cache.IncrementAsync(Victim));

            string expected = $"The value of '{Victim}' is not a 64-bit decimal integer.";
            AssertProblem(http, HttpStatusCode.Conflict, expected);
            Assert.Equal("-ERR value is not an integer or out of range", resp);
            AssertRefused(facade, CacheArgumentError.NotAnInteger, expected);
        });
    }

    [Theory]
    [InlineData(-1L, "The time to live must be positive; it is -1 s.")]
    [InlineData(0L, "The time to live must be positive; it is 0 s.")]
    [InlineData(3_155_760_001L, "The time to live is longer than the limit of 3155760000 s (100 years).")]
    public async Task TimeToLiveOutOfRange_IsRefusedAtEveryDoor_InRedisWordsOverResp_AndChangesNothing(long seconds, string expected)
    {
        await AssertChangesNothingAsync(async () =>
        {
            var put = await SendAsync(HttpMethod.Put, $"/cache/{Victim}?ttl={seconds}", "changed");
            var post = await PostJsonAsync("/set", new { key = Victim, value = "changed", ttl = seconds });
            string resp = await RespAsync(["SET", Victim, "changed", "EX", seconds.ToString(CultureInfo.InvariantCulture)]);
            var facade = await RefusedAsync(() => fixture.Cache.SetAsync(
                Victim, new CacheValue(U("changed"), ValueFormat.Raw), new SetOptions { Expiry = CacheExpiry.After(TimeSpan.FromSeconds(seconds)) }));

            AssertProblem(put, HttpStatusCode.BadRequest, expected);
            AssertProblem(post, HttpStatusCode.BadRequest, expected);
            Assert.Equal("-ERR invalid expire time in 'set' command", resp);
            AssertRefused(facade, CacheArgumentError.InvalidExpiry, expected);
        });
    }

    private static byte[] U(string text) => Encoding.UTF8.GetBytes(text);

    // Writes a fresh value under the victim key, runs the refusals, then checks that the victim reads back the
    // same at every door that can read and that the node's whole content is as it was.
    private async Task AssertChangesNothingAsync(Func<Task> refuse)
    {
        string before = $"before {Guid.NewGuid()}";
        await fixture.Cache.SetAsync(Victim, U(before)).WaitAsync(Timeout);
        string dumpBefore = await DumpAsync();

        await refuse();

        Assert.Equal(before, Encoding.UTF8.GetString((await SendAsync(HttpMethod.Get, "/cache/" + Victim)).Body));
        Assert.Equal(before, await RespAsync(["GET", Victim]));
        Assert.Equal(before, Encoding.UTF8.GetString((await fixture.Cache.GetAsync(Victim).WaitAsync(Timeout))!.Value));
        Assert.Equal(dumpBefore, await DumpAsync());
    }

    private async Task<string> DumpAsync()
    {
        var reply = await SendAsync(HttpMethod.Get, "/dump-content");
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        return Encoding.UTF8.GetString(reply.Body);
    }

    private static void AssertProblem(Reply reply, HttpStatusCode status, string detail)
    {
        Assert.True(reply.Status == status, $"expected {(int)status}, got {(int)reply.Status}: {Encoding.UTF8.GetString(reply.Body)}");
        Assert.Equal("application/problem+json", reply.MediaType);
        var problem = JsonDocument.Parse(reply.Body).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.Equal(detail, problem.GetProperty("detail").GetString());
    }

    // RESP, the console client and the facade refusing in the same words, each in its own form.
    private static void AssertSameWords(string expected, string resp, ClientProcess console, CacheArgumentException facade, CacheArgumentError error)
    {
        Assert.Equal($"-ERR {expected}", resp);
        AssertInvalid(console, expected);
        AssertRefused(facade, error, expected);
    }

    private static void AssertRefused(CacheArgumentException facade, CacheArgumentError error, string message)
    {
        Assert.Equal(error, facade.Error);
        Assert.Equal(message, facade.Message);
    }

    // The console client's refusal of a request: exit code 2, nothing on stdout, one line on stderr with the reason.
    private static void AssertInvalid(ClientProcess run, string reason)
    {
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal(string.Empty, run.Output);
        Assert.Equal([$"Orleans.Cache: {reason}"], run.ErrorLines);
    }

    private static async Task<CacheArgumentException> RefusedAsync<T>(Func<Task<T>> call) =>
        await Assert.ThrowsAsync<CacheArgumentException>(() => call().WaitAsync(Timeout));

    // The verb, then --node, then the verb's arguments (which may follow a "--").
    private Task<ClientProcess> ClientAsync(string[] arguments) => ClientProcess.RunAsync([arguments[0], "--node", Node.Ip, .. arguments[1..]]);

    private async Task<string> RespAsync(string[] command)
    {
        await using var socket = await RespSocket.ConnectAsync(Node);
        await socket.SendAsync(RespSocket.Command(command));
        return await socket.ReadReplyAsync();
    }

    private async Task<Reply> PostJsonAsync<T>(string path, T body)
    {
        using var content = JsonContent.Create(body);
        return await SendAsync(HttpMethod.Post, path, content);
    }

    private Task<Reply> SendAsync(HttpMethod method, string pathAndQuery, string? body) =>
        SendAsync(method, pathAndQuery, body is null ? null : new ByteArrayContent(U(body)));

    private async Task<Reply> SendAsync(HttpMethod method, string pathAndQuery, HttpContent? content = null)
    {
        var target = new Uri($"http://{Node.Ip}:8080{pathAndQuery}", new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        using var request = new HttpRequestMessage(method, target) { Content = content };
        using var deadline = new CancellationTokenSource(Timeout);
        using var response = await Node.Http.SendAsync(request, deadline.Token);
        return new Reply(response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsByteArrayAsync(deadline.Token));
    }

    private sealed record Reply(HttpStatusCode Status, string? MediaType, byte[] Body);
}
