namespace OrleansCache.Tests.Infrastructure;

/// <summary>
/// Debian's <c>redis-cli</c>, a Redis client nobody here wrote, for the tests that drive a node with it.
/// Installed (<c>redis-tools</c>, without a server) on first use when missing and the tests run as root.
/// </summary>
public static class RedisCli
{
    private static readonly Lazy<Task> Installed = new(InstallAsync);

    /// <summary>Why redis-cli cannot be had here, or <see langword="null"/> when it can.</summary>
    public static string? MissingPrerequisite() =>
        OnPath() || DebianPackage.CanInstall
            ? null
            : "redis-cli is not installed and the tests do not run as root to install it (apt-get install redis-tools)";

    /// <summary>Makes sure redis-cli can be run, installing it if it is missing.</summary>
    public static Task EnsureAsync() => OnPath() ? Task.CompletedTask : Installed.Value;

    private static bool OnPath() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, "redis-cli")));

    private static Task InstallAsync() => DebianPackage.InstallAsync("redis-tools");
}
