using OrleansCache.Grains;
using OrleansCache.Grains.Interfaces.Routing;
using OrleansCache.Tests.Infrastructure;

namespace OrleansCache.Tests.Processes;

/// <summary>
/// The string commands beyond GET and SET and Redis 7.0's conditional EXPIRE, on one real node's RESP port: each
/// test replays the examples of the command's page in Redis's documentation and expects Redis's answers.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class RedisStringCommandsTests(HttpNodeFixture fixture) : IClassFixture<HttpNodeFixture>
{
    private NodeProcess Node => fixture.Node;

    [Fact]
    public async Task GetDel_ReturnsTheValue_AndDeletesTheKey()
    {
        await using var redis = await RespSocket.ConnectAsync(Node);
        await redis.AskAsync("SET", "getdel key", "Hello");

        Assert.Equal("Hello", await redis.AskAsync("GETDEL", "getdel key"));
        Assert.Equal("$-1", await redis.AskAsync("GET", "getdel key"));
        Assert.Equal("$-1", await redis.AskAsync("GETDEL", "getdel key"));
    }

    [Fact]
    public async Task GetEx_ReturnsTheValue_AndSetsOrRemovesItsExpiry()
    {
        await using var redis = await RespSocket.ConnectAsync(Node);
        await redis.AskAsync("SET", "getex key", "Hello");

        Assert.Equal("Hello", await redis.AskAsync("GETEX", "getex key"));
        Assert.Equal(":-1", await redis.AskAsync("TTL", "getex key"));
        Assert.Equal("Hello", await redis.AskAsync("GETEX", "getex key", "EX", "60"));
        Assert.Equal(":60", await redis.AskAsync("TTL", "getex key"));
        Assert.Equal("Hello", await redis.AskAsync("GETEX", "getex key", "PERSIST"));
        Assert.Equal(":-1", await redis.AskAsync("TTL", "getex key"));
        Assert.Equal("-ERR syntax error", await redis.AskAsync("GETEX", "getex key", "EX", "60", "PERSIST"));
        Assert.Equal("-ERR invalid expire time in 'getex' command", await redis.AskAsync("GETEX", "getex key", "EX", "0"));
        Assert.Equal("$-1", await redis.AskAsync("GETEX", "getex missing", "EX", "60"));
    }

    [Fact]
    public async Task GetSet_ReturnsTheOldValue_AndStoresTheNew()
    {
        await using var redis = await RespSocket.ConnectAsync(Node);

        Assert.Equal(":1", await redis.AskAsync("INCR", "getset counter"));
        Assert.Equal("1", await redis.AskAsync("GETSET", "getset counter", "0"));
        Assert.Equal("0", await redis.AskAsync("GET", "getset counter"));
        Assert.Equal("$-1", await redis.AskAsync("GETSET", "getset new", "v"));
    }

    [Fact]
    public async Task GetRange_CountsNegativeIndexesFromTheEnd_AndClampsTheRange()
    {
        await using var redis = await RespSocket.ConnectAsync(Node);
        await redis.AskAsync("SET", "getrange key", "This is a string");

        Assert.Equal("This", await redis.AskAsync("GETRANGE", "getrange key", "0", "3"));
        Assert.Equal("ing", await redis.AskAsync("GETRANGE", "getrange key", "-3", "-1"));
        Assert.Equal("This is a string", await redis.AskAsync("GETRANGE", "getrange key", "0", "-1"));
        Assert.Equal("string", await redis.AskAsync("GETRANGE", "getrange key", "10", "100"));
        Assert.Equal(string.Empty, await redis.AskAsync("GETRANGE", "getrange key", "5", "2"));
        Assert.Equal(string.Empty, await redis.AskAsync("GETRANGE", "getrange key", "-1", "-5"));
        Assert.Equal("This", await redis.AskAsync("SUBSTR", "getrange key", "0", "3"));
        Assert.Equal(string.Empty, await redis.AskAsync("GETRANGE", "getrange missing", "0", "-1"));
        Assert.Equal("-ERR value is not an integer or out of range", await redis.AskAsync("GETRANGE", "getrange key", "a", "1"));
    }

    [Fact]
    public async Task SetRange_OverwritesFromTheOffset_PaddingWithZeroBytes()
    {
        await using var redis = await RespSocket.ConnectAsync(Node);
        await redis.AskAsync("SET", "setrange key1", "Hello World");

        Assert.Equal(":11", await redis.AskAsync("SETRANGE", "setrange key1", "6", "Redis"));
        Assert.Equal("Hello Redis", await redis.AskAsync("GET", "setrange key1"));
        Assert.Equal(":11", await redis.AskAsync("SETRANGE", "setrange key2", "6", "Redis"));
        Assert.Equal("\0\0\0\0\0\0Redis", await redis.AskAsync("GET", "setrange key2"));
        Assert.Equal(":0", await redis.AskAsync("SETRANGE", "setrange key3", "5", string.Empty));
        Assert.Equal(":0", await redis.AskAsync("EXISTS", "setrange key3"));
        Assert.Equal("-ERR offset is out of range", await redis.AskAsync("SETRANGE", "setrange key1", "-1", "x"));

        string refused = await redis.AskAsync("SETRANGE", "setrange key1", $"{HttpNodeFixture.MaxValueBytes}", "x");
        Assert.StartsWith("-ERR The value is ", refused);
        Assert.Equal("Hello Redis", await redis.AskAsync("GET", "setrange key1"));
    }

    [Fact]
    public async Task Append_ExtendsTheValue_AndCreatesAMissingKey()
    {
        await using var redis = await RespSocket.ConnectAsync(Node);

        Assert.Equal(":0", await redis.AskAsync("EXISTS", "append key"));
        Assert.Equal(":5", await redis.AskAsync("APPEND", "append key", "Hello"));
        Assert.Equal(":11", await redis.AskAsync("APPEND", "append key", " World"));
        Assert.Equal("Hello World", await redis.AskAsync("GET", "append key"));
        Assert.Equal(":11", await redis.AskAsync("STRLEN", "append key"));
        Assert.Equal(":0", await redis.AskAsync("STRLEN", "append missing"));
    }

    [Fact]
    public async Task IncrByFloat_AddsAsRedisDoes_AndRefusesWhatIsNotANumber()
    {
        await using var redis = await RespSocket.ConnectAsync(Node);
        await redis.AskAsync("SET", "float key", "10.50");

        Assert.Equal("10.6", await redis.AskAsync("INCRBYFLOAT", "float key", "0.1"));
        Assert.Equal("5.6", await redis.AskAsync("INCRBYFLOAT", "float key", "-5"));
        await redis.AskAsync("SET", "float key", "5.0e3");
        Assert.Equal("5200", await redis.AskAsync("INCRBYFLOAT", "float key", "2.0e2"));
        Assert.Equal("0.1", await redis.AskAsync("INCRBYFLOAT", "float sum", "0.1"));
        Assert.Equal("0.3", await redis.AskAsync("INCRBYFLOAT", "float sum", "0.2"));

        await redis.AskAsync("SET", "float text", "abc");
        Assert.Equal("-ERR value is not a valid float", await redis.AskAsync("INCRBYFLOAT", "float text", "1"));
        Assert.Equal("-ERR value is not a valid float", await redis.AskAsync("INCRBYFLOAT", "float key", "abc"));
        Assert.Equal("-ERR value is not a valid float", await redis.AskAsync("INCRBYFLOAT", "float key", " 1"));
        Assert.Equal("abc", await redis.AskAsync("GET", "float text"));
    }

    [Fact]
    public async Task MSetNx_SetsAllOrNone_OfKeysInOneBucket_AndRefusesKeysInSeveral()
    {
        await using var redis = await RespSocket.ConnectAsync(Node);
        var keys = KeysInOneBucket("msetnx", 3);

        Assert.Equal(":1", await redis.AskAsync("MSETNX", keys[0], "Hello", keys[1], "there"));
        Assert.Equal(":0", await redis.AskAsync("MSETNX", keys[1], "new", keys[2], "world"));
        Assert.Equal("Hello|there|$-1", await redis.AskAsync("MGET", keys[0], keys[1], keys[2]));

        string other = Enumerable.Range(0, 1000).Select(i => $"msetnx other {i}")
            .First(k => KeyHasher.GetBucket(k, CacheOptions.DefaultBuckets) != KeyHasher.GetBucket(keys[2], CacheOptions.DefaultBuckets));
        Assert.Equal("-CROSSSLOT Keys in request don't hash to the same slot", await redis.AskAsync("MSETNX", keys[2], "a", other, "b"));
        Assert.Equal(":0", await redis.AskAsync("EXISTS", keys[2], other));
    }

    [Fact]
    public async Task Expire_WithNxXxGtLt_SetsOnlyWhenTheConditionHolds()
    {
        await using var redis = await RespSocket.ConnectAsync(Node);
        await redis.AskAsync("SET", "expire cond", "Hello");

        Assert.Equal(":0", await redis.AskAsync("EXPIRE", "expire cond", "10", "XX"));
        Assert.Equal(":-1", await redis.AskAsync("TTL", "expire cond"));
        Assert.Equal(":0", await redis.AskAsync("EXPIRE", "expire cond", "10", "GT"));
        Assert.Equal(":1", await redis.AskAsync("EXPIRE", "expire cond", "10", "NX"));
        Assert.Equal(":10", await redis.AskAsync("TTL", "expire cond"));
        Assert.Equal(":0", await redis.AskAsync("EXPIRE", "expire cond", "20", "NX"));
        Assert.Equal(":0", await redis.AskAsync("EXPIRE", "expire cond", "5", "GT"));
        Assert.Equal(":1", await redis.AskAsync("EXPIRE", "expire cond", "20", "XX", "GT"));
        Assert.Equal(":0", await redis.AskAsync("PEXPIRE", "expire cond", "100000", "LT"));
        Assert.Equal(":1", await redis.AskAsync("EXPIRE", "expire cond", "15", "LT"));
        Assert.Equal(":15", await redis.AskAsync("TTL", "expire cond"));

        Assert.Equal("-ERR NX and XX, GT or LT options at the same time are not compatible", await redis.AskAsync("EXPIRE", "expire cond", "1", "NX", "XX"));
        Assert.Equal("-ERR GT and LT options at the same time are not compatible", await redis.AskAsync("EXPIRE", "expire cond", "1", "GT", "LT"));
        Assert.Equal("-ERR Unsupported option YY", await redis.AskAsync("EXPIRE", "expire cond", "1", "YY"));
        Assert.Equal(":15", await redis.AskAsync("TTL", "expire cond"));

        // LT against no expiry: a key without one expires never, later than any time.
        await redis.AskAsync("SET", "expire lt", "v");
        Assert.Equal(":1", await redis.AskAsync("EXPIRE", "expire lt", "50", "LT"));
        Assert.Equal(":0", await redis.AskAsync("EXPIRE", "expire missing", "50", "LT"));
    }

    [Fact]
    public async Task ExpireTime_IsTheUnixTimeOfTheExpiry()
    {
        await using var redis = await RespSocket.ConnectAsync(Node);
        await redis.AskAsync("SET", "expiretime key", "Hello");

        Assert.Equal(":-1", await redis.AskAsync("EXPIRETIME", "expiretime key"));
        Assert.Equal(":1", await redis.AskAsync("EXPIREAT", "expiretime key", "33177117420"));
        Assert.Equal(":33177117420", await redis.AskAsync("EXPIRETIME", "expiretime key"));
        Assert.Equal(":33177117420000", await redis.AskAsync("PEXPIRETIME", "expiretime key"));
        Assert.Equal(":-2", await redis.AskAsync("EXPIRETIME", "expiretime missing"));
    }

    [Fact]
    public async Task StringCommands_OnAHash_AreWrongType_AndChangeNothing()
    {
        await using var redis = await RespSocket.ConnectAsync(Node);
        await redis.AskAsync("HSET", "strings on hash", "f", "v");

        foreach (string[] command in new[]
        {
            new[] { "GETDEL", "strings on hash" },
            ["GETEX", "strings on hash", "EX", "10"],
            ["GETSET", "strings on hash", "x"],
            ["GETRANGE", "strings on hash", "0", "-1"],
            ["SETRANGE", "strings on hash", "0", "x"],
            ["APPEND", "strings on hash", "x"],
            ["STRLEN", "strings on hash"],
            ["INCRBYFLOAT", "strings on hash", "1"],
        })
        {
            Assert.Equal(RespSocket.WrongType, await redis.AskAsync(command));
        }

        Assert.Equal("v", await redis.AskAsync("HGET", "strings on hash", "f"));
        Assert.Equal(":-1", await redis.AskAsync("TTL", "strings on hash"));
    }

    // Keys that share a bucket, as MSETNX needs them to (and as keys sharing a hash tag do, with Redis's slots).
    private static string[] KeysInOneBucket(string prefix, int count)
    {
        int bucket = KeyHasher.GetBucket($"{prefix} 0", CacheOptions.DefaultBuckets);
        return Enumerable.Range(0, 100_000).Select(i => $"{prefix} {i}")
            .Where(k => KeyHasher.GetBucket(k, CacheOptions.DefaultBuckets) == bucket).Take(count).ToArray();
    }
}
