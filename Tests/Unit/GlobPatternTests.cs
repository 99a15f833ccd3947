using OrleansCache.Grains.Keys;

namespace OrleansCache.Tests.Unit;

/// <summary>Redis's glob patterns, with the examples of Redis's <c>KEYS</c> documentation and the corners of its matcher.</summary>
public sealed class GlobPatternTests
{
    [Theory]
    [InlineData("h?llo", "hello", true)]
    [InlineData("h?llo", "hallo", true)]
    [InlineData("h?llo", "hllo", false)]
    [InlineData("h*llo", "hllo", true)]
    [InlineData("h*llo", "heeeello", true)]
    [InlineData("h[ae]llo", "hello", true)]
    [InlineData("h[ae]llo", "hillo", false)]
    [InlineData("h[^e]llo", "hallo", true)]
    [InlineData("h[^e]llo", "hello", false)]
    [InlineData("h[a-b]llo", "hbllo", true)]
    [InlineData("h[a-b]llo", "hcllo", false)]
    [InlineData("h[b-a]llo", "hallo", true)]
    [InlineData("h\\*llo", "h*llo", true)]
    [InlineData("h\\*llo", "hello", false)]
    [InlineData("h[\\]]llo", "h]llo", true)]
    [InlineData("*", "", true)]
    [InlineData("*", "anything", true)]
    [InlineData("", "", true)]
    [InlineData("", "a", false)]
    [InlineData("a*b*c", "axxbyyc", true)]
    [InlineData("a*b*c", "axxbyy", false)]
    [InlineData("*name*", "firstname", true)]
    [InlineData("*name*", "age", false)]
    [InlineData("users/*/näme", "users/42/näme", true)]
    [InlineData("[abc", "a", true)]
    public void IsMatch_FollowsRedissRules(string pattern, string text, bool expected)
    {
        Assert.Equal(expected, GlobPattern.IsMatch(pattern, text));
    }

    [Fact]
    public void IsMatch_OfManyStars_AgainstALongMiss_StaysFast()
    {
        // A matcher that backtracks into every '*' takes exponential time here; this one stays linear per star.
        string pattern = string.Concat(Enumerable.Repeat("a*", 30)) + "b";
        string text = new('a', 1024);

        var started = System.Diagnostics.Stopwatch.StartNew();
        Assert.False(GlobPattern.IsMatch(pattern, text));
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(5), $"took {started.Elapsed}");
    }
}
