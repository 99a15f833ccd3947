using System.Diagnostics;
using System.Text.RegularExpressions;

namespace OrleansCache.Tests.Infrastructure;

/// <summary>
/// A network partition between two groups of node processes on loopback, each group run as its own
/// <see cref="UnixUser"/>: iptables drops what one user's processes send to the other group's
/// addresses, both ways. The rules live in a chain of their own, so healing removes exactly them.
/// Disposing heals.
/// </summary>
/// <remarks>
/// Matching on the owner is what cuts on loopback: a node's outgoing connections carry source address
/// 127.0.0.1, whatever its <c>NODE_IP</c>. Needs root, iptables and setpriv.
/// </remarks>
public sealed partial class Partition : IAsyncDisposable
{
    private const string ChainPrefix = "ORLEANS-CACHE-CUT-";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);

    private readonly string _chain;
    private bool _healed;

    private Partition(string chain) => _chain = chain;

    /// <summary>
    /// Why a partition cannot be made here (not root, iptables or setpriv missing, iptables not
    /// working), or <see langword="null"/> when it can.
    /// </summary>
    public static string? MissingPrerequisite()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            return "the test runner is not root (iptables rules and running nodes as other users need it)";
        }

        foreach (var tool in new[] { "iptables", "setpriv", "useradd" })
        {
            if (!OnPath(tool))
            {
                return $"{tool} is not installed (Debian: apt-get install {(tool == "iptables" ? "iptables" : tool == "setpriv" ? "util-linux" : "passwd")})";
            }
        }

        try
        {
            using var list = Process.Start(new ProcessStartInfo("iptables", ["-w", "-S", "OUTPUT"]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            string error = list.StandardError.ReadToEnd();
            return list.WaitForExit(10_000) && list.ExitCode == 0 ? null : $"iptables does not work here: {error.Trim()}";
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return $"iptables does not run here: {e.Message}";
        }
    }

    /// <summary>Fails with the reason when a partition cannot be made here.</summary>
    public static void RequirePrerequisites()
    {
        if (MissingPrerequisite() is { } reason)
        {
            throw new InvalidOperationException($"A partition cannot be made here: {reason}.");
        }
    }

    /// <summary>
    /// Cuts <paramref name="a"/>'s processes off from <paramref name="bIps"/> and <paramref name="b"/>'s
    /// from <paramref name="aIps"/>. Chains left by earlier test runs that died mid-cut are removed first.
    /// </summary>
    public static async Task<Partition> CutAsync(UnixUser a, IReadOnlyList<string> aIps, UnixUser b, IReadOnlyList<string> bIps)
    {
        await RemoveAbandonedChainsAsync();
        var partition = new Partition($"{ChainPrefix}{Environment.ProcessId}");
        try
        {
            await IptablesAsync("-N", partition._chain);
            foreach (var (from, to) in bIps.Select(ip => (a, ip)).Concat(aIps.Select(ip => (b, ip))))
            {
                await IptablesAsync("-A", partition._chain, "-m", "owner", "--uid-owner", from.Uid.ToString(), "-d", to, "-j", "DROP");
            }

            // Hooked in last and first in OUTPUT: the whole cut starts at once, ahead of any ACCEPT.
            await IptablesAsync("-I", "OUTPUT", "1", "-j", partition._chain);
        }
        catch
        {
            await partition.HealAsync();
            throw;
        }

        return partition;
    }

    /// <summary>Removes the cut (idempotent), and checks that its chain is gone.</summary>
    public async Task HealAsync()
    {
        if (_healed)
        {
            return;
        }

        await RemoveChainAsync(_chain);
        _healed = true;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await HealAsync();

    private static async Task RemoveChainAsync(string chain)
    {
        // Each step whatever the one before did, so a half-made cut is removed too.
        while ((await RunIptablesAsync("-D", "OUTPUT", "-j", chain)).ExitCode == 0)
        {
        }

        await RunIptablesAsync("-F", chain);
        await RunIptablesAsync("-X", chain);
        if ((await RunIptablesAsync("-S", chain)).ExitCode == 0)
        {
            throw new InvalidOperationException($"The iptables chain {chain} is still there after removing it: remove it by hand (iptables -D OUTPUT -j {chain}; iptables -F {chain}; iptables -X {chain}).");
        }
    }

    // A test run killed mid-cut (its chain names its process id) would leave its nodes' users cut off
    // from those addresses for the next run.
    private static async Task RemoveAbandonedChainsAsync()
    {
        var rules = await RunIptablesAsync("-S");
        foreach (Match chain in AbandonedChain().Matches(rules.Output))
        {
            if (!Directory.Exists($"/proc/{chain.Groups["pid"].Value}"))
            {
                await RemoveChainAsync(chain.Groups["name"].Value);
            }
        }
    }

    private static Task IptablesAsync(params string[] arguments) => CommandRun.RunCheckedAsync("iptables", ["-w", .. arguments], CommandTimeout);

    private static Task<CommandRun> RunIptablesAsync(params string[] arguments) => CommandRun.RunAsync("iptables", ["-w", .. arguments], CommandTimeout);

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/sbin"])
            .Any(dir => File.Exists(Path.Combine(dir, tool)));

    [GeneratedRegex($"^-N (?<name>{ChainPrefix}(?<pid>[0-9]+))$", RegexOptions.Multiline)]
    private static partial Regex AbandonedChain();
}
