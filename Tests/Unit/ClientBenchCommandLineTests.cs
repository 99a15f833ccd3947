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

    [Theory]
    [InlineData("127.0.0.201", "127.0.0.201:6379")]
    [InlineData("127.0.0.201:6380", "127.0.0.201:6380")]
    [InlineData("[::1]:7000", "[::1]:7000")]
    public void TryParse_ReadsRedis_DefaultingToPort6379(string value, string expected)
    {
        var command = Parse("bench", "--redis", value, "--concurrency", "8");

        Assert.Equal(expected, command.Bench.Redis?.ToString());
        Assert.Equal(8, command.Bench.Concurrency);
        Assert.Null(Parse("bench").Bench.Redis);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.201:70000")]
    [InlineData("")]
    public void TryParse_RefusesRedis_WhenNotAnAddress(string value)
    {
        Assert.False(CommandLine.TryParse(["bench", $"--redis={value}"], _ => null, out _, out var error));
        Assert.Equal($"--redis must be an IP address or ip:port (default port 6379); it is '{value}'.", error);
    }

    [Fact]
    public void TryParse_RefusesRedis_ForACommandOtherThanBench()
    {
        Assert.False(CommandLine.TryParse(["get", "k", "--redis", "127.0.0.201"], _ => null, out _, out var error));
        Assert.Equal("--redis is an option of bench only.", error);
        Assert.False(CommandLine.TryParse(["bench", "--redis"], _ => null, out _, out error));
        Assert.Equal("--redis needs an address: --redis <ip>[:<port>].", error);
    }

    private static ClientCommand Parse(params string[] args)
    {
        Assert.True(CommandLine.TryParse(args, _ => null, out var command, out var error), error);
        return command;
    }
}
