using System.Diagnostics;

namespace OrleansCache.Tests.Infrastructure;

/// <summary>
/// A system user that processes can be run as (as root, through <c>setpriv</c>), so that iptables can
/// tell one group of node processes from another by owner: on loopback every outgoing connection
/// carries source address 127.0.0.1 whatever the node's <c>NODE_IP</c>.
/// </summary>
/// <param name="Name">The user's name.</param>
/// <param name="Uid">Its user id.</param>
/// <param name="Gid">Its primary group id.</param>
/// <param name="Home">A folder it owns, given to its processes as <c>HOME</c> and <c>DOTNET_CLI_HOME</c>.</param>
public sealed record UnixUser(string Name, int Uid, int Gid, string Home)
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Returns the system user <paramref name="name"/>, creating it if absent (<c>useradd --system
    /// --no-create-home</c>, which needs root), with a home of its own in the temp folder.
    /// </summary>
    public static async Task<UnixUser> EnsureAsync(string name)
    {
        if (await IdAsync("-u", name) is null)
        {
            var added = await CommandRun.RunAsync("useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name], CommandTimeout);

            // Another test run may have created it meanwhile: only its absence is an error.
            if (added.ExitCode != 0 && await IdAsync("-u", name) is null)
            {
                throw new InvalidOperationException($"useradd {name} failed ({added.ExitCode}): {added.Error}");
            }
        }

        int uid = await IdAsync("-u", name) ?? throw new InvalidOperationException($"User {name} has no uid.");
        int gid = await IdAsync("-g", name) ?? throw new InvalidOperationException($"User {name} has no group.");

        // .NET writes a few files under HOME; the user must own it (and /tmp is shared, so not 777).
        var home = Path.Combine(Path.GetTempPath(), $"{name}-home");
        Directory.CreateDirectory(home);
        await CommandRun.RunCheckedAsync("chown", [$"{uid}:{gid}", home], CommandTimeout);
        await CommandRun.RunCheckedAsync("chmod", ["700", home], CommandTimeout);
        return new UnixUser(name, uid, gid, home);
    }

    /// <summary>
    /// Describes running <paramref name="program"/> as this user: its uid, gid and no supplementary
    /// groups, with <c>HOME</c> and <c>DOTNET_CLI_HOME</c> at <see cref="Home"/>. The started process is
    /// the program itself (setpriv execs it), so killing it kills the program.
    /// </summary>
    public ProcessStartInfo StartInfo(string program, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("setpriv", ["--reuid", Uid.ToString(), "--regid", Gid.ToString(), "--clear-groups", "--", program, .. arguments]);
        start.Environment["HOME"] = Home;
        start.Environment["DOTNET_CLI_HOME"] = Home;
        return start;
    }

    private static async Task<int?> IdAsync(string which, string name)
    {
        var id = await CommandRun.RunAsync("id", [which, name], CommandTimeout);
        return id.ExitCode == 0 && int.TryParse(id.Output.Trim(), out int value) ? value : null;
    }
}
