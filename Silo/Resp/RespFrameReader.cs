using System.Buffers;
using System.Runtime.InteropServices;

namespace OrleansCache.Silo.Resp;

/// <summary>
/// Reads RESP2 command frames (<c>*N\r\n</c> then N times <c>$L\r\n&lt;L bytes&gt;\r\n</c>), and inline commands
/// (a line of words, as telnet and <c>redis-cli --pipe</c> send), from a connection's input, one connection's worth of state.
/// </summary>
/// <remarks>
/// A frame that is complete in the buffer is read without copying: its arguments are slices of the pipe's
/// buffer, valid until the caller advances the pipe. A frame that is not complete yet is normally read again
/// from its start when more bytes arrive. Only when it has already buffered <see cref="ResumeThresholdBytes"/>
/// (a large value or a long MSET) are its arguments copied out and its bytes consumed, so that one frame
/// larger than the transport's 1 MiB read buffer cannot stall the connection: the pipe stops reading
/// from the socket while that much is unconsumed.
/// </remarks>
internal sealed class RespFrameReader(int maxBulkBytes)
{
    /// <summary>Most arguments one frame may have (Redis refuses more than 1 Mi arguments too).</summary>
    public const int MaxArguments = 1024 * 1024;

    /// <summary>
    /// Largest bulk length accepted at all; a longer one is a broken or hostile client and closes the
    /// connection. Between the value limit and this, the bytes are skipped and the command refused.
    /// The same as Redis's default <c>proto-max-bulk-len</c>, 512 MiB.
    /// </summary>
    public const long MaxSkippableBulkBytes = 512L * 1024 * 1024;

    /// <summary>Longest inline command line (Redis's <c>PROTO_INLINE_MAX_SIZE</c>, 64 KiB).</summary>
    public const int MaxInlineBytes = 64 * 1024;

    /// <summary>Bytes an incomplete frame may hold in the pipe before it is copied out and consumed.</summary>
    public const int ResumeThresholdBytes = 256 * 1024;

    // Lengths are at most "1048576" or "536870912"; 18 digits cannot overflow a long, and a longer line is
    // refused at once instead of being scanned as it grows.
    private const int MaxLengthDigits = 18;

    private readonly List<ReadOnlySequence<byte>> _arguments = [];

    // State of the frame being read; _expected < 0 between frames.
    private int _expected = -1;
    private byte[]? _partial;
    private int _partialFilled;
    private long _skipping;

    // The first argument over the limit in the frame being read (its position and length), or -1.
    private int _rejectedArgument = -1;
    private long _rejectedBytes;

    /// <summary>The arguments of the frame just read (command name first).</summary>
    public ReadOnlySpan<ReadOnlySequence<byte>> Arguments => CollectionsMarshal.AsSpan(_arguments);

    /// <summary>Why the frame just read must be refused without running it (an oversized argument), or <see langword="null"/>.</summary>
    public string? Rejection => _rejectedArgument < 0
        ? null
        : $"an argument of {_rejectedBytes} bytes is larger than MAX_VALUE_BYTES ({maxBulkBytes})";

    /// <summary>Where the frame just read holds its first oversized argument (0 is the command name), or -1.</summary>
    public int RejectedArgument => _rejectedArgument;

    /// <summary>The length of that argument.</summary>
    public long RejectedBytes => _rejectedBytes;

    /// <summary>
    /// Reads the next frame. <see cref="RespFrameStatus.Complete"/>: <see cref="Arguments"/> hold it until the next
    /// call. <see cref="RespFrameStatus.Incomplete"/>: the reader stands where consuming may stop; call again
    /// with more bytes. <see cref="RespFrameStatus.Malformed"/>: <paramref name="error"/> says why; close the connection.
    /// </summary>
    public RespFrameStatus TryRead(ref SequenceReader<byte> reader, out string? error)
    {
        error = null;
        var frameStart = reader;
        bool resume = _expected >= 0;
        var status = ReadFrame(ref reader, ref error, ref resume);
        if (status != RespFrameStatus.Incomplete)
        {
            _expected = -1;
        }
        else if (resume)
        {
            // The reader stands right after the last byte the state accounts for: the caller consumes up to
            // there, so the slices read so far must stop pointing into the pipe.
            OwnArguments();
        }
        else
        {
            Reset();
            reader = frameStart;
        }

        return status;
    }

