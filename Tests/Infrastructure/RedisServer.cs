using System.Diagnostics;
using System.Net.Sockets;

namespace OrleansCache.Tests.Infrastructure;

/// <summary>
/// Debian's <c>redis-server</c>, the reference the Redis protocol is compared with, run in cluster mode (so that it
/// answers <c>CLUSTER KEYSLOT</c>) on a loopback address, without persistence. Installed (<c>redis-server</c>) on first
/// use when missing and the tests run as root. Disposing kills it and removes its directory.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private static readonly Lazy<Task> Installed = new(() => DebianPackage.InstallAsync("redis-server"));

    private readonly Process _process;
    private readonly string _directory;

    private RedisServer(Process process, string directory, string ip, int port)
    {
        _process = process;
        _directory = directory;
        Ip = ip;
        Port = port;
    }

    /// <summary>The address it listens on.</summary>
    public string Ip { get; }

    /// <summary>The port it listens on.</summary>
    public int Port { get; }

    /// <summary>Why redis-server cannot be had here, or <see langword="null"/> when it can.</summary>
    public static string? MissingPrerequisite() =>
        OnPath() || DebianPackage.CanInstall
            ? null
            : "redis-server is not installed and the tests do not run as root to install it (apt-get install redis-server)";

    /// <summary>Starts a cluster-enabled redis-server on <paramref name="ip"/>:<paramref name="port"/> and waits until it answers.</summary>
    public static async Task<RedisServer> StartClusterEnabledAsync(string ip, int port, TimeSpan timeout)
    {
        if (!OnPath())
        {
            await Installed.Value;
        }

        string directory = Directory.CreateTempSubdirectory("orleans-cache-redis-server-").FullName;
        var start = new ProcessStartInfo("redis-server",
        [
            "--bind", ip, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--cluster-enabled", "yes", "--cluster-config-file", Path.Combine(directory, "nodes.conf"),
            "--dir", directory, "--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "no",
        ])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new RedisServer(process, directory, ip, port);
        try
        {
            await Poll.UntilAsync(
                async () =>
                {
                    using var client = new TcpClient();
                    await client.ConnectAsync(ip, port);
                    return true;
                },
                timeout,
                $"redis-server to listen on {ip}:{port}");
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static bool OnPath() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, "redis-server")));
}
