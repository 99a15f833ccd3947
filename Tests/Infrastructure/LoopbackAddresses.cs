using System.Net;
using System.Net.Sockets;

namespace OrleansCache.Tests.Infrastructure;

/// <summary>
/// Hands out distinct loopback addresses (127.0.0.10, .11, ...) so every node a test run starts has
/// its own address and the same ports, as containers would. An address whose node ports are taken
/// (a node still running, or another test run on this machine) is skipped. When the range is used up
/// the search starts again from its first address, so a long run (the formation matrix starts some
/// 450 nodes) reuses the addresses of nodes that have stopped. Set <c>ORLEANS_CACHE_TEST_FIRST_ADDRESS</c>
/// to a last octet (say 100) to give a second test run on the same machine its own range.
/// </summary>
public static class LoopbackAddresses
{
    private const int LastOctet = 254;
    private static readonly int[] NodePorts = [8080, 11111, 30000, 6379];
    private static readonly int First = FirstOctet();
    private static readonly Lock Gate = new();
    private static int _next = First;

    /// <summary>
    /// Returns <paramref name="count"/> consecutive addresses (for scripts that number nodes from a first
    /// address) whose node ports are all free.
    /// </summary>
    public static IReadOnlyList<string> NextBlock(int count)
    {
        lock (Gate)
        {
            int candidates = LastOctet - First + 1;
            for (int tried = 0; tried < candidates; tried++)
            {
                if (_next + count - 1 > LastOctet)
                {
                    _next = First;
                }

                int start = _next;
                _next += count;
                var block = Enumerable.Range(start, count).Select(n => $"127.0.0.{n}").ToList();
                if (block.TrueForAll(a => PortsFree(IPAddress.Parse(a))))
                {
                    return block;
                }
            }

            throw new InvalidOperationException(
                $"No {count} consecutive loopback addresses in 127.0.0.{First}-{LastOctet} have their node ports free.");
        }
    }

    /// <summary>Returns an address whose node ports are free.</summary>
    public static string Next() => NextBlock(1)[0];

    private static int FirstOctet() =>
        int.TryParse(Environment.GetEnvironmentVariable("ORLEANS_CACHE_TEST_FIRST_ADDRESS"), out int first) && first is >= 2 and < LastOctet
            ? first
            : 10;

    private static bool PortsFree(IPAddress address)
    {
        foreach (int port in NodePorts)
        {
            try
            {
                using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                probe.Bind(new IPEndPoint(address, port));
            }
            catch (SocketException)
            {
                return false;
            }
        }

        return true;
    }
}
