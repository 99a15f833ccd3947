using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace OrleansCache.Tests.Infrastructure;

/// <summary>
/// A bare TCP connection to a node's RESP port, for sending bytes no well-behaved client would send and
/// reading the replies exactly as they arrive. Every read is bounded.
/// </summary>
public sealed class RespSocket : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private readonly TcpClient _client;
    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    private RespSocket(TcpClient client, Stream stream)
    {
        _client = client;
        _stream = stream;
    }

    /// <summary>
    /// Connects to <paramref name="node"/>'s RESP port: over TLS when the node has a certificate (trusting it
    /// by that certificate), unless <paramref name="plain"/> asks for plain TCP to a node that uses TLS.
    /// </summary>
    public static async Task<RespSocket> ConnectAsync(NodeProcess node, bool plain = false)
    {
        var client = new TcpClient();
        await client.ConnectAsync(node.Ip, 6379).WaitAsync(Timeout);
        if (plain || node.Certificate is not { } certificate)
        {
            return new RespSocket(client, client.GetStream());
        }

        var tls = new SslStream(client.GetStream(), leaveInnerStreamOpen: false, certificate.Validate);
        await tls.AuthenticateAsClientAsync(node.Ip).WaitAsync(Timeout);
        return new RespSocket(client, tls);
    }

    /// <summary>Encodes a command as a RESP array of bulk strings.</summary>
    public static byte[] Command(params string[] arguments)
    {
        var frame = new StringBuilder($"*{arguments.Length}\r\n");
        foreach (var argument in arguments)
        {
            frame.Append($"${Encoding.UTF8.GetByteCount(argument)}\r\n{argument}\r\n");
        }

        return Encoding.UTF8.GetBytes(frame.ToString());
    }

    /// <summary>Sends raw bytes.</summary>
    public async Task SendAsync(byte[] bytes) => await _stream.WriteAsync(bytes).AsTask().WaitAsync(Timeout);

    /// <summary>Redis's reply to a command on a key that holds another kind of value, as <see cref="ReadReplyAsync"/> shows it.</summary>
    public const string WrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value";

    /// <summary>Sends one command and reads its reply (see <see cref="ReadReplyAsync"/>).</summary>
    public async Task<string> AskAsync(params string[] command)
    {
        await SendAsync(Command(command));
        return await ReadReplyAsync();
    }

    /// <summary>Sends raw text.</summary>
    public Task SendAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text));

    /// <summary>
    /// Reads one whole reply and returns it as its wire text: <c>+OK</c>, <c>-ERR ...</c>, <c>:3</c>,
    /// <c>$-1</c>, a bulk string's content, or an array's elements joined by <c>|</c>.
    /// </summary>
    public async Task<string> ReadReplyAsync()
    {
        string line = await ReadLineAsync();
        switch (line[0])
        {
            case '$':
                int length = int.Parse(line[1..]);
                return length < 0 ? line : Encoding.UTF8.GetString(await ReadExactlyAsync(length + 2), 0, length);
            case '*':
                int count = int.Parse(line[1..]);
                var elements = new List<string>();
                for (int i = 0; i < count; i++)
                {
                    elements.Add(await ReadReplyAsync());
                }

                return string.Join('|', elements);
            default:
                return line;
        }
    }

    /// <summary>Waits until the node closes the connection; fails if it sends more or stays open.</summary>
    public async Task AssertClosedByNodeAsync()
    {
        Assert.Equal(_start, _end);
        int read = await _stream.ReadAsync(_buffer).AsTask().WaitAsync(Timeout);
        Assert.True(read == 0, $"Expected the node to close the connection; it sent {Encoding.UTF8.GetString(_buffer, 0, read)}");
    }

    /// <summary>Closes the sending side, then reads everything the node sends until it closes the connection too.</summary>
    public async Task<byte[]> FinishAsync()
    {
        _client.Client.Shutdown(SocketShutdown.Send);
        var received = new MemoryStream();
        received.Write(_buffer, _start, _end - _start);
        _start = _end = 0;
        int read;
        while ((read = await _stream.ReadAsync(_buffer).AsTask().WaitAsync(Timeout)) > 0)
        {
            received.Write(_buffer, 0, read);
        }

        return received.ToArray();
    }

    /// <summary>
    /// Reads whatever the node still sends until it closes the connection (or resets it, as a node that
    /// dropped unsent replies does), and returns how many bytes that was.
    /// </summary>
    public async Task<int> ReadUntilClosedAsync()
    {
        int total = _end - _start;
        _start = _end = 0;
        try
        {
            int read;
            while ((read = await _stream.ReadAsync(_buffer).AsTask().WaitAsync(Timeout)) > 0)
            {
                total += read;
            }
        }
        catch (IOException)
        {
            // Reset by the node: what arrived before is what it sent.
        }

        return total;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<string> ReadLineAsync()
    {
        while (true)
        {
            int newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline > _start && _buffer[newline - 1] == (byte)'\r')
            {
                var line = Encoding.UTF8.GetString(_buffer, _start, newline - 1 - _start);
                _start = newline + 1;
                return line;
            }

            await FillAsync();
        }
    }

    private async Task<byte[]> ReadExactlyAsync(int count)
    {
        var result = new byte[count];
        int filled = 0;
        while (filled < count)
        {
            if (_start == _end)
            {
                await FillAsync();
            }

            int take = Math.Min(count - filled, _end - _start);
            Array.Copy(_buffer, _start, result, filled, take);
            _start += take;
            filled += take;
        }

        return result;
    }

    private async Task FillAsync()
    {
        if (_start > 0)
        {
            Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            throw new InvalidOperationException("A reply line is longer than the test's buffer.");
        }

        int read = await _stream.ReadAsync(_buffer.AsMemory(_end)).AsTask().WaitAsync(Timeout);
        if (read == 0)
        {
            throw new IOException("The node closed the connection.");
        }

        _end += read;
    }
}
