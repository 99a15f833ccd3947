using OrleansCache.Tests.Infrastructure;

namespace OrleansCache.Tests.Processes;

/// <summary>
/// The hash commands on one real node's RESP port, each reply checked against what Redis's documentation of the
/// command says it answers, and the <c>WRONGTYPE</c> refusals between hashes and strings.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class RedisHashTests(HttpNodeFixture fixture) : IClassFixture<HttpNodeFixture>
{
    private NodeProcess Node => fixture.Node;

    [Fact]
    public async Task HSet_CountsFieldsAdded_AndHGetReadsEachField()
    {
        await using var redis = await RespSocket.ConnectAsync(Node);

        Assert.Equal(":2", await redis.AskAsync("HSET", "hash basic", "f1", "v1", "f2", "v2"));
        Assert.Equal(":1", await redis.AskAsync("HSET", "hash basic", "f1", "v1 again", "f3", "v3"));

        Assert.Equal("v1 again", await redis.AskAsync("HGET", "hash basic", "f1"));
        Assert.Equal("$-1", await redis.AskAsync("HGET", "hash basic", "no such field"));
        Assert.Equal("$-1", await redis.AskAsync("HGET", "hash never written", "f1"));
        Assert.Equal("v1 again|$-1|v3", await redis.AskAsync("HMGET", "hash basic", "f1", "nope", "f3"));
        Assert.Equal("$-1|$-1", await redis.AskAsync("HMGET", "hash never written", "a", "b"));
        Assert.Equal(":3", await redis.AskAsync("HLEN", "hash basic"));
        Assert.Equal(":0", await redis.AskAsync("HLEN", "hash never written"));
        Assert.Equal(":1", await redis.AskAsync("HEXISTS", "hash basic", "f2"));
        Assert.Equal(":0", await redis.AskAsync("HEXISTS", "hash basic", "f9"));
        Assert.Equal(":8", await redis.AskAsync("HSTRLEN", "hash basic", "f1"));
        Assert.Equal(":0", await redis.AskAsync("HSTRLEN", "hash basic", "f9"));
    }

    [Fact]
    public async Task HGetAll_HKeys_HVals_ListEveryField_AndAMissingKeyIsAnEmptyHash()
    {
        await using var redis = await RespSocket.ConnectAsync(Node);
        Assert.Equal("+OK", await redis.AskAsync("HMSET", "hash all", "a", "1", "b", "2", "c", "3"));

        // Redis does not promise an order; each field must come with its own value.
        var pairs = (await redis.AskAsync("HGETALL", "hash all")).Split('|');
        Assert.Equal(6, pairs.Length);
        var fields = Enumerable.Range(0, 3).ToDictionary(i => pairs[2 * i], i => pairs[(2 * i) + 1]);
        Assert.Equal(new Dictionary<string, string> { ["a"] = "1", ["b"] = "2", ["c"] = "3" }, fields);
        Assert.Equal(["a", "b", "c"], (await redis.AskAsync("HKEYS", "hash all")).Split('|').Order());
        Assert.Equal(["1", "2", "3"], (await redis.AskAsync("HVALS", "hash all")).Split('|').Order());

        Assert.Equal(string.Empty, await redis.AskAsync("HGETALL", "hash never written"));
        Assert.Equal(string.Empty, await redis.AskAsync("HKEYS", "hash never written"));
    }

    [Fact]
    public async Task HDel_CountsFieldsRemoved_AndTheLastOneRemovesTheKey()
    {
        await using var redis = await RespSocket.ConnectAsync(Node);
        await redis.AskAsync("HSET", "hash del", "a", "1", "b", "2", "c", "3");

        Assert.Equal(":2", await redis.AskAsync("HDEL", "hash del", "a", "b", "no such field"));
        Assert.Equal(":1", await redis.AskAsync("EXISTS", "hash del"));
        Assert.Equal(":0", await redis.AskAsync("HDEL", "hash del", "a"));
        Assert.Equal(":1", await redis.AskAsync("HDEL", "hash del", "c"));
        Assert.Equal(":0", await redis.AskAsync("EXISTS", "hash del"));
        Assert.Equal(":0", await redis.AskAsync("HDEL", "hash never written", "a"));
    }

    [Fact]
    public async Task HSetNx_SetsOnlyAFieldNotThere()
    {
        await using var redis = await RespSocket.ConnectAsync(Node);

        Assert.Equal(":1", await redis.AskAsync("HSETNX", "hash nx", "f", "first"));
        Assert.Equal(":0", await redis.AskAsync("HSETNX", "hash nx", "f", "second"));
        Assert.Equal("first", await redis.AskAsync("HGET", "hash nx", "f"));
    }

    [Fact]
    public async Task HashWrite_KeepsTheKeysExpiry_AsRedisDoes()
    {
        await using var redis = await RespSocket.ConnectAsync(Node);
        await redis.AskAsync("HSET", "hash ttl", "a", "1");
        Assert.Equal(":1", await redis.AskAsync("EXPIRE", "hash ttl", "1000"));

        await redis.AskAsync("HSET", "hash ttl", "b", "2");
        await redis.AskAsync("HDEL", "hash ttl", "a");

        int ttl = int.Parse((await redis.AskAsync("TTL", "hash ttl"))[1..]);
        Assert.InRange(ttl, 990, 1000);
    }

    [Fact]
    public async Task StringAndHashCommands_RefuseEachOthersKeys_AndChangeNothing()
    {
        await using var redis = await RespSocket.ConnectAsync(Node);
        await redis.AskAsync("SET", "hash wrongtype string", "text");
        await redis.AskAsync("HSET", "hash wrongtype hash", "f", "v");

        Assert.Equal(RespSocket.WrongType, await redis.AskAsync("HSET", "hash wrongtype string", "f", "v"));
        Assert.Equal(RespSocket.WrongType, await redis.AskAsync("HGET", "hash wrongtype string", "f"));
        Assert.Equal(RespSocket.WrongType, await redis.AskAsync("HGETALL", "hash wrongtype string"));
        Assert.Equal(RespSocket.WrongType, await redis.AskAsync("GET", "hash wrongtype hash"));
        Assert.Equal(RespSocket.WrongType, await redis.AskAsync("INCR", "hash wrongtype hash"));
        Assert.Equal(RespSocket.WrongType, await redis.AskAsync("SET", "hash wrongtype hash", "x", "GET"));

        // MGET never fails: a key that holds no string reads as nil (Redis's documentation of MGET).
        Assert.Equal("text|$-1", await redis.AskAsync("MGET", "hash wrongtype string", "hash wrongtype hash"));
        Assert.Equal("text", await redis.AskAsync("GET", "hash wrongtype string"));
        Assert.Equal("v", await redis.AskAsync("HGET", "hash wrongtype hash", "f"));

        // SET replaces a value of any type.
        Assert.Equal("+OK", await redis.AskAsync("SET", "hash wrongtype hash", "now a string"));
        Assert.Equal("now a string", await redis.AskAsync("GET", "hash wrongtype hash"));
    }

    [Fact]
    public async Task HashCommands_WithWrongArguments_AreRefusedInRedissWords()
    {
        await using var redis = await RespSocket.ConnectAsync(Node);

        Assert.Equal("-ERR wrong number of arguments for 'hset' command", await redis.AskAsync("HSET", "hash arity", "f"));
        Assert.Equal("-ERR wrong number of arguments for 'hset' command", await redis.AskAsync("HSET", "hash arity", "f", "v", "g"));
        Assert.Equal("-ERR wrong number of arguments for 'hmset' command", await redis.AskAsync("HMSET", "hash arity", "f", "v", "g"));
        Assert.Equal("-ERR wrong number of arguments for 'hget' command", await redis.AskAsync("HGET", "hash arity"));
        Assert.Equal("-ERR wrong number of arguments for 'hdel' command", await redis.AskAsync("HDEL", "hash arity"));
        Assert.Equal(":0", await redis.AskAsync("EXISTS", "hash arity"));
    }

    [Fact]
    public async Task Hash_OverMaxValueBytes_IsRefused_AndTheHashStaysAsItWas()
    {
        await using var redis = await RespSocket.ConnectAsync(Node);
        await redis.AskAsync("HSET", "hash big", "a", "1");

        // Each field is under the limit; together they are not, and a hash is stored as one value.
        string half = new('x', (HttpNodeFixture.MaxValueBytes / 2) + 1);
        Assert.Equal(":1", await redis.AskAsync("HSET", "hash big", "b", half));
        string refused = await redis.AskAsync("HSET", "hash big", "c", half);

        Assert.StartsWith("-ERR The value is ", refused);
        Assert.EndsWith($"the limit is {HttpNodeFixture.MaxValueBytes} (MAX_VALUE_BYTES).", refused);
        Assert.Equal(":2", await redis.AskAsync("HLEN", "hash big"));
    }

    [Fact]
    public async Task Hash_ReadOverHttp_IsAConflictForTheRawRoute_AndAnObjectInTheJsonRoutes()
    {
        await using var redis = await RespSocket.ConnectAsync(Node);
        await redis.AskAsync("HSET", "hash http", "name", "Zoë", "n", "3");

        using var raw = await Node.Http.GetAsync("/cache/hash%20http");
        Assert.Equal(System.Net.HttpStatusCode.Conflict, raw.StatusCode);
        Assert.Equal("application/problem+json", raw.Content.Headers.ContentType?.MediaType);

        using var json = System.Text.Json.JsonDocument.Parse(await Node.Http.GetStringAsync("/get/hash%20http"));
        var value = json.RootElement.GetProperty("value");
        Assert.Equal("Zoë", value.GetProperty("name").GetString());
        Assert.Equal("3", value.GetProperty("n").GetString());
    }
}
