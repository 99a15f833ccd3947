using System.Net;
using System.Net.Sockets;

namespace OrleansCache.Tests.Infrastructure;

/// <summary>
/// Hands out distinct loopback addresses (127.0.0.10, .11, ...) so every node a test run starts has
/// its own address and the same ports, as containers would. An address whose node ports are taken
/// (another test run on this machine) is skipped. Set <c>ORLEANS_CACHE_TEST_FIRST_ADDRESS</c> to a last octet
/// (say 100) to give a second test run on the same machine its own range.
/// </summary>
public static class LoopbackAddresses
{
    private static readonly int[] NodePorts = [8080, 11111, 30000, 6379];
    private static int _next = FirstOctet() - 1;

    /// <summary>
    /// Returns <paramref name="count"/> consecutive addresses (for scripts that number nodes from a first
    /// address) that no other node of this test run uses, with their node ports free.
    /// </summary>
    public static IReadOnlyList<string> NextBlock(int count)
    {
        while (true)
        {
            int last = Interlocked.Add(ref _next, count);
            if (last >= 255)
            {
                throw new InvalidOperationException($"No {count} free consecutive loopback addresses left in 127.0.0.10-254.");
            }

            var block = new List<string>(count);
            for (int n = last - count + 1; n <= last; n++)
            {
                block.Add($"127.0.0.{n}");
            }

            if (block.TrueForAll(a => PortsFree(IPAddress.Parse(a))))
            {
                return block;
            }
        }
    }

    /// <summary>Returns an address no other node of this test run uses, with its node ports free.</summary>
    public static string Next()
    {
        while (true)
        {
            int n = Interlocked.Increment(ref _next);
            if (n >= 255)
            {
                throw new InvalidOperationException("No free loopback address left in 127.0.0.10-254.");
            }

            var address = $"127.0.0.{n}";
            if (PortsFree(IPAddress.Parse(address)))
            {
                return address;
            }
        }
    }

    private static int FirstOctet() =>
        int.TryParse(Environment.GetEnvironmentVariable("ORLEANS_CACHE_TEST_FIRST_ADDRESS"), out int first) && first is >= 2 and < 255
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