    private RespFrameStatus ReadFrame(ref SequenceReader<byte> reader, ref string? error, ref bool resume)
    {
        long frameStart = reader.Consumed;
        if (_expected < 0)
        {
            Reset();
            if (!reader.TryPeek(out byte first))
            {
                return RespFrameStatus.Incomplete;
            }

            if (first != (byte)'*')
            {
                // Not a RESP frame: a line of text (an inline command), as telnet and redis-cli --pipe may send.
                return ReadInline(ref reader, ref error);
            }

            var count = ReadLength(ref reader, ref error);
            if (count is null)
            {
                return error is null ? RespFrameStatus.Incomplete : RespFrameStatus.Malformed;
            }

            if (count > MaxArguments)
            {
                error = "Protocol error: invalid multibulk length";
                return RespFrameStatus.Malformed;
            }

            if (count <= 0)
            {
                // "*0" and "*-1" are empty frames that Redis silently ignores.
                return RespFrameStatus.Empty;
            }

            _expected = (int)count.Value;
        }

        while (_arguments.Count < _expected)
        {
            if (_skipping > 0 || _partial is not null)
            {
                if (!ContinueLargeArgument(ref reader, ref error))
                {
                    return error is null ? RespFrameStatus.Incomplete : RespFrameStatus.Malformed;
                }

                continue;
            }

            if (!reader.TryPeek(out byte first))
            {
                return Suspend(ref reader, frameStart, ref resume);
            }

            if (first != (byte)'$')
            {
                error = $"Protocol error: expected '$', got '{Printable(first)}'";
                return RespFrameStatus.Malformed;
            }

            var length = ReadLength(ref reader, ref error);
            if (length is null)
            {
                return error is null ? Suspend(ref reader, frameStart, ref resume) : RespFrameStatus.Malformed;
            }

            if (length is < 0 or > MaxSkippableBulkBytes)
            {
                error = "Protocol error: invalid bulk length";
                return RespFrameStatus.Malformed;
            }

            if (length > maxBulkBytes)
            {
                // Refused without allocating: skip its bytes as they come, then answer the command with an error.
                if (_rejectedArgument < 0)
                {
                    _rejectedArgument = _arguments.Count;
                    _rejectedBytes = length.Value;
                }

                _skipping = length.Value + 2;
                resume = true;
                continue;
            }

            if (reader.Remaining >= length + 2)
            {
                var value = reader.UnreadSequence.Slice(0, length.Value);
                reader.Advance(length.Value);
                if (!TryReadCrlf(ref reader, ref error))
                {
                    return RespFrameStatus.Malformed;
                }

                _arguments.Add(value);
                continue;
            }

            if (!resume && reader.Length - frameStart < ResumeThresholdBytes)
            {
                return RespFrameStatus.Incomplete;
            }

            // A large argument still arriving: gather it in an array of its exact, already checked, size.
            resume = true;
            _partial = new byte[length.Value];
            _partialFilled = 0;
        }

        return _rejectedArgument < 0 ? RespFrameStatus.Complete : RespFrameStatus.Rejected;
    }

