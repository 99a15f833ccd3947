using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansCache.Tests.Infrastructure;

namespace OrleansCache.Tests.Processes;

/// <summary>
/// <c>scripts/launch.sh</c> and <c>scripts/stop.sh</c> as a developer runs them: a ring of published
/// nodes on consecutive loopback addresses, its URLs printed, and exactly those processes stopped.
/// Each run gets its own addresses and launch folder, so a developer's launched nodes are left alone.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class LaunchScriptTests
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task LaunchScript_StartsARingThatServesKeysAndPrintsItsUrls_AndStopScriptEndsExactlyThoseProcesses()
    {
        var ips = LoopbackAddresses.NextBlock(3);
        var environment = await EnvironmentAsync(ips[0]);

        // One node every 2 s, as the README shows: each node's link is not up yet when it starts.
        environment["LAUNCH_INTERVAL"] = "2";
        var pidFile = Path.Combine(environment["LAUNCH_DIR"], "pids");
        var started = new List<int>();
        try
        {
            var launch = await ScriptProcess.RunAsync("launch.sh", ["3", "--no-publish"], environment, ScriptTimeout);
            started.AddRange(ReadPids(pidFile));
            Assert.True(launch.ExitCode == 0, $"{launch}\n{NodeLogs(environment)}");

            // The table: node id, IP, HTTP URL, dashboard URL, gateway.
            var rows = launch.OutputLines
                .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(cells => cells.Length == 5 && ips.Contains(cells[1]))
                .Select(cells => string.Join(' ', cells))
                .ToList();
            Assert.Equal(
                ips.Select((ip, i) => $"{i} {ip} http://{ip}:8080 http://{ip}:8080/dashboard/ {ip}:30000"),
                rows);

            // One line per node, each a running node with its ring link: i -> i+1, the last -> 0.
            var recorded = File.ReadAllLines(pidFile).Select(line => line.Split(' ')).ToList();
            Assert.Equal(ips.Select((ip, i) => $"{i} {ip}"), recorded.Select(r => $"{r[1]} {r[2]}"));
            var pids = started;
            for (int i = 0; i < 3; i++)
            {
                Assert.True(IsNode(pids[i]), $"pid {pids[i]} of node {i} is not a running Silo.dll");
                var nodeEnvironment = ReadEnvironment(pids[i]);
                Assert.Equal(((i + 1) % 3).ToString(), nodeEnvironment.GetValueOrDefault("LINKED_NODE_ID"));
                Assert.Equal(ips[(i + 1) % 3], nodeEnvironment.GetValueOrDefault("LINKED_NODE_IP"));
            }

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            using (var set = await http.PostAsJsonAsync($"http://{ips[0]}:8080/set", new { key = "launched", value = "by launch.sh" }))
            {
                Assert.Equal(HttpStatusCode.OK, set.StatusCode);
            }

            using (var got = JsonDocument.Parse(await http.GetStringAsync($"http://{ips[2]}:8080/get/launched")))
            {
                Assert.Equal("by launch.sh", got.RootElement.GetProperty("value").GetString());
            }

            using (var dashboard = await http.GetAsync($"http://{ips[1]}:8080/dashboard/"))
            {
                Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
            }

            var again = await ScriptProcess.RunAsync("launch.sh", ["3", "--no-publish"], environment, ScriptTimeout);
            Assert.True(again.ExitCode != 0, again.ToString());
            Assert.Contains("scripts/stop.sh", again.Error);
            Assert.All(pids, pid => Assert.True(IsNode(pid), $"pid {pid} stopped by a refused launch"));

            var stop = await ScriptProcess.RunAsync("stop.sh", [], environment, ScriptTimeout);
            Assert.True(stop.ExitCode == 0, stop.ToString());
            Assert.All(pids, pid => Assert.False(IsNode(pid), $"pid {pid} still runs after stop.sh:\n{stop}"));
            Assert.False(File.Exists(pidFile), "stop.sh left the pid file");
        }
        finally
        {
            KillNodes(started.Concat(ReadPids(pidFile)));
            Directory.Delete(environment["LAUNCH_DIR"], recursive: true);
        }
    }

    [Theory]
    [InlineData("0")]
    [InlineData("51")]
    [InlineData("three")]
    public async Task LaunchScript_ExitsNonZeroAndStartsNothing_WhenTheNodeCountIsNot1To50(string count)
    {
        var environment = await EnvironmentAsync(LoopbackAddresses.Next());
        try
        {
            var launch = await ScriptProcess.RunAsync("launch.sh", [count, "--no-publish"], environment, ScriptTimeout);

            Assert.True(launch.ExitCode != 0, launch.ToString());
            Assert.Contains("1 to 50", launch.Error);
            Assert.False(File.Exists(Path.Combine(environment["LAUNCH_DIR"], "pids")), launch.ToString());
        }
        finally
        {
            Directory.Delete(environment["LAUNCH_DIR"], recursive: true);
        }
    }

    // The binaries this test run published, and a launch folder and addresses of this test's own.
    private static async Task<Dictionary<string, string>> EnvironmentAsync(string firstIp)
    {
        string publishRoot = Path.GetDirectoryName(Path.GetDirectoryName(await PublishedApps.GetSiloAsync()))!;
        var launchDir = Directory.CreateTempSubdirectory("orleans-cache-launch-").FullName;
        return new Dictionary<string, string>
        {
            ["LAUNCH_FIRST_IP"] = firstIp,
            ["LAUNCH_DIR"] = launchDir,
            ["LAUNCH_PUBLISH_DIR"] = publishRoot,
        };
    }

    private static bool IsNode(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Contains("Silo.dll", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static Dictionary<string, string> ReadEnvironment(int pid) =>
        File.ReadAllText($"/proc/{pid}/environ")
            .Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(entry => entry.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .GroupBy(pair => pair[0])
            .ToDictionary(group => group.Key, group => group.Last()[1]);

    private static string NodeLogs(IReadOnlyDictionary<string, string> environment) =>
        string.Join('\n', Directory.GetFiles(environment["LAUNCH_DIR"], "node-*.log")
            .Select(log => $"--- {Path.GetFileName(log)} (last lines)\n{string.Join('\n', File.ReadAllLines(log).TakeLast(20))}"));

    private static List<int> ReadPids(string pidFile) =>
        File.Exists(pidFile)
            ? File.ReadAllLines(pidFile).Select(line => int.TryParse(line.Split(' ')[0], out int pid) ? pid : 0).Where(pid => pid > 0).ToList()
            : [];

    // Whatever the scripts and assertions above did, no node this test started outlives it.
    private static void KillNodes(IEnumerable<int> pids)
    {
        foreach (int pid in pids.Distinct().Where(IsNode))
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            process.Kill();
            process.WaitForExit(TimeSpan.FromSeconds(10));
        }
    }
}
