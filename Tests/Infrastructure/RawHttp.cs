using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OrleansCache.Tests.Infrastructure;

/// <summary>
/// Hand-written HTTP/1.1 over a socket, for requests <see cref="HttpClient"/> will not send: a body that
/// stops part-way and never ends, to see what a node answers before it could have read all of it.
/// </summary>
public static class RawHttp
{
    /// <summary>
    /// Sends <paramref name="head"/> and the start of a body, never the rest, and returns the status and
    /// headers of the response the node sends meanwhile.
    /// </summary>
    /// <exception cref="OperationCanceledException">No response head within <paramref name="timeout"/>.</exception>
    public static async Task<(int Status, string Head)> SendUnfinishedAsync(
        string ip, int port, string head, ReadOnlyMemory<byte> bodyStart, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Parse(ip), port, deadline.Token);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), deadline.Token);
        await stream.WriteAsync(bodyStart, deadline.Token);

        var received = new List<byte>();
        var buffer = new byte[4096];
        int end;
        while ((end = IndexOfHeadEnd(received)) < 0)
        {
            int read = await stream.ReadAsync(buffer, deadline.Token);
            if (read == 0)
            {
                throw new IOException($"The node closed the connection after {received.Count} bytes of response.");
            }

            received.AddRange(buffer.AsSpan(0, read));
        }

        string text = Encoding.ASCII.GetString(received.ToArray(), 0, end);

        // "HTTP/1.1 413 Payload Too Large"
        int status = int.Parse(text.AsSpan(9, 3), CultureInfo.InvariantCulture);
        return (status, text);
    }

    private static int IndexOfHeadEnd(List<byte> received)
    {
        for (int i = 3; i < received.Count; i++)
        {
            if (received[i - 3] == '\r' && received[i - 2] == '\n' && received[i - 1] == '\r' && received[i] == '\n')
            {
                return i + 1;
            }
        }

        return -1;
    }
}
