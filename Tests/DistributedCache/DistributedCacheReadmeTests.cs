using System.Text.RegularExpressions;
using OrleansCache.Tests.Infrastructure;

namespace OrleansCache.Tests.DistributedCache;

/// <summary>
/// The README's "Use it from .NET" section shows the sample as it is: its C# lines are the sample's own, and its
/// run command names the sample's project. (<see cref="HybridCacheSampleTests"/> checks what the sample answers.)
/// </summary>
public sealed partial class DistributedCacheReadmeTests
{
    [Fact]
    public void UseItFromDotnetSection_ShowsLinesOfTheSamplesProgram()
    {
        string readme = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md"));
        string program = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "Samples", "HybridCacheSample", "Program.cs"));
        int start = readme.IndexOf("## Use it from .NET", StringComparison.Ordinal);
        Assert.True(start >= 0, "the README has a \"Use it from .NET\" section");
        int end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        string section = readme[start..end];

        var lines = CSharpBlock().Matches(section).SelectMany(block => block.Groups[1].Value.Split('\n')).Where(l => l.Trim().Length > 0).ToList();

        Assert.True(lines.Count >= 3, $"the section shows the sample's code; found {lines.Count} lines");
        Assert.All(lines, line => Assert.Contains(line.TrimEnd(), program, StringComparison.Ordinal));
        Assert.Contains("dotnet run --project Samples/HybridCacheSample\n", section, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(RepositoryPaths.Root, "Samples", "HybridCacheSample", "HybridCacheSample.csproj")));
    }

    [GeneratedRegex("```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
