using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace OrleansCache.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL server of the membership tests. <c>ORLEANS_CACHE_POSTGRES</c>, when set, names one to
/// use. Otherwise the tests start their own, once per test run: a throwaway server from the installed
/// PostgreSQL binaries (Debian's <c>postgresql</c> package, installed first when missing and the tests run
/// as root), in a temporary data directory on a free loopback port, removed when the run ends.
/// </summary>
public static class TestPostgres
{
    private const string Role = "orleans";
    private const string Database = "orleans_cache_test";
    private const string BinariesRoot = "/usr/lib/postgresql";
    private const string FolderPrefix = "orleans-cache-pg-";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(5);
    private static readonly Lazy<Task<string>> Server = new(StartAsync);

    /// <summary>
    /// Why no PostgreSQL can be had here, or <see langword="null"/> when one can: one is named, its binaries
    /// are installed, or they can be (root, with apt-get).
    /// </summary>
    public static string? MissingPrerequisite()
    {
        if (Given() is not null || BinDirectory() is not null)
        {
            return null;
        }

        return DebianPackage.CanInstall
            ? null
            : $"no PostgreSQL server binaries under {BinariesRoot} and not root to install them (apt-get install postgresql); " +
              "or set ORLEANS_CACHE_POSTGRES to a connection string";
    }

    /// <summary>The connection string of the test database; the first call starts the server.</summary>
    public static Task<string> ConnectionStringAsync() => Given() is { } given ? Task.FromResult(given) : Server.Value;

    private static string? Given() =>
        Environment.GetEnvironmentVariable("ORLEANS_CACHE_POSTGRES") is { Length: > 0 } given ? given : null;

    private static string? BinDirectory() =>
        Directory.Exists(BinariesRoot)
            ? Directory.GetDirectories(BinariesRoot)
                .Select(d => Path.Combine(d, "bin"))
                .Where(bin => File.Exists(Path.Combine(bin, "initdb")) && File.Exists(Path.Combine(bin, "pg_ctl")))
                .OrderBy(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out int version) ? version : 0)
                .LastOrDefault()
            : null;

    private static async Task<string> StartAsync()
    {
        var bin = BinDirectory() ?? await InstallAsync();
        bool root = Environment.UserName == "root";
        RemoveStale();
        var folder = Directory.CreateTempSubdirectory(FolderPrefix).FullName;
        var data = Path.Combine(folder, "data");
        var passwordFile = Path.Combine(folder, "password");
        await File.WriteAllTextAsync(passwordFile, Role);
        if (root)
        {
            // PostgreSQL refuses to run as root; Debian's package created its own user.
            await CommandRun.RunCheckedAsync("chown", ["-R", "postgres:postgres", folder], CommandTimeout);
        }

        // Password logins, as a real server has: a test checks that a wrong password is refused.
        int port = FreePort();
        await RunAsync(root, Path.Combine(bin, "initdb"), ["-D", data, "-U", Role, "--pwfile", passwordFile, "--auth=scram-sha-256", "-E", "UTF8", "--no-sync"]);
        await RunAsync(root, Path.Combine(bin, "pg_ctl"),
            ["-D", data, "-l", Path.Combine(folder, "server.log"), "-w", "-t", "120", "start",
             "-o", $"-h 127.0.0.1 -p {port} -k {folder} -c fsync=off -c max_connections=300"]);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop(root, bin, folder);

        var server = new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = port, Username = Role, Password = Role, Database = "postgres" };
        await using (var connection = new NpgsqlConnection(server.ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {Database}", connection);
            await create.ExecuteNonQueryAsync();
        }

        server.Database = Database;
        return server.ConnectionString;
    }

    // A test run that was killed leaves its server's folder (and maybe the server): stop and remove those.
    private static void RemoveStale()
    {
        foreach (var folder in Directory.GetDirectories(Path.GetTempPath(), FolderPrefix + "*"))
        {
            var pidFile = Path.Combine(folder, "data", "postmaster.pid");
            if (File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), out int pid) && IsRunning(pid))
            {
                continue; // another test run's, still in use
            }

            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Not ours to remove; it takes no port.
            }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static async Task<string> InstallAsync()
    {
        await DebianPackage.InstallAsync("postgresql");
        return BinDirectory() ?? throw new InvalidOperationException($"postgresql was installed, but no server binaries are under {BinariesRoot}.");
    }

    private static async Task RunAsync(bool asPostgres, string program, IReadOnlyList<string> arguments)
    {
        var start = asPostgres
            ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", program, .. arguments])
            : new ProcessStartInfo(program, arguments);
        start.WorkingDirectory = "/"; // the postgres user may not read the runner's folder
        var run = await CommandRun.RunAsync(start, CommandTimeout);
        if (run.ExitCode != 0)
        {
            throw new InvalidOperationException($"`{Path.GetFileName(program)}` failed ({run.ExitCode}): {run.Error.Trim()} {run.Output.Trim()}");
        }
    }

    private static void Stop(bool asPostgres, string bin, string folder)
    {
        try
        {
            var stop = RunAsync(asPostgres, Path.Combine(bin, "pg_ctl"), ["-D", Path.Combine(folder, "data"), "-m", "immediate", "-w", "stop"]);
            stop.Wait(TimeSpan.FromSeconds(20));
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is AggregateException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"The tests' PostgreSQL in {folder} was not removed: {e.Message}");
        }
    }

    private static int FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
