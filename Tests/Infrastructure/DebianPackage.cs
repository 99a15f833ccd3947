using System.Diagnostics;

namespace OrleansCache.Tests.Infrastructure;

/// <summary>Installs a Debian package that tests need, as <c>scripts/postgres.sh</c> does.</summary>
public static class DebianPackage
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Whether packages can be installed here: running as root, with apt-get.</summary>
    public static bool CanInstall => Environment.UserName == "root" && File.Exists("/usr/bin/apt-get");

    /// <summary>Installs <paramref name="package"/> without recommended packages, refreshing the package lists only if it is not found.</summary>
    public static async Task InstallAsync(string package)
    {
        // Test collections run in parallel and may each install a package (PostgreSQL, Chromium) at once:
        // wait for the other's dpkg lock rather than fail on it.
        var install = new ProcessStartInfo("apt-get", ["install", "-y", "-q", "--no-install-recommends", "-o", "DPkg::Lock::Timeout=300", package]);
        install.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        if ((await CommandRun.RunAsync(install, CommandTimeout)).ExitCode == 0)
        {
            return;
        }

        await CommandRun.RunCheckedAsync("apt-get", ["update", "-q"], CommandTimeout);
        var retried = await CommandRun.RunAsync(install, CommandTimeout);
        if (retried.ExitCode != 0)
        {
            throw new InvalidOperationException($"apt-get install {package} failed ({retried.ExitCode}): {retried.Error.Trim()}");
        }
    }
}
