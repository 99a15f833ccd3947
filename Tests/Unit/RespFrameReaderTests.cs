using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using OrleansCache.Silo.Resp;

namespace OrleansCache.Tests.Unit;

/// <summary>
/// The RESP frame reader fed through a real <see cref="Pipe"/> in chunks of every size, as a socket
/// delivers bytes: the pipe reuses its buffers once consumed, so an argument kept as a slice past its
/// consumption would read garbage here.
/// </summary>
public sealed class RespFrameReaderTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(100_000)]
    public async Task TryRead_ReadsEveryFrame_WhateverChunksTheBytesArriveIn(int chunk)
    {
        var input = Frame("PING") + Frame("SET", "key", "a value\r\nwith CRLF inside") + "*0\r\n*-1\r\n" + Frame("MGET", "a", "", "b");

        var frames = await ReadAllAsync(input, chunk, maxBulkBytes: 1024);

        Assert.Equal(
            ["Complete PING", "Complete SET|key|a value\r\nwith CRLF inside", "Empty", "Empty", "Complete MGET|a||b", "end"],
            frames);
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(65536)]
    [InlineData(1_000_000)]
    public async Task TryRead_ReadsAFrameLargerThanThePipeHolds_WithItsBytesIntact(int chunk)
    {
        // Larger than the resume threshold: read across several pipe reads, its arguments copied out.
        var large = new string('x', 300_000) + "end";
        var many = new List<string> { "MSET" };
        for (int i = 0; i < 300; i++)
        {
            many.Add($"key{i}");
            many.Add(new string((char)('a' + (i % 26)), 1000));
        }

        var input = Frame("SET", "big", large) + Frame([.. many]) + Frame("PING");

        var frames = await ReadAllAsync(input, chunk, maxBulkBytes: 1024 * 1024);

        Assert.Equal(["Complete SET|big|" + large, "Complete " + string.Join('|', many), "Complete PING", "end"], frames);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(100_000)]
    public async Task TryRead_SkipsAnArgumentOverTheLimit_AndRefusesOnlyThatFrame(int chunk)
    {
        var input = Frame("SET", "k", new string('v', 50)) + Frame("GET", "k");

        var frames = await ReadAllAsync(input, chunk, maxBulkBytes: 10);

        Assert.Equal(["Rejected an argument of 50 bytes is larger than MAX_VALUE_BYTES (10)", "Complete GET|k", "end"], frames);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(100_000)]
    public async Task TryRead_ReadsInlineCommands_AsRedisSplitsThem(int chunk)
    {
        var input = "PING\r\n\r\n\n  SET  key   value \r\nSET \"a b\" \"x\\ty\\x41\\\"\" 'it\\'s'\nGET k\"q\"\r\n" + Frame("GET", "key");

        var frames = await ReadAllAsync(input, chunk, maxBulkBytes: 1024);

        Assert.Equal(
            ["Complete PING", "Empty", "Empty", "Complete SET|key|value", "Complete SET|a b|x\tyA\"|it's", "Complete GET|kq", "Complete GET|key", "end"],
            frames);
    }

    [Fact]
    public async Task TryRead_RefusesAnInlineLineLongerThanRedisAllows()
    {
        var frames = await ReadAllAsync(new string('x', RespFrameReader.MaxInlineBytes + 10), chunk: 100_000, maxBulkBytes: 1024);

        Assert.Equal("Malformed Protocol error: too big inline request", frames[^1]);
    }

    [Theory]
    [InlineData("SET k \"unterminated\r\n", "Protocol error: unbalanced quotes in request")]
    [InlineData("SET k \"closed\"x\r\n", "Protocol error: unbalanced quotes in request")]
    [InlineData("SET k 'single\r\n", "Protocol error: unbalanced quotes in request")]
    [InlineData("*x\r\n", "Protocol error: invalid multibulk length")]
    [InlineData("*2000000\r\n", "Protocol error: invalid multibulk length")]
    [InlineData("*99999999999999999999\r\n", "Protocol error: invalid multibulk length")]
    [InlineData("*1\r\n:1\r\n", "Protocol error: expected '$', got ':'")]
    [InlineData("*1\r\n$-1\r\n", "Protocol error: invalid bulk length")]
    [InlineData("*1\r\n$99999999999\r\n", "Protocol error: invalid bulk length")]
    [InlineData("*1\r\n$4\r\nPINGxx", "Protocol error: a bulk string does not end with CRLF")]
    [InlineData("*1\r\n$4\r\nPING\r\n*1\n", "Protocol error: invalid multibulk length")]
    public async Task TryRead_ReportsAMalformedFrame_InRedisWords(string input, string error)
    {
        var frames = await ReadAllAsync(input, chunk: 1, maxBulkBytes: 1024);

        Assert.Equal("Malformed " + error, frames[^1]);
    }

    private static string Frame(params string[] arguments)
    {
        var frame = new StringBuilder($"*{arguments.Length}\r\n");
        foreach (var argument in arguments)
        {
            frame.Append($"${Encoding.UTF8.GetByteCount(argument)}\r\n{argument}\r\n");
        }

        return frame.ToString();
    }

    // Feeds the input in chunks and lists what the reader made of it, as the connection loop does.
    private static async Task<List<string>> ReadAllAsync(string input, int chunk, int maxBulkBytes)
    {
        var bytes = Encoding.UTF8.GetBytes(input);
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
        var frames = new RespFrameReader(maxBulkBytes);
        var seen = new List<string>();
        for (int offset = 0; offset < bytes.Length; offset += chunk)
        {
            await pipe.Writer.WriteAsync(bytes.AsMemory(offset, Math.Min(chunk, bytes.Length - offset))).AsTask().WaitAsync(Timeout);
            var read = await pipe.Reader.ReadAsync().AsTask().WaitAsync(Timeout);
            if (!ReadFrames(frames, read.Buffer, seen, out var consumed))
            {
                return seen;
            }

            pipe.Reader.AdvanceTo(consumed, read.Buffer.End);
        }

        seen.Add("end");
        return seen;
    }

    private static bool ReadFrames(RespFrameReader frames, ReadOnlySequence<byte> buffer, List<string> seen, out SequencePosition consumed)
    {
        var reader = new SequenceReader<byte>(buffer);
        while (true)
        {
            var status = frames.TryRead(ref reader, out var error);
            consumed = reader.Position;
            switch (status)
            {
                case RespFrameStatus.Incomplete:
                    return true;
                case RespFrameStatus.Malformed:
                    seen.Add($"Malformed {error}");
                    return false;
                case RespFrameStatus.Rejected:
                    seen.Add($"Rejected {frames.Rejection}");
                    break;
                case RespFrameStatus.Empty:
                    seen.Add("Empty");
                    break;
                default:
                    var arguments = new List<string>();
                    foreach (var argument in frames.Arguments)
                    {
                        arguments.Add(Encoding.UTF8.GetString(argument));
                    }

                    seen.Add($"Complete {string.Join('|', arguments)}");
                    break;
            }
        }
    }
}
