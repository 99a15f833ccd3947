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
            $"-ERR an argument of {HttpNodeFixture.MaxValueBytes + 1} bytes is larger than MAX_VALUE_BYTES ({HttpNodeFixture.MaxValueBytes})",
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
        Assert.Equal("-ERR The key is 1025 bytes; the limit is 1024.", await socket.ReadReplyAsync());
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
    public async Task RedisCli_SetsGetsAndReportsErrors_AsWithRedis()
    {
        Assert.Equal((0, "OK"), await RedisCliAsync("set", "cli greeting", "hello from redis-cli"));
        Assert.Equal((0, "hello from redis-cli"), await RedisCliAsync("get", "cli greeting"));
        Assert.Equal((0, string.Empty), await RedisCliAsync("get", "cli never stored"));
        // redis-cli prints an error reply and exits 0, with Redis too.
        Assert.Equal((0, "ERR unknown command 'nosuch', with args beginning with: 'x' 'y'"), await RedisCliAsync("nosuch", "x", "y"));
        Assert.Equal((0, "ERR wrong number of arguments for 'get' command"), await RedisCliAsync("get"));
        Assert.Equal((0, "ERR syntax error"), await RedisCliAsync("set", "cli greeting", "v", "EX", "10"));
        Assert.Equal((0, "hello from redis-cli"), await RedisCliAsync("get", "cli greeting"));
    }

    // Runs redis-cli as a user would (not a terminal, so replies print raw); the exit code and what it printed.
    private async Task<(int ExitCode, string Output)> RedisCliAsync(params string[] arguments)
    {
        var run = await CommandRun.RunAsync("redis-cli", ["-h", Node.Ip, "-p", "6379", .. arguments], Timeout);
        return (run.ExitCode, (run.Output + run.Error).TrimEnd('\n').TrimEnd());
    }
}
