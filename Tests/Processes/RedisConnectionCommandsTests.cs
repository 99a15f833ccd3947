using OrleansCache.Tests.Infrastructure;

namespace OrleansCache.Tests.Processes;

/// <summary>
/// CLIENT LIST, CLIENT INFO, CLIENT KILL and CONFIG GET on one real node's RESP port, as Redis's documentation
/// describes them: what a client sees of the other connections, and closing one.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class RedisConnectionCommandsTests(HttpNodeFixture fixture) : IClassFixture<HttpNodeFixture>
{
    private NodeProcess Node => fixture.Node;

    [Fact]
    public async Task ClientList_ShowsEveryConnectionToTheNode_WithItsNameAndLastCommand()
    {
        await using var watcher = await RespSocket.ConnectAsync(Node);
        await using var worker = await RespSocket.ConnectAsync(Node);
        long workerId = long.Parse((await worker.AskAsync("CLIENT", "ID"))[1..]);
        Assert.Equal("+OK", await worker.AskAsync("CLIENT", "SETNAME", "worker"));
        Assert.Equal("+OK", await worker.AskAsync("CLIENT", "SETINFO", "LIB-NAME", "tests"));
        Assert.Equal("+OK", await worker.AskAsync("SET", "client list", "v"));

        var lines = (await watcher.AskAsync("CLIENT", "LIST")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(lines, l => l.StartsWith($"id={workerId} ", StringComparison.Ordinal));
        var fields = line.Split(' ').Select(f => f.Split('=', 2)).ToDictionary(f => f[0], f => f[1]);

        Assert.Equal("worker", fields["name"]);
        Assert.Equal("set", fields["cmd"]);
        Assert.Equal("tests", fields["lib-name"]);
        Assert.Equal("0", fields["db"]);
        Assert.Equal($"{Node.Ip}:6379", fields["laddr"]);
        Assert.StartsWith($"id={workerId} addr={fields["addr"]} ", await worker.AskAsync("CLIENT", "INFO"));
        Assert.StartsWith($"id={workerId} ", await watcher.AskAsync("CLIENT", "LIST", "ID", $"{workerId}"));
        Assert.Equal(string.Empty, await watcher.AskAsync("CLIENT", "LIST", "ID", "999999999"));
    }

    [Fact]
    public async Task ClientKill_ById_ClosesThatConnectionOnly()
    {
        await using var killer = await RespSocket.ConnectAsync(Node);
        await using var victim = await RespSocket.ConnectAsync(Node);
        string victimId = (await victim.AskAsync("CLIENT", "ID"))[1..];

        Assert.Equal(":1", await killer.AskAsync("CLIENT", "KILL", "ID", victimId));
        await victim.AssertClosedByNodeAsync();
        Assert.Equal("+PONG", await killer.AskAsync("PING"));
        Assert.Equal(":0", await killer.AskAsync("CLIENT", "KILL", "ID", victimId));
        Assert.Equal("-ERR No such client", await killer.AskAsync("CLIENT", "KILL", "10.1.2.3:4567"));
        Assert.Equal("-ERR syntax error", await killer.AskAsync("CLIENT", "KILL", "ID", victimId, "SKIPME"));
    }

    [Fact]
    public async Task ClientKill_OfItsOwnAddress_WithSkipMeNo_RepliesThenCloses()
    {
        await using var self = await RespSocket.ConnectAsync(Node);
        string address = (await self.AskAsync("CLIENT", "INFO")).Split(' ').Single(f => f.StartsWith("addr=", StringComparison.Ordinal))[5..];

        Assert.Equal(":0", await self.AskAsync("CLIENT", "KILL", "ADDR", address));
        Assert.Equal(":1", await self.AskAsync("CLIENT", "KILL", "ADDR", address, "SKIPME", "no"));
        await self.AssertClosedByNodeAsync();
    }

    [Fact]
    public async Task ConfigGet_AnswersWhatClientsAskOnConnecting_AndConfigSetIsRefused()
    {
        await using var redis = await RespSocket.ConnectAsync(Node);

        Assert.Equal("databases|1", await redis.AskAsync("CONFIG", "GET", "databases"));
        Assert.Equal("save||appendonly|no", await redis.AskAsync("CONFIG", "GET", "save", "appendonly"));
        Assert.Equal("replica-read-only|yes|slave-read-only|yes", await redis.AskAsync("CONFIG", "GET", "*read-only"));
        Assert.Equal($"proto-max-bulk-len|{HttpNodeFixture.MaxValueBytes}", await redis.AskAsync("CONFIG", "GET", "proto-max-bulk-len"));
        Assert.Equal(string.Empty, await redis.AskAsync("CONFIG", "GET", "no-such-parameter"));
        Assert.StartsWith("-ERR CONFIG SET is not supported", await redis.AskAsync("CONFIG", "SET", "maxmemory", "1"));
        Assert.Equal("-ERR wrong number of arguments for 'config|get' command", await redis.AskAsync("CONFIG", "GET"));
    }

    [Fact]
    public async Task ReadmeCommandTable_NamesEveryCommandTheNodeServes()
    {
        await using var redis = await RespSocket.ConnectAsync(Node);
        var served = (await redis.AskAsync("COMMAND", "LIST")).Split('|');

        string readme = await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "README.md"));
        int start = readme.IndexOf("## Redis protocol", StringComparison.Ordinal);
        string section = readme[start..readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal)];

        Assert.True(served.Length >= 60, $"COMMAND LIST named {served.Length} commands");
        var missing = served.Where(name => !System.Text.RegularExpressions.Regex.IsMatch(
            section, $"`{System.Text.RegularExpressions.Regex.Escape(name.ToUpperInvariant())}[`\\s/\\[]")).ToList();
        Assert.True(missing.Count == 0, $"The README's Redis protocol section does not list: {string.Join(", ", missing)}");
    }
}
