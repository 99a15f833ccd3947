using System.Net;
using System.Net.Http.Json;
using System.Text;
using OrleansCache.Tests.Infrastructure;
using StackExchange.Redis;

namespace OrleansCache.Tests.Processes;

/// <summary>
/// StackExchange.Redis, the .NET Redis client, against one real node's RESP port with its default
/// settings: its handshake, pipelining from many concurrent callers, multi-key commands, refusals,
/// and values moving between the Redis protocol and the HTTP API. The node answers CLUSTER NODES, so the
/// client is in cluster mode, and multi-key commands name keys of one slot (a hash tag), as with Redis Cluster.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class StackExchangeRedisTests(HttpNodeFixture fixture) : IClassFixture<HttpNodeFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private ConnectionMultiplexer _redis = null!;

    private NodeProcess Node => fixture.Node;

    private IDatabase Db => _redis.GetDatabase();

    public async Task InitializeAsync()
    {
        var options = ConfigurationOptions.Parse(Node.RespEndpoint);
        options.ConnectTimeout = options.SyncTimeout = options.AsyncTimeout = (int)Timeout.TotalMilliseconds;
        _redis = await ConnectionMultiplexer.ConnectAsync(options).WaitAsync(Timeout);
    }

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    [Fact]
    public async Task StringSetAndGet_RoundTripBytesAndAnyKey()
    {
        byte[] binary = [0, 1, 2, 0xFF, 0xFE, (byte)'\r', (byte)'\n', 0x80];

        Assert.True(await Db.StringSetAsync("se users/42/näme ☃", "Zoë").WaitAsync(Timeout));
        Assert.True(await Db.StringSetAsync("se binary", binary).WaitAsync(Timeout));

        Assert.Equal("Zoë", (string?)await Db.StringGetAsync("se users/42/näme ☃").WaitAsync(Timeout));
        Assert.Equal(binary, (byte[]?)await Db.StringGetAsync("se binary").WaitAsync(Timeout));
        Assert.True((await Db.StringGetAsync("se never stored").WaitAsync(Timeout)).IsNull);
    }

    [Fact]
    public async Task PipelinedCommands_OnOneKey_ApplyInTheOrderSent()
    {
        // Not awaited one by one: the multiplexer writes them back to back on one connection.
        var reads = new List<(int Index, Task<RedisValue> Read)>();
        var writes = new List<Task<bool>>();
        for (int i = 0; i < 500; i++)
        {
            writes.Add(Db.StringSetAsync($"se ordered {i % 5}", $"value {i}"));
            reads.Add((i, Db.StringGetAsync($"se ordered {i % 5}")));
        }

        Assert.All(await Task.WhenAll(writes).WaitAsync(Timeout), Assert.True);
        foreach (var (index, read) in reads)
        {
            Assert.Equal($"value {index}", (string?)await read.WaitAsync(Timeout));
        }
    }

    [Fact]
    public async Task ConcurrentCallers_EachReadTheirOwnWrites()
    {
        var callers = Enumerable.Range(0, 32).Select(caller => Task.Run(async () =>
        {
            for (int i = 0; i < 50; i++)
            {
                string key = $"se caller {caller} key {i % 4}";
                await Db.StringSetAsync(key, $"{caller}:{i}");
                Assert.Equal($"{caller}:{i}", (string?)await Db.StringGetAsync(key));
            }
        }));

        await Task.WhenAll(callers).WaitAsync(TimeSpan.FromSeconds(120));

        var last = await Task.WhenAll(Enumerable.Range(0, 32).Select(c => Db.StringGetAsync($"se caller {c} key 3"))).WaitAsync(Timeout);
        Assert.Equal(Enumerable.Range(0, 32).Select(c => $"{c}:47"), last.Select(v => (string?)v));
    }

    [Fact]
    public async Task MultiKeyCommands_CountAndListAsRedisDoes()
    {
        Assert.True(await Db.StringSetAsync([new("{se m}1", "one"), new("{se m}2", "two"), new("{se m}3", "three")]).WaitAsync(Timeout));

        var values = await Db.StringGetAsync(["{se m}1", "{se m}missing", "{se m}3"]).WaitAsync(Timeout);
        Assert.Equal(["one", null, "three"], values.Select(v => (string?)v));
        Assert.Equal(3, await Db.KeyExistsAsync(["{se m}1", "{se m}1", "{se m}2", "{se m}missing"]).WaitAsync(Timeout));
        Assert.Equal(2, await Db.KeyDeleteAsync(["{se m}1", "{se m}2", "{se m}missing"]).WaitAsync(Timeout));
        Assert.False(await Db.KeyExistsAsync("{se m}1").WaitAsync(Timeout));
        Assert.True(await Db.KeyExistsAsync("{se m}3").WaitAsync(Timeout));
    }

    [Fact]
    public async Task Client_TakesTheNodeForACluster_AndForAStandaloneServer_WhenToldNotToAskCluster()
    {
        var server = _redis.GetServer(_redis.GetEndPoints()[0]);
        Assert.Equal(ServerType.Cluster, server.ServerType);
        var slots = server.ClusterConfiguration!.Nodes.Single().Slots;
        Assert.Equal([new SlotRange(0, 16383)], slots);

        // The way out of cluster mode, for an application that sends multi-key commands over unrelated keys.
        var options = ConfigurationOptions.Parse(Node.RespEndpoint);
        options.ConnectTimeout = options.SyncTimeout = options.AsyncTimeout = (int)Timeout.TotalMilliseconds;
        options.CommandMap = CommandMap.Create(["CLUSTER", "INFO"], available: false);
        await using var standalone = await ConnectionMultiplexer.ConnectAsync(options).WaitAsync(Timeout);
        Assert.Equal(ServerType.Standalone, standalone.GetServer(standalone.GetEndPoints()[0]).ServerType);
        var db = standalone.GetDatabase();
        Assert.True(await db.StringSetAsync([new("se standalone 1", "one"), new("se standalone 2", "two")]).WaitAsync(Timeout));
        Assert.Equal(["one", "two"], (await db.StringGetAsync(["se standalone 1", "se standalone 2"]).WaitAsync(Timeout)).Select(v => (string?)v));
    }

    [Fact]
    public async Task ValuesStoredOverResp_ReadTheSameOverHttp_AndTheOtherWayRound()
    {
        await Db.StringSetAsync("se door resp", "héllo wörld ☃").WaitAsync(Timeout);
        Assert.Equal("héllo wörld ☃", await Node.GetAsync("se door resp"));

        await Node.SetAsync("se door http", "from /set, ünïcode");
        Assert.Equal("from /set, ünïcode", (string?)await Db.StringGetAsync("se door http").WaitAsync(Timeout));

        // A JSON value stored through /set reads back as its JSON text, as GET /cache/{key} serves it.
        using (var set = await Node.Http.PostAsJsonAsync("/set", new { key = "se door json", value = new { n = 1, tags = new[] { "a" } } }))
        {
            set.EnsureSuccessStatusCode();
        }

        Assert.Equal("""{"n":1,"tags":["a"]}""", (string?)await Db.StringGetAsync("se door json").WaitAsync(Timeout));

        byte[] binary = [0xFF, 0x00, 0x7F, 0x80];
        await Db.StringSetAsync("se door binary", binary).WaitAsync(Timeout);
        Assert.Equal(binary, await Node.Http.GetByteArrayAsync("/cache/se%20door%20binary").WaitAsync(Timeout));
        using (var put = await Node.Http.PutAsync("/cache/se%20door%20put", new ByteArrayContent([1, 2, 3])))
        {
            Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        }

        Assert.Equal([1, 2, 3], (byte[]?)await Db.StringGetAsync("se door put").WaitAsync(Timeout));

        Assert.True(await Db.KeyDeleteAsync("se door resp").WaitAsync(Timeout));
        Assert.Null(await Node.GetAsync("se door resp"));
    }

    [Fact]
    public async Task OversizedValues_FailThatCommandOnly_AndChangeNothing()
    {
        await Db.StringSetAsync("se refused", "before").WaitAsync(Timeout);

        var large = await Assert.ThrowsAsync<RedisServerException>(
            () => Db.StringSetAsync("se refused", new string('x', HttpNodeFixture.MaxValueBytes + 1)).WaitAsync(Timeout));
        var largeWithExpiry = await Assert.ThrowsAsync<RedisServerException>(
            () => Db.StringSetAsync("se refused", new string('x', HttpNodeFixture.MaxValueBytes + 1), TimeSpan.FromSeconds(100)).WaitAsync(Timeout));

        Assert.Contains("MAX_VALUE_BYTES", large.Message);
        Assert.Contains("MAX_VALUE_BYTES", largeWithExpiry.Message);
        Assert.Equal("before", (string?)await Db.StringGetAsync("se refused").WaitAsync(Timeout));
        Assert.Equal(TimeSpan.FromSeconds(-1), await Db.KeyTimeToLiveAsync("se refused").WaitAsync(Timeout) ?? TimeSpan.FromSeconds(-1));
        Assert.True(_redis.IsConnected);
    }

    [Fact]
    public async Task StringSet_WithExpiryAndConditions_WritesAsRedisDoes()
    {
        // With an expiry and When.Always the client sends SETEX (PSETEX for milliseconds); with a condition, SET ... EX NX.
        Assert.True(await Db.StringSetAsync("se expiring", "v", TimeSpan.FromSeconds(1000)).WaitAsync(Timeout));
        Assert.True(await Db.StringSetAsync("se expiring ms", "v", TimeSpan.FromMilliseconds(900_500)).WaitAsync(Timeout));
        Assert.True(await Db.StringSetAsync("se absent", "first", TimeSpan.FromSeconds(1000), When.NotExists).WaitAsync(Timeout));
        Assert.False(await Db.StringSetAsync("se absent", "second", when: When.NotExists).WaitAsync(Timeout));
        Assert.False(await Db.StringSetAsync("se never stored 2", "v", when: When.Exists).WaitAsync(Timeout));
        Assert.True(await Db.StringSetAsync("se absent", "third", when: When.Exists).WaitAsync(Timeout));

        AssertBetween(TimeSpan.FromSeconds(900), TimeSpan.FromSeconds(1000), await Db.KeyTimeToLiveAsync("se expiring").WaitAsync(Timeout));
        AssertBetween(TimeSpan.FromSeconds(800), TimeSpan.FromMilliseconds(900_500), await Db.KeyTimeToLiveAsync("se expiring ms").WaitAsync(Timeout));

        // A plain SET (the XX one) clears the expiry, as in Redis.
        Assert.Equal("third", (string?)await Db.StringGetAsync("se absent").WaitAsync(Timeout));
        Assert.Null(await Db.KeyTimeToLiveAsync("se absent").WaitAsync(Timeout));
        Assert.False(await Db.KeyExistsAsync("se never stored 2").WaitAsync(Timeout));
    }

    [Fact]
    public async Task StringSetAndGet_ReturnsTheValueItReplaced()
    {
        Assert.True((await Db.StringSetAndGetAsync("se swapped", "one").WaitAsync(Timeout)).IsNull);
        Assert.Equal("one", (string?)await Db.StringSetAndGetAsync("se swapped", "two", TimeSpan.FromSeconds(1000)).WaitAsync(Timeout));
        Assert.Equal("two", (string?)await Db.StringGetAsync("se swapped").WaitAsync(Timeout));
        AssertBetween(TimeSpan.FromSeconds(900), TimeSpan.FromSeconds(1000), await Db.KeyTimeToLiveAsync("se swapped").WaitAsync(Timeout));
    }

    [Fact]
    public async Task StringIncrementAndDecrement_CountAsRedisDoes()
    {
        Assert.Equal(1, await Db.StringIncrementAsync("se counter").WaitAsync(Timeout));
        Assert.Equal(11, await Db.StringIncrementAsync("se counter", 10).WaitAsync(Timeout));
        Assert.Equal(10, await Db.StringDecrementAsync("se counter").WaitAsync(Timeout));
        Assert.Equal(-5, await Db.StringDecrementAsync("se counter", 15).WaitAsync(Timeout));
        Assert.Equal("-5", (string?)await Db.StringGetAsync("se counter").WaitAsync(Timeout));

        await Db.StringSetAsync("se counter text", "ten").WaitAsync(Timeout);
        var notInteger = await Assert.ThrowsAsync<RedisServerException>(() => Db.StringIncrementAsync("se counter text").WaitAsync(Timeout));
        Assert.Equal("ERR value is not an integer or out of range", notInteger.Message);

        await Db.StringSetAsync("se counter max", long.MaxValue).WaitAsync(Timeout);
        var overflow = await Assert.ThrowsAsync<RedisServerException>(() => Db.StringIncrementAsync("se counter max").WaitAsync(Timeout));
        Assert.Equal("ERR increment or decrement would overflow", overflow.Message);
        Assert.Equal(long.MaxValue, (long)await Db.StringGetAsync("se counter max").WaitAsync(Timeout));

        // Increments of one key from many callers at once are atomic: none is lost.
        var increments = Enumerable.Range(0, 200).Select(_ => Db.StringIncrementAsync("se counter shared"));
        await Task.WhenAll(increments).WaitAsync(Timeout);
        Assert.Equal(200, (long)await Db.StringGetAsync("se counter shared").WaitAsync(Timeout));
    }

    [Fact]
    public async Task KeyExpireTimeToLiveAndPersist_AnswerAsRedisDoes()
    {
        await Db.StringSetAsync("se ttl", "v").WaitAsync(Timeout);

        Assert.Null(await Db.KeyTimeToLiveAsync("se ttl").WaitAsync(Timeout));
        Assert.Null(await Db.KeyTimeToLiveAsync("se ttl missing").WaitAsync(Timeout));
        Assert.False(await Db.KeyExpireAsync("se ttl missing", TimeSpan.FromSeconds(100)).WaitAsync(Timeout));
        Assert.False(await Db.KeyPersistAsync("se ttl").WaitAsync(Timeout));

        Assert.True(await Db.KeyExpireAsync("se ttl", TimeSpan.FromSeconds(1000)).WaitAsync(Timeout));
        AssertBetween(TimeSpan.FromSeconds(900), TimeSpan.FromSeconds(1000), await Db.KeyTimeToLiveAsync("se ttl").WaitAsync(Timeout));
        Assert.True(await Db.KeyExpireAsync("se ttl", TimeSpan.FromMilliseconds(500_500)).WaitAsync(Timeout));
        AssertBetween(TimeSpan.FromSeconds(400), TimeSpan.FromMilliseconds(500_500), await Db.KeyTimeToLiveAsync("se ttl").WaitAsync(Timeout));

        var inAnHour = DateTime.UtcNow.AddHours(1);
        Assert.True(await Db.KeyExpireAsync("se ttl", inAnHour).WaitAsync(Timeout));
        AssertBetween(TimeSpan.FromMinutes(55), TimeSpan.FromHours(1), await Db.KeyTimeToLiveAsync("se ttl").WaitAsync(Timeout));

        Assert.True(await Db.KeyPersistAsync("se ttl").WaitAsync(Timeout));
        Assert.Null(await Db.KeyTimeToLiveAsync("se ttl").WaitAsync(Timeout));
        Assert.Equal("v", (string?)await Db.StringGetAsync("se ttl").WaitAsync(Timeout));

        // An expiry already past deletes the key, as Redis does.
        Assert.True(await Db.KeyExpireAsync("se ttl", DateTime.UtcNow.AddHours(-1)).WaitAsync(Timeout));
        Assert.False(await Db.KeyExistsAsync("se ttl").WaitAsync(Timeout));
    }

    [Fact]
    public async Task TimeToLiveSetOverHttp_IsTheTimeToLiveSeenOverResp()
    {
        using (var put = await Node.Http.PutAsync("/cache/se%20door%20ttl?ttl=1000", new ByteArrayContent("expiring"u8.ToArray())))
        {
            Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        }

        AssertBetween(TimeSpan.FromSeconds(900), TimeSpan.FromSeconds(1000), await Db.KeyTimeToLiveAsync("se door ttl").WaitAsync(Timeout));
        Assert.True(await Db.KeyPersistAsync("se door ttl").WaitAsync(Timeout));
        Assert.Equal("expiring", await Node.GetAsync("se door ttl"));
    }

    [Fact]
    public async Task DatabaseSize_CountsTheKeysStored()
    {
        await Db.StringSetAsync([new("{se sized}1", "a"), new("{se sized}2", "b")]).WaitAsync(Timeout);

        var server = _redis.GetServer(_redis.GetEndPoints()[0]);
        Assert.True(await server.DatabaseSizeAsync().WaitAsync(Timeout) >= 2);
    }

    [Fact]
    public async Task UnknownCommand_IsAnErrorInRedisWords()
    {
        var error = await Assert.ThrowsAsync<RedisServerException>(() => Db.ExecuteAsync("NOSUCH", "a").WaitAsync(Timeout));

        Assert.Equal("ERR unknown command 'NOSUCH', with args beginning with: 'a' ", error.Message);
        Assert.Equal(Encoding.UTF8.GetBytes("ok"), (byte[]?)await Db.ExecuteAsync("ECHO", "ok").WaitAsync(Timeout));
    }

    private static void AssertBetween(TimeSpan low, TimeSpan high, TimeSpan? actual)
    {
        Assert.NotNull(actual);
        Assert.InRange(actual.Value, low, high);
    }
}