    // An inline command: one line, split into arguments as Redis splits it (sdssplitargs): spaces separate them;
    // "double quotes" take \n, \r, \t, \b, \a, \xHH and \<any> escapes; 'single quotes' take \' only. An empty
    // line is ignored, as Redis ignores it.
    private RespFrameStatus ReadInline(ref SequenceReader<byte> reader, ref string? error)
    {
        if (!reader.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n', advancePastDelimiter: true))
        {
            if (reader.Remaining > MaxInlineBytes)
            {
                error = "Protocol error: too big inline request";
                return RespFrameStatus.Malformed;
            }

            return RespFrameStatus.Incomplete;
        }

        if (line.Length > MaxInlineBytes)
        {
            error = "Protocol error: too big inline request";
            return RespFrameStatus.Malformed;
        }

        if (!InlineArguments.TrySplit(line.ToArray(), _arguments))
        {
            error = "Protocol error: unbalanced quotes in request";
            return RespFrameStatus.Malformed;
        }

        if (_arguments.Count == 0)
        {
            return RespFrameStatus.Empty;
        }

        for (int i = 0; i < _arguments.Count; i++)
        {
            if (_arguments[i].Length > maxBulkBytes && _rejectedArgument < 0)
            {
                _rejectedArgument = i;
                _rejectedBytes = _arguments[i].Length;
            }
        }

        return _rejectedArgument < 0 ? RespFrameStatus.Complete : RespFrameStatus.Rejected;
    }

    // At a point where the reader matches the state: keep the frame read so far once it holds enough of the pipe.
    private static RespFrameStatus Suspend(ref SequenceReader<byte> reader, long frameStart, ref bool resume)
    {
        resume |= reader.Length - frameStart >= ResumeThresholdBytes;
        return RespFrameStatus.Incomplete;
    }

    private void Reset()
    {
        _arguments.Clear();
        _expected = -1;
        _partial = null;
        _skipping = 0;
        _rejectedArgument = -1;
    }

    // Copies or skips what has arrived of a large argument; true once it (and its CRLF) is complete.
    private bool ContinueLargeArgument(ref SequenceReader<byte> reader, ref string? error)
    {
        if (_skipping > 0)
        {
            long skip = Math.Min(_skipping, reader.Remaining);
            reader.Advance(skip);
            _skipping -= skip;
            if (_skipping > 0)
            {
                return false;
            }

            // The skipped argument counts as read; the frame is refused as a whole.
            _arguments.Add(ReadOnlySequence<byte>.Empty);
            return true;
        }

        var partial = _partial!;
        if (_partialFilled < partial.Length)
        {
            int copy = (int)Math.Min(partial.Length - _partialFilled, reader.Remaining);
            reader.UnreadSequence.Slice(0, copy).CopyTo(partial.AsSpan(_partialFilled));
            reader.Advance(copy);
            _partialFilled += copy;
            if (_partialFilled < partial.Length)
            {
                return false;
            }
        }

        if (reader.Remaining < 2)
        {
            return false;
        }

        if (!TryReadCrlf(ref reader, ref error))
        {
            return false;
        }

        _arguments.Add(new ReadOnlySequence<byte>(partial));
        _partial = null;
        return true;
    }

    // Reads "*123\r\n" or "$123\r\n" (the prefix byte is already checked); null when incomplete or malformed.
    private static long? ReadLength(ref SequenceReader<byte> reader, ref string? error)
    {
        var start = reader;
        bool bulk = reader.TryRead(out byte prefix) && prefix == (byte)'$';
        long value = 0;
        int digits = 0;
        bool negative = false;
        while (true)
        {
            if (!reader.TryRead(out byte b))
            {
                reader = start;
                return null;
            }

            if (b == (byte)'\r')
            {
                break;
            }

            if (b == (byte)'-' && digits == 0 && !negative)
            {
                negative = true;
            }
            else if (b is >= (byte)'0' and <= (byte)'9' && digits < MaxLengthDigits)
            {
                value = (value * 10) + (b - '0');
                digits++;
            }
            else
            {
                error = bulk ? "Protocol error: invalid bulk length" : "Protocol error: invalid multibulk length";
                return null;
            }
        }

        if (!reader.TryRead(out byte newline))
        {
            reader = start;
            return null;
        }

        if (newline != (byte)'\n' || digits == 0)
        {
            error = bulk ? "Protocol error: invalid bulk length" : "Protocol error: invalid multibulk length";
            return null;
        }

        return negative ? -value : value;
    }

    private static bool TryReadCrlf(ref SequenceReader<byte> reader, ref string? error)
    {
        if (reader.IsNext("\r\n"u8, advancePast: true))
        {
            return true;
        }

        error = "Protocol error: a bulk string does not end with CRLF";
        return false;
    }

    private void OwnArguments()
    {
        var arguments = CollectionsMarshal.AsSpan(_arguments);
        for (int i = 0; i < arguments.Length; i++)
        {
            // A sequence over one array (an argument gathered or copied before) holds that array; a slice
            // of the pipe holds one of the pipe's segments.
            if (!arguments[i].IsEmpty && arguments[i].Start.GetObject() is not byte[])
            {
                arguments[i] = new ReadOnlySequence<byte>(arguments[i].ToArray());
            }
        }
    }

    private static char Printable(byte b) => b is >= 0x20 and < 0x7F ? (char)b : '?';
}
