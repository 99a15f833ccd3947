using System.Diagnostics;

namespace OrleansCache.Tests.Infrastructure;

/// <summary>
/// The published node and console client that real-process tests start, built once per test run, and the
/// HybridCache sample app, built the first time a test asks for it.
/// </summary>
/// <remarks>
/// Set <c>ORLEANS_CACHE_PUBLISH_DIR</c> to a folder holding <c>silo/Silo.dll</c> and
/// <c>client/Client.dll</c> (what <c>.ci/run</c> publishes) to skip the publish here. The sample is not part
/// of that publish: it is published here unless that folder holds <c>hybridcache-sample/HybridCacheSample.dll</c>.
/// </remarks>
public static class PublishedApps
{
    private static readonly Lazy<Task<string>> Published = new(PublishAsync);
    private static readonly Lazy<Task<string>> Sample = new(PublishSampleAsync);

    /// <summary>Path of the published node's <c>Silo.dll</c>.</summary>
    public static async Task<string> GetSiloAsync() => Path.Combine(await Published.Value, "silo", "Silo.dll");

    /// <summary>Path of the published console client's <c>Client.dll</c>.</summary>
    public static async Task<string> GetClientAsync() => Path.Combine(await Published.Value, "client", "Client.dll");

    /// <summary>Path of the published HybridCache sample's <c>HybridCacheSample.dll</c> (<c>Samples/HybridCacheSample</c>).</summary>
    public static Task<string> GetHybridCacheSampleAsync() => Sample.Value;

    private static async Task<string> PublishSampleAsync()
    {
        const string Folder = "hybridcache-sample";
        if (Environment.GetEnvironmentVariable("ORLEANS_CACHE_PUBLISH_DIR") is { Length: > 0 } given
            && File.Exists(Path.Combine(given, Folder, "HybridCacheSample.dll")))
        {
            return Path.GetFullPath(Path.Combine(given, Folder, "HybridCacheSample.dll"));
        }

        var output = Path.Combine(RepositoryPaths.Root, "artifacts", "test-publish", Folder);
        await PublishAsync("Samples/HybridCacheSample/HybridCacheSample.csproj", output);
        return Path.Combine(output, "HybridCacheSample.dll");
    }

    private static async Task<string> PublishAsync()
    {
        if (Environment.GetEnvironmentVariable("ORLEANS_CACHE_PUBLISH_DIR") is { Length: > 0 } given)
        {
            return Path.GetFullPath(given);
        }

        var output = Path.Combine(RepositoryPaths.Root, "artifacts", "test-publish");
        await PublishAsync("Silo/Silo.csproj", Path.Combine(output, "silo"));
        await PublishAsync("Client/Client.csproj", Path.Combine(output, "client"));
        return output;
    }

    private static async Task PublishAsync(string project, string output)
    {
        var start = new ProcessStartInfo("dotnet", ["publish", project, "-c", "Release", "-o", output, "--nologo", "-v", "quiet"])
        {
            WorkingDirectory = RepositoryPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish {project} failed ({process.ExitCode}):\n{await stdout}\n{await stderr}");
        }
    }
}
