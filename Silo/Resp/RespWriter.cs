using System.Buffers;
using System.Globalization;
using System.Text;

namespace OrleansCache.Silo.Resp;

/// <summary>
/// Writes RESP2 replies straight into a connection's output (no intermediate buffers).
/// </summary>
internal static class RespWriter
{
    // Prefix byte, a long's 20 digits (and sign), CRLF.
    private const int MaxHeaderBytes = 24;

    // A bulk string at most this long goes into one span with its header; longer ones are copied in chunks.
    private const int InlineBulkBytes = 4096;

    public static void WriteOk(IBufferWriter<byte> output) => output.Write("+OK\r\n"u8);

    public static void WriteNull(IBufferWriter<byte> output) => output.Write("$-1\r\n"u8);

    public static void WriteSimpleString(IBufferWriter<byte> output, ReadOnlySpan<byte> text)
    {
        var span = output.GetSpan(text.Length + 3);
        span[0] = (byte)'+';
        text.CopyTo(span[1..]);
        "\r\n"u8.CopyTo(span[(text.Length + 1)..]);
        output.Advance(text.Length + 3);
    }

    /// <summary>Writes <c>-message</c>; the message starts with its error code (<c>ERR</c>, <c>NOPROTO</c>, ...).</summary>
    public static void WriteError(IBufferWriter<byte> output, string message)
    {
        int length = Encoding.UTF8.GetByteCount(message);
        var span = output.GetSpan(length + 3);
        span[0] = (byte)'-';
        Encoding.UTF8.GetBytes(message, span[1..]);

        // A reply line must not break: messages quote what clients sent, which may hold CR or LF.
        span.Slice(1, length).Replace((byte)'\r', (byte)' ');
        span.Slice(1, length).Replace((byte)'\n', (byte)' ');
        "\r\n"u8.CopyTo(span[(length + 1)..]);
        output.Advance(length + 3);
    }

    public static void WriteInteger(IBufferWriter<byte> output, long value) => WriteHeader(output, (byte)':', value);

    public static void WriteArrayHeader(IBufferWriter<byte> output, int count) => WriteHeader(output, (byte)'*', count);

    public static void WriteBulk(IBufferWriter<byte> output, ReadOnlySpan<byte> value)
    {
        if (value.Length <= InlineBulkBytes)
        {
            var span = output.GetSpan(value.Length + MaxHeaderBytes + 2);
            int header = FormatHeader(span, (byte)'$', value.Length);
            value.CopyTo(span[header..]);
            "\r\n"u8.CopyTo(span[(header + value.Length)..]);
            output.Advance(header + value.Length + 2);
            return;
        }

        WriteHeader(output, (byte)'$', value.Length);
        output.Write(value);
        output.Write("\r\n"u8);
    }

    public static void WriteBulk(IBufferWriter<byte> output, string value) => WriteBulk(output, Encoding.UTF8.GetBytes(value));

    private static void WriteHeader(IBufferWriter<byte> output, byte prefix, long value)
    {
        var span = output.GetSpan(MaxHeaderBytes);
        output.Advance(FormatHeader(span, prefix, value));
    }

    private static int FormatHeader(Span<byte> span, byte prefix, long value)
    {
        span[0] = prefix;
        value.TryFormat(span[1..], out int digits, provider: CultureInfo.InvariantCulture);
        span[digits + 1] = (byte)'\r';
        span[digits + 2] = (byte)'\n';
        return digits + 3;
    }
}
