using OrleansCache.Tests.Infrastructure;

namespace OrleansCache.Tests.Processes;

/// <summary>
/// The key-space commands on one real node's RESP port: TYPE, SCAN, KEYS, RANDOMKEY, RENAME and FLUSHALL, expected to answer
/// as Redis's documentation says they do.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class RedisKeyspaceTests(HttpNodeFixture fixture) : IClassFixture<HttpNodeFixture>
{
    private NodeProcess Node => fixture.Node;

    [Fact]
    public async Task Type_NamesStringsHashesAndNone()
    {
        await using var redis = await RespSocket.ConnectAsync(Node);
        await redis.AskAsync("SET", "type string", "value");
        await redis.AskAsync("HSET", "type hash", "f", "v");

        Assert.Equal("+string", await redis.AskAsync("TYPE", "type string"));
        Assert.Equal("+hash", await redis.AskAsync("TYPE", "type hash"));
        Assert.Equal("+none", await redis.AskAsync("TYPE", "type missing"));
    }

    [Fact]
    public async Task Scan_ReturnsEveryMatchingKeyOnce_OverAsManyCallsAsItTakes()
    {
        await using var redis = await RespSocket.ConnectAsync(Node);
        var expected = Enumerable.Range(0, 300).Select(i => $"scan:{i}").ToHashSet();
        foreach (string key in expected)
        {
            await redis.AskAsync("SET", key, "v");
        }

        await redis.AskAsync("HSET", "scan:hash", "f", "v");
        await redis.AskAsync("SET", "other:1", "v");

        var seen = await ScanAllAsync(redis, "MATCH", "scan:[0-9]*", "COUNT", "7");
        Assert.Equal(expected.Order(), seen.Order());

        Assert.Equal(["scan:hash"], await ScanAllAsync(redis, "MATCH", "scan:*", "TYPE", "hash"));
        Assert.Empty(await ScanAllAsync(redis, "MATCH", "scan:*", "TYPE", "list"));
        Assert.Contains("other:1", await ScanAllAsync(redis));
    }

    [Fact]
    public async Task Scan_WithABadCursorOrOption_IsRefused()
    {
        await using var redis = await RespSocket.ConnectAsync(Node);

        Assert.Equal("-ERR invalid cursor", await redis.AskAsync("SCAN", "x"));
        Assert.Equal("-ERR invalid cursor", await redis.AskAsync("SCAN", "-1"));
        Assert.Equal("-ERR syntax error", await redis.AskAsync("SCAN", "0", "COUNT", "0"));
        Assert.Equal("-ERR syntax error", await redis.AskAsync("SCAN", "0", "MATCH"));
        Assert.Equal("-ERR syntax error", await redis.AskAsync("SCAN", "0", "SIZE", "3"));
        Assert.Equal("-ERR value is not an integer or out of range", await redis.AskAsync("SCAN", "0", "COUNT", "many"));
    }

    [Fact]
    public async Task Keys_ListsTheKeysAGlobMatches()
    {
        await using var redis = await RespSocket.ConnectAsync(Node);
        await redis.AskAsync("MSET", "firstname", "Jack", "lastname", "Stuntman", "age", "35");

        Assert.Equal(["firstname", "lastname"], (await redis.AskAsync("KEYS", "*name*")).Split('|').Order());
        Assert.Equal("age", await redis.AskAsync("KEYS", "a??"));
        Assert.Equal(string.Empty, await redis.AskAsync("KEYS", "nothing*matches"));
    }

    [Fact]
    public async Task RandomKey_ReturnsAKeyThatExists()
    {
        await using var redis = await RespSocket.ConnectAsync(Node);
        await redis.AskAsync("SET", "random key", "v");

        string key = await redis.AskAsync("RANDOMKEY");
        Assert.NotEqual("$-1", key);
        Assert.Equal(":1", await redis.AskAsync("EXISTS", key));
    }

    [Fact]
    public async Task Rename_MovesTheValueAndItsExpiry_ToTheNewName()
    {
        await using var redis = await RespSocket.ConnectAsync(Node);
        await redis.AskAsync("SET", "rename mykey", "Hello", "EX", "100");
        await redis.AskAsync("HSET", "rename hash", "f", "v");
        await redis.AskAsync("SET", "rename other", "replaced");

        Assert.Equal("+OK", await redis.AskAsync("RENAME", "rename mykey", "rename myotherkey"));
        Assert.Equal("Hello", await redis.AskAsync("GET", "rename myotherkey"));
        Assert.Equal("$-1", await redis.AskAsync("GET", "rename mykey"));
        Assert.InRange(int.Parse((await redis.AskAsync("TTL", "rename myotherkey"))[1..]), 90, 100);

        // Any type, over any type.
        Assert.Equal("+OK", await redis.AskAsync("RENAME", "rename hash", "rename other"));
        Assert.Equal("v", await redis.AskAsync("HGET", "rename other", "f"));
        Assert.Equal("+OK", await redis.AskAsync("RENAME", "rename other", "rename other"));
        Assert.Equal("-ERR no such key", await redis.AskAsync("RENAME", "rename missing", "rename anything"));
        Assert.Equal(":0", await redis.AskAsync("EXISTS", "rename anything"));
    }

    [Fact]
    public async Task RenameNx_RenamesOnlyToAFreeName()
    {
        await using var redis = await RespSocket.ConnectAsync(Node);
        await redis.AskAsync("MSET", "renamenx a", "Hello", "renamenx b", "World");

        Assert.Equal(":0", await redis.AskAsync("RENAMENX", "renamenx a", "renamenx b"));
        Assert.Equal("Hello|World", await redis.AskAsync("MGET", "renamenx a", "renamenx b"));
        Assert.Equal(":1", await redis.AskAsync("RENAMENX", "renamenx a", "renamenx c"));
        Assert.Equal("$-1|World|Hello", await redis.AskAsync("MGET", "renamenx a", "renamenx b", "renamenx c"));
        Assert.Equal(":0", await redis.AskAsync("RENAMENX", "renamenx c", "renamenx c"));
        Assert.Equal("-ERR no such key", await redis.AskAsync("RENAMENX", "renamenx missing", "renamenx d"));
    }

    [Fact]
    public async Task FlushAll_DeletesEveryKey_AndInfoCountsWhatIsWrittenAfter()
    {
        await using var redis = await RespSocket.ConnectAsync(Node);
        await redis.AskAsync("MSET", "flush a", "1", "flush b", "2");
        await redis.AskAsync("HSET", "flush h", "f", "v");

        Assert.Equal("+OK", await redis.AskAsync("FLUSHALL"));
        Assert.Equal(":0", await redis.AskAsync("DBSIZE"));
        Assert.Equal("$-1", await redis.AskAsync("RANDOMKEY"));
        Assert.Equal("0|", await redis.AskAsync("SCAN", "0"));

        Assert.Equal("+OK", await redis.AskAsync("SET", "flush after", "v"));
        Assert.Equal("+OK", await redis.AskAsync("FLUSHDB", "ASYNC"));
        Assert.Equal(":0", await redis.AskAsync("EXISTS", "flush after"));
        Assert.Equal("-ERR syntax error", await redis.AskAsync("FLUSHALL", "LATER"));

        // What is left is counted as Redis counts it, keys with an expiry apart.
        await redis.AskAsync("SET", "kept plain", "v");
        await redis.AskAsync("SET", "kept expiring", "v", "EX", "100");
        await redis.AskAsync("HSET", "kept hash", "f", "v");
        await redis.AskAsync("EXPIRE", "kept hash", "100");
        Assert.Contains("db0:keys=3,expires=2,avg_ttl=0", await redis.AskAsync("INFO", "keyspace"));
        await redis.AskAsync("PERSIST", "kept hash");
        Assert.Contains("db0:keys=3,expires=1,avg_ttl=0", await redis.AskAsync("INFO", "keyspace"));
    }

    // Follows the cursor from 0 back to 0, failing if a key comes back twice.
    private static async Task<List<string>> ScanAllAsync(RespSocket redis, params string[] options)
    {
        var keys = new List<string>();
        string cursor = "0";
        for (int calls = 0; calls == 0 || cursor != "0"; calls++)
        {
            Assert.True(calls < 2000, "SCAN did not come back to cursor 0.");
            var reply = (await redis.AskAsync(["SCAN", cursor, .. options])).Split('|');
            cursor = reply[0];
            keys.AddRange(reply.Skip(1).Where(k => k.Length > 0));
        }

        Assert.Equal(keys.Count, keys.Distinct().Count());
        return keys;
    }
}
