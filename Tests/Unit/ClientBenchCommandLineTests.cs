using OrleansCache.Client;

namespace OrleansCache.Tests.Unit;

public sealed class ClientBenchCommandLineTests
{
    [Fact]
    public void TryParse_GivesTheDocumentedDefaults_WhenBenchHasNoOptions()
    {
        var command = Parse("bench");

        Assert.Equal(CommandVerb.Bench, command.Verb);
        Assert.Equal(new BenchOptions { Concurrency = 32, DurationSeconds = 10, GetRatio = 0.8, ValueSize = 100, Keys = 10_000 }, command.Bench);
        Assert.Equal("127.0.0.1:30000", command.Node.ToString());
    }

    [Fact]
    public void TryParse_ReadsEveryBenchOption_InBothSpacedAndEqualsForms()
    {
        var command = Parse("bench", "--concurrency", "4", "--duration=60", "--get-ratio", "0.25", "--value-size=1048576", "--keys", "7", "--node", "127.0.0.150");

        Assert.Equal(new BenchOptions { Concurrency = 4, DurationSeconds = 60, GetRatio = 0.25, ValueSize = 1024 * 1024, Keys = 7 }, command.Bench);
        Assert.Equal("127.0.0.150:30000", command.Node.ToString());
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1")]
    [InlineData("0.5")]
    public void TryParse_AcceptsGetRatio_FromZeroToOne(string ratio)
    {
        Assert.Equal(double.Parse(ratio, System.Globalization.CultureInfo.InvariantCulture), Parse("bench", "--get-ratio", ratio).Bench.GetRatio);
    }

    [Theory]
    [InlineData("--concurrency", "10001")]
    [InlineData("--duration", "86401")]
    [InlineData("--duration", "1.5")]
    [InlineData("--keys", "10000001")]
    [InlineData("--get-ratio", "1e-1")]
    [InlineData("--get-ratio", "NaN")]
    [InlineData("--value-size", " 5")]
    public void TryParse_RefusesAnOutOfRangeValue_NamingTheOption(string option, string value)
    {
        Assert.False(CommandLine.TryParse(["bench", option, value], _ => null, out _, out var error));
        Assert.StartsWith($"{option} must be ", error);
    }

    private static ClientCommand Parse(params string[] args)
    {
        Assert.True(CommandLine.TryParse(args, _ => null, out var command, out var error), error);
        return command;
    }
}
