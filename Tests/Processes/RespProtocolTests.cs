using System.Globalization;
using System.Text.RegularExpressions;
using OrleansCache.Tests.Infrastructure;

namespace OrleansCache.Tests.Processes;

/// <summary>
/// The Redis protocol port of one real node, driven with bytes on a bare socket (malformed and oversized
/// frames, pipelines) and with Debian's <c>redis-cli</c>, a client nobody here wrote.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class RespProtocolTests(HttpNodeFixture fixture) : IClassFixture<HttpNodeFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private NodeProcess Node => fixture.Node;

    [Fact]
    public async Task MalformedFrame_ClosesOnlyThatConnection_AndTheNodeKeepsServing()
    {
        await using var bystander = await RespSocket.ConnectAsync(Node);
        await bystander.SendAsync(RespSocket.Command("SET", "bystander", "kept"));
        Assert.Equal("+OK", await bystander.ReadReplyAsync());

        await using (var broken = await RespSocket.ConnectAsync(Node))
        {
            await broken.SendAsync("*1\r\n$4\r\nPING\r\n*x\r\n");

            Assert.Equal("+PONG", await broken.ReadReplyAsync());
            Assert.Equal("-ERR Protocol error: invalid multibulk length", await broken.ReadReplyAsync());
            await broken.AssertClosedByNodeAsync();
        }

        await bystander.SendAsync(RespSocket.Command("GET", "bystander"));
        Assert.Equal("kept", await bystander.ReadReplyAsync());
        await using var next = await RespSocket.ConnectAsync(Node);
        await next.SendAsync(RespSocket.Command("PING"));
        Assert.Equal("+PONG", await next.ReadReplyAsync());
    }

    [Fact]
    public async Task OversizedValue_IsRefused_AndTheConnectionStaysOpen_ButAnAbsurdLengthClosesIt()
    {
        await using var socket = await RespSocket.ConnectAsync(Node);
        await socket.SendAsync(RespSocket.Command("SET", "oversized", "before"));
        Assert.Equal("+OK", await socket.ReadReplyAsync());

        await socket.SendAsync(RespSocket.Command("SET", "oversized", new string('v', HttpNodeFixture.MaxValueBytes + 1)));
        Assert.Equal(
            $"-ERR The value is {HttpNodeFixture.MaxValueBytes + 1} bytes; the limit is {HttpNodeFixture.MaxValueBytes} (MAX_VALUE_BYTES).",
            await socket.ReadReplyAsync());
        await socket.SendAsync(RespSocket.Command("GET", "oversized"));
        Assert.Equal("before", await socket.ReadReplyAsync());

        // 100 GB announced: refused at once, nothing allocated, and the stream cannot be trusted any more.
        await socket.SendAsync("*3\r\n$3\r\nSET\r\n$9\r\noversized\r\n$99999999999\r\n");
        Assert.Equal("-ERR Protocol error: invalid bulk length", await socket.ReadReplyAsync());
        await socket.AssertClosedByNodeAsync();
    }

    [Fact]
    public async Task Pipeline_RepliesInOrder_AndEachReadSeesTheWriteBeforeIt()
    {
        await using var socket = await RespSocket.ConnectAsync(Node);
        var pipeline = new List<byte>();
        for (int i = 0; i < 300; i++)
        {
            pipeline.AddRange(RespSocket.Command("SET", $"pipelined {i % 7}", $"value {i}"));
            pipeline.AddRange(RespSocket.Command("GET", $"pipelined {i % 7}"));
        }

        pipeline.AddRange(RespSocket.Command("DEL", "pipelined 0", "pipelined 1", "never stored"));
        pipeline.AddRange(RespSocket.Command("EXISTS", "pipelined 0", "pipelined 2", "pipelined 2"));

        await socket.SendAsync([.. pipeline]);

        for (int i = 0; i < 300; i++)
        {
            Assert.Equal("+OK", await socket.ReadReplyAsync());
            Assert.Equal($"value {i}", await socket.ReadReplyAsync());
        }

        Assert.Equal(":2", await socket.ReadReplyAsync());
        Assert.Equal(":2", await socket.ReadReplyAsync());
    }

    [Fact]
    public async Task InvalidKey_GetsAnError_AndTheConnectionStaysOpen()
    {
        await using var socket = await RespSocket.ConnectAsync(Node);
        byte[] notUtf8 = [.. "*2\r\n$3\r\nGET\r\n$2\r\n"u8, 0xC3, 0x28, .. "\r\n"u8];

        await socket.SendAsync(notUtf8);
        await socket.SendAsync(RespSocket.Command("SET", new string('k', 1025), "v"));
        await socket.SendAsync(RespSocket.Command("MSET", "fine", "v", "", "v"));
        await socket.SendAsync(RespSocket.Command("GET", "fine"));

        Assert.Equal("-ERR The key is not valid UTF-8; a key is 1 to 1024 bytes of UTF-8.", await socket.ReadReplyAsync());
        Assert.Equal("-ERR The key is 1025 bytes of UTF-8; the limit is 1024.", await socket.ReadReplyAsync());
        Assert.Equal("-ERR The key is empty; a key is 1 to 1024 bytes of UTF-8.", await socket.ReadReplyAsync());
        Assert.Equal("$-1", await socket.ReadReplyAsync());
    }

    [Fact]
    public async Task GarbledFrames_NeverStopTheNode_AndEachConnectionEnds()
    {
        // Valid commands with bytes flipped, dropped or repeated, and made-up lengths: whatever arrives, the
        // node answers or closes that connection, and keeps serving others.
        var random = new Random(6379);
        byte[][] seeds =
        [
            RespSocket.Command("SET", "garbled", "value"), RespSocket.Command("MGET", "a", "b", "c"),
            RespSocket.Command("HELLO", "2", "SETNAME", "x"), "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2147483648\r\n"u8.ToArray(),
        ];
        for (int i = 0; i < 150; i++)
        {
            var bytes = new List<byte>(seeds[random.Next(seeds.Length)]);
            for (int edits = random.Next(1, 4); edits > 0; edits--)
            {
                int at = random.Next(bytes.Count);
                switch (random.Next(3))
                {
                    case 0: bytes[at] = (byte)random.Next(256); break;
                    case 1: bytes.RemoveAt(at); break;
                    default: bytes.InsertRange(at, bytes.GetRange(at, Math.Min(5, bytes.Count - at))); break;
                }
            }

            await using var socket = await RespSocket.ConnectAsync(Node);
            await socket.SendAsync([.. bytes]);
            await socket.FinishAsync();
        }

        Assert.False(Node.HasExited, Node.Output);
        await using var after = await RespSocket.ConnectAsync(Node);
        await after.SendAsync(RespSocket.Command("PING"));
        Assert.Equal("+PONG", await after.ReadReplyAsync());
    }

    [Fact]
    public async Task ConnectionCommands_AnswerAsRedisDoes()
    {
        await using var socket = await RespSocket.ConnectAsync(Node);
        await socket.SendAsync([
            .. RespSocket.Command("HELLO", "3"),
            .. RespSocket.Command("CLIENT", "SETNAME", "tests"),
            .. RespSocket.Command("CLIENT", "GETNAME"),
            .. RespSocket.Command("SELECT", "0"),
            .. RespSocket.Command("SELECT", "1"),
            .. RespSocket.Command("ECHO", "hi"),
            .. RespSocket.Command("PING", "a", "b"),
            .. RespSocket.Command("CLIENT", "NOPE"),
            .. RespSocket.Command("QUIT"),
        ]);

        Assert.Equal("-NOPROTO unsupported protocol version", await socket.ReadReplyAsync());
        Assert.Equal("+OK", await socket.ReadReplyAsync());
        Assert.Equal("tests", await socket.ReadReplyAsync());
        Assert.Equal("+OK", await socket.ReadReplyAsync());
        Assert.Equal("-ERR DB index is out of range", await socket.ReadReplyAsync());
        Assert.Equal("hi", await socket.ReadReplyAsync());
        Assert.Equal("-ERR wrong number of arguments for 'ping' command", await socket.ReadReplyAsync());
        Assert.Equal("-ERR unknown subcommand 'NOPE'. Try CLIENT HELP.", await socket.ReadReplyAsync());
        Assert.Equal("+OK", await socket.ReadReplyAsync());
        await socket.AssertClosedByNodeAsync();
    }

    [Fact]
    public async Task SetOptions_AreParsedAsRedis7Does_AndARefusedSetChangesNothing()
    {
        await using var socket = await RespSocket.ConnectAsync(Node);
        await socket.SendAsync([
            .. RespSocket.Command("SET", "options", "before"),
            .. RespSocket.Command("SET", "options", "v", "NX", "XX"),
            .. RespSocket.Command("SET", "options", "v", "EX", "10", "PX", "10000"),
            .. RespSocket.Command("SET", "options", "v", "KEEPTTL", "EXAT", "4102444800"),
            .. RespSocket.Command("SET", "options", "v", "PXAT", "4102444800000", "KEEPTTL"),
            .. RespSocket.Command("SET", "options", "v", "EX"),
            .. RespSocket.Command("SET", "options", "v", "FOREVER"),
            .. RespSocket.Command("SET", "options", "v", "EX", "ten"),
            .. RespSocket.Command("SET", "options", "v", "EX", "+10"),
            .. RespSocket.Command("SET", "options", "v", "EX", "0"),
            .. RespSocket.Command("SET", "options", "v", "PX", "-5"),
            .. RespSocket.Command("SET", "options", "v", "EX", "9223372036854775807"),
            .. RespSocket.Command("SETEX", "options", "0", "v"),
            .. RespSocket.Command("PSETEX", "options", "1.5", "v"),
            .. RespSocket.Command("GET", "options"),

            // Accepted as Redis 7.0 accepts them: a repeated option, the last expiry winning; NX with GET.
            .. RespSocket.Command("SET", "options", "after", "xx", "ex", "1000", "ex", "500", "XX"),
            .. RespSocket.Command("TTL", "options"),
            .. RespSocket.Command("SET", "options", "ignored", "NX", "GET"),
            .. RespSocket.Command("SET", "options absent", "new", "NX", "GET"),
            .. RespSocket.Command("SET", "options never", "v", "XX"),
            .. RespSocket.Command("EXISTS", "options never"),
        ]);

        Assert.Equal("+OK", await socket.ReadReplyAsync());
        for (int i = 0; i < 6; i++)
        {
            Assert.Equal("-ERR syntax error", await socket.ReadReplyAsync());
        }

        Assert.Equal("-ERR value is not an integer or out of range", await socket.ReadReplyAsync());
        Assert.Equal("-ERR value is not an integer or out of range", await socket.ReadReplyAsync());
        Assert.Equal("-ERR invalid expire time in 'set' command", await socket.ReadReplyAsync());
        Assert.Equal("-ERR invalid expire time in 'set' command", await socket.ReadReplyAsync());
        Assert.Equal("-ERR invalid expire time in 'set' command", await socket.ReadReplyAsync());
        Assert.Equal("-ERR invalid expire time in 'setex' command", await socket.ReadReplyAsync());
        Assert.Equal("-ERR value is not an integer or out of range", await socket.ReadReplyAsync());
        Assert.Equal("before", await socket.ReadReplyAsync());

        Assert.Equal("+OK", await socket.ReadReplyAsync());
        Assert.InRange(int.Parse((await socket.ReadReplyAsync())[1..]), 400, 500);
        Assert.Equal("after", await socket.ReadReplyAsync());
        Assert.Equal("$-1", await socket.ReadReplyAsync());
        Assert.Equal("$-1", await socket.ReadReplyAsync());
        Assert.Equal(":0", await socket.ReadReplyAsync());
    }

    [Fact]
    public async Task Counters_RefuseNonIntegersAndOverflow_InRedisWords_AndKeepTheValue()
    {
        await using var socket = await RespSocket.ConnectAsync(Node);
        await socket.SendAsync([
            .. RespSocket.Command("SET", "counter text", "12 apples"),
            .. RespSocket.Command("INCR", "counter text"),
            .. RespSocket.Command("SET", "counter", "9223372036854775806"),
            .. RespSocket.Command("INCR", "counter"),
            .. RespSocket.Command("INCR", "counter"),
            .. RespSocket.Command("INCRBY", "counter", "x"),
            .. RespSocket.Command("INCRBY", "counter", "9223372036854775808"),
            .. RespSocket.Command("DECRBY", "counter", "-9223372036854775808"),
            .. RespSocket.Command("DECRBY", "counter", "9223372036854775807"),
            .. RespSocket.Command("DECRBY", "counter", "1"),
            .. RespSocket.Command("DECR", "counter"),
            .. RespSocket.Command("DECR", "counter"),
            .. RespSocket.Command("GET", "counter"),
            .. RespSocket.Command("GET", "counter text"),
            .. RespSocket.Command("DECRBY", "counter new", "-5"),
        ]);

        Assert.Equal("+OK", await socket.ReadReplyAsync());
        Assert.Equal("-ERR value is not an integer or out of range", await socket.ReadReplyAsync());
        Assert.Equal("+OK", await socket.ReadReplyAsync());
        Assert.Equal(":9223372036854775807", await socket.ReadReplyAsync());
        Assert.Equal("-ERR increment or decrement would overflow", await socket.ReadReplyAsync());
        Assert.Equal("-ERR value is not an integer or out of range", await socket.ReadReplyAsync());
        Assert.Equal("-ERR value is not an integer or out of range", await socket.ReadReplyAsync());
        Assert.Equal("-ERR decrement would overflow", await socket.ReadReplyAsync());
        Assert.Equal(":0", await socket.ReadReplyAsync());
        Assert.Equal(":-1", await socket.ReadReplyAsync());
        Assert.Equal(":-2", await socket.ReadReplyAsync());
        Assert.Equal(":-3", await socket.ReadReplyAsync());
        Assert.Equal("-3", await socket.ReadReplyAsync());
        Assert.Equal("12 apples", await socket.ReadReplyAsync());
        Assert.Equal(":5", await socket.ReadReplyAsync());
    }

    [Fact]
    public async Task ExpiryCommands_AnswerAsRedisDoes()
    {
        await using var socket = await RespSocket.ConnectAsync(Node);
        await socket.SendAsync([
            .. RespSocket.Command("SET", "expiry", "v"),
            .. RespSocket.Command("TTL", "expiry"),
            .. RespSocket.Command("TTL", "expiry missing"),
            .. RespSocket.Command("PTTL", "expiry missing"),
            .. RespSocket.Command("EXPIRE", "expiry missing", "100"),
            .. RespSocket.Command("EXPIRE", "expiry", "1000"),
            .. RespSocket.Command("TTL", "expiry"),
            .. RespSocket.Command("PEXPIRE", "expiry", "500000"),
            .. RespSocket.Command("PTTL", "expiry"),
            .. RespSocket.Command("EXPIREAT", "expiry", "4102444800"),
            .. RespSocket.Command("TTL", "expiry"),
            .. RespSocket.Command("PERSIST", "expiry"),
            .. RespSocket.Command("PERSIST", "expiry"),
            .. RespSocket.Command("TTL", "expiry"),
            .. RespSocket.Command("EXPIRE", "expiry", "soon"),
            .. RespSocket.Command("EXPIRE", "expiry", "10", "NX"), // no expiry since PERSIST: set
            .. RespSocket.Command("EXPIRE", "expiry", "10", "SOMETIME"),
            .. RespSocket.Command("PEXPIRE", "expiry", "9223372036854775807"),
            .. RespSocket.Command("SET", "expiry kept", "v", "EX", "1000"),
            .. RespSocket.Command("SET", "expiry kept", "w", "KEEPTTL"),
            .. RespSocket.Command("TTL", "expiry kept"),
            .. RespSocket.Command("SET", "expiry kept", "x"),
            .. RespSocket.Command("TTL", "expiry kept"),

            // A time already past deletes the key at once, as Redis does.
            .. RespSocket.Command("EXPIRE", "expiry", "0"),
            .. RespSocket.Command("EXISTS", "expiry"),
            .. RespSocket.Command("SET", "expiry", "v", "PXAT", "1"),
            .. RespSocket.Command("EXISTS", "expiry"),
        ]);

        Assert.Equal("+OK", await socket.ReadReplyAsync());
        Assert.Equal(":-1", await socket.ReadReplyAsync());
        Assert.Equal(":-2", await socket.ReadReplyAsync());
        Assert.Equal(":-2", await socket.ReadReplyAsync());
        Assert.Equal(":0", await socket.ReadReplyAsync());
        Assert.Equal(":1", await socket.ReadReplyAsync());
        Assert.InRange(Integer(await socket.ReadReplyAsync()), 900, 1000);
        Assert.Equal(":1", await socket.ReadReplyAsync());
        Assert.InRange(Integer(await socket.ReadReplyAsync()), 400_000, 500_000);
        Assert.Equal(":1", await socket.ReadReplyAsync());
        long untilYear2100 = 4102444800 - DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.InRange(Integer(await socket.ReadReplyAsync()), untilYear2100 - 100, untilYear2100 + 1);
        Assert.Equal(":1", await socket.ReadReplyAsync());
        Assert.Equal(":0", await socket.ReadReplyAsync());
        Assert.Equal(":-1", await socket.ReadReplyAsync());
        Assert.Equal("-ERR value is not an integer or out of range", await socket.ReadReplyAsync());
        Assert.Equal(":1", await socket.ReadReplyAsync());
        Assert.Equal("-ERR Unsupported option SOMETIME", await socket.ReadReplyAsync());
        Assert.Equal("-ERR invalid expire time in 'pexpire' command", await socket.ReadReplyAsync());
        Assert.Equal("+OK", await socket.ReadReplyAsync());
        Assert.Equal("+OK", await socket.ReadReplyAsync());
        Assert.InRange(Integer(await socket.ReadReplyAsync()), 900, 1000);
        Assert.Equal("+OK", await socket.ReadReplyAsync());
        Assert.Equal(":-1", await socket.ReadReplyAsync());
        Assert.Equal(":1", await socket.ReadReplyAsync());
        Assert.Equal(":0", await socket.ReadReplyAsync());
        Assert.Equal("+OK", await socket.ReadReplyAsync());
        Assert.Equal(":0", await socket.ReadReplyAsync());
    }

    [Fact]
    public async Task MultiKeyCommands_InAPipeline_SeeTheWritesBeforeThem_OnEachKey()
    {
        await using var socket = await RespSocket.ConnectAsync(Node);
        var pipeline = new List<byte>();
        for (int i = 0; i < 100; i++)
        {
            pipeline.AddRange(RespSocket.Command("SET", $"batched {i % 3}", $"v{i}"));
            pipeline.AddRange(RespSocket.Command("MSET", $"batched {(i + 1) % 3}", $"m{i}", "batched other", $"m{i}"));
            pipeline.AddRange(RespSocket.Command("MGET", "batched 0", "batched 1", "batched 2", "batched other"));
            pipeline.AddRange(RespSocket.Command("DEL", $"batched {(i + 2) % 3}"));
            pipeline.AddRange(RespSocket.Command("EXISTS", "batched 0", "batched 1", "batched 2", "batched 0"));
        }

        await socket.SendAsync([.. pipeline]);

        var model = new Dictionary<string, string>();
        for (int i = 0; i < 100; i++)
        {
            model[$"batched {i % 3}"] = $"v{i}";
            model[$"batched {(i + 1) % 3}"] = model["batched other"] = $"m{i}";
            Assert.Equal("+OK", await socket.ReadReplyAsync());
            Assert.Equal("+OK", await socket.ReadReplyAsync());
            string[] keys = ["batched 0", "batched 1", "batched 2", "batched other"];
            Assert.Equal(string.Join('|', keys.Select(k => model.GetValueOrDefault(k, "$-1"))), await socket.ReadReplyAsync());
            Assert.Equal($":{(model.Remove($"batched {(i + 2) % 3}") ? 1 : 0)}", await socket.ReadReplyAsync());
            int existing = new[] { "batched 0", "batched 1", "batched 2", "batched 0" }.Count(model.ContainsKey);
            Assert.Equal($":{existing}", await socket.ReadReplyAsync());
        }
    }

    [Fact]
    public async Task DbSizeAndInfo_CountTheClustersKeys()
    {
        await using var socket = await RespSocket.ConnectAsync(Node);
        await socket.SendAsync([
            .. RespSocket.Command("MSET", "sized 1", "a", "sized 2", "b", "sized 3", "c"),
            .. RespSocket.Command("GET", "sized 1"),
            .. RespSocket.Command("GET", "sized never stored"),
            .. RespSocket.Command("DBSIZE"),
            .. RespSocket.Command("INFO", "keyspace", "stats"),
            .. RespSocket.Command("INFO"),
        ]);

        Assert.Equal("+OK", await socket.ReadReplyAsync());
        Assert.Equal("a", await socket.ReadReplyAsync());
        Assert.Equal("$-1", await socket.ReadReplyAsync());
        long keys = Integer(await socket.ReadReplyAsync());
        Assert.True(keys >= 3, $"DBSIZE {keys}: the three keys just set are stored");

        var sections = (await socket.ReadReplyAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("# Stats", sections[0]);
        Assert.True(long.Parse(Field(sections, "keyspace_hits")) >= 1);
        Assert.True(long.Parse(Field(sections, "keyspace_misses")) >= 1);
        Assert.Equal("0", Field(sections, "evicted_keys"));
        Assert.Contains("# Keyspace", sections);
        var db0 = Regex.Match(Field(sections, "db0"), @"^keys=(\d+),expires=(\d+),avg_ttl=0$");
        Assert.True(db0.Success && long.Parse(db0.Groups[1].Value) >= 3, $"db0:{Field(sections, "db0")}");

        var all = await socket.ReadReplyAsync();
        Assert.Equal(
            ["# Server", "# Clients", "# Stats", "# Replication", "# Cluster", "# Keyspace"],
            all.Split("\r\n").Where(line => line.StartsWith('#')));
        Assert.InRange(int.Parse(Field(all.Split("\r\n"), "connected_clients"), CultureInfo.InvariantCulture), 1, 10);
        Assert.Equal("10000", Field(all.Split("\r\n"), "maxclients"));
        Assert.Equal("cluster", Field(all.Split("\r\n"), "redis_mode"));
        Assert.Equal("1", Field(all.Split("\r\n"), "cluster_enabled"));
    }

    [CheckedFact]
    [Needs(Prerequisite.RedisCli)]
    public async Task RedisCli_SetsGetsAndReportsErrors_AsWithRedis()
    {
        Assert.Equal((0, "OK"), await RedisCliAsync("set", "cli greeting", "hello from redis-cli"));
        Assert.Equal((0, "hello from redis-cli"), await RedisCliAsync("get", "cli greeting"));
        Assert.Equal((0, string.Empty), await RedisCliAsync("get", "cli never stored"));
        // redis-cli prints an error reply and exits 0, with Redis too.
        Assert.Equal((0, "ERR unknown command 'nosuch', with args beginning with: 'x' 'y'"), await RedisCliAsync("nosuch", "x", "y"));
        Assert.Equal((0, "ERR wrong number of arguments for 'get' command"), await RedisCliAsync("get"));
        Assert.Equal((0, "ERR syntax error"), await RedisCliAsync("set", "cli greeting", "v", "EX", "10", "KEEPTTL"));
        Assert.Equal((0, "hello from redis-cli"), await RedisCliAsync("get", "cli greeting"));
        Assert.Equal((0, "OK"), await RedisCliAsync("set", "cli greeting", "hello again", "EX", "1000"));
        var ttl = await RedisCliAsync("ttl", "cli greeting");
        Assert.Equal(0, ttl.ExitCode);
        Assert.InRange(int.Parse(ttl.Output), 900, 1000);
        Assert.Equal((0, "1"), await RedisCliAsync("persist", "cli greeting"));
        Assert.Equal((0, "-1"), await RedisCliAsync("ttl", "cli greeting"));
        Assert.Equal((0, "-2"), await RedisCliAsync("ttl", "cli never stored"));
        Assert.Equal((0, "hello again"), await RedisCliAsync("set", "cli greeting", "hello", "XX", "GET"));
        Assert.Equal((0, string.Empty), await RedisCliAsync("set", "cli greeting", "ignored", "NX"));
        Assert.Equal((0, "1"), await RedisCliAsync("incr", "cli counter"));
        Assert.Equal((0, "11"), await RedisCliAsync("incrby", "cli counter", "10"));
        Assert.Equal((0, "ERR value is not an integer or out of range"), await RedisCliAsync("incr", "cli greeting"));
    }

    [CheckedFact]
    [Needs(Prerequisite.RedisCli)]
    public async Task RedisCliPipe_MassInsertsInlineAndRespCommands_WithNoErrors()
    {
        await RedisCli.EnsureAsync();

        // Redis's mass-insertion guide: a file of commands, inline or as RESP, piped through redis-cli --pipe, which
        // ends with an ECHO of a random marker and counts the replies.
        string file = Path.Combine(Path.GetTempPath(), $"pipe-{Guid.NewGuid():N}.txt");
        await File.WriteAllTextAsync(file, "SET pipe:1 one\r\nSET pipe:2 \"two words\"\r\n\r\n*3\r\n$3\r\nSET\r\n$6\r\npipe:3\r\n$5\r\nthree\r\n");
        try
        {
            var run = await CommandRun.RunAsync("bash", ["-c", $"redis-cli -h {Node.Ip} -p 6379 --pipe < {file}"], Timeout);

            Assert.True(run.ExitCode == 0, run.Output + run.Error);
            Assert.Contains("errors: 0, replies: 3", run.Output + run.Error);
            Assert.Equal((0, "two words"), await RedisCliAsync("get", "pipe:2"));
            Assert.Equal((0, "three"), await RedisCliAsync("get", "pipe:3"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task InlineCommands_AreServed_AsTelnetSendsThem()
    {
        await using var socket = await RespSocket.ConnectAsync(Node);

        await socket.SendAsync("PING\r\nSET inline \"a b\"\r\nGET inline\r\nGET 'unbalanced\r\n");

        Assert.Equal("+PONG", await socket.ReadReplyAsync());
        Assert.Equal("+OK", await socket.ReadReplyAsync());
        Assert.Equal("a b", await socket.ReadReplyAsync());
        Assert.Equal("-ERR Protocol error: unbalanced quotes in request", await socket.ReadReplyAsync());
        await socket.AssertClosedByNodeAsync();
    }

    private static long Integer(string reply) => reply[0] == ':' ? long.Parse(reply[1..]) : throw new FormatException($"Not an integer reply: {reply}");

    private static string Field(string[] lines, string name) =>
        lines.Single(line => line.StartsWith(name + ":", StringComparison.Ordinal))[(name.Length + 1)..];

    // Runs redis-cli as a user would (not a terminal, so replies print raw); the exit code and what it printed.
    private async Task<(int ExitCode, string Output)> RedisCliAsync(params string[] arguments)
    {
        await RedisCli.EnsureAsync();
        var run = await CommandRun.RunAsync("redis-cli", ["-h", Node.Ip, "-p", "6379", .. arguments], Timeout);
        return (run.ExitCode, (run.Output + run.Error).TrimEnd('\n').TrimEnd());
    }
}
