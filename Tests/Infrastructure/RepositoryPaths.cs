namespace OrleansCache.Tests.Infrastructure;

/// <summary>Finds the repository the tests were built from.</summary>
public static class RepositoryPaths
{
    /// <summary>The folder holding <c>Orleans.Cache.sln</c>.</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orleans.Cache.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Orleans.Cache.sln above {AppContext.BaseDirectory}.");
    }
}
