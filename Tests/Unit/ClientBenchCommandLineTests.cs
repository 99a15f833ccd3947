using System.Globalization;
using OrleansCache.Client;

namespace OrleansCache.Tests.Unit;

public sealed class ClientBenchCommandLineTests
{
    [Fact]
    public async Task Bench_GetsTheDocumentedDefaults_WhenItHasNoOptions()
    {
        var command = (await CommandLineRun.RunAsync(["bench"])).AssertRan();

        Assert.Equal(CommandVerb.Bench, command.Verb);
        Assert.Equal(new BenchOptions { Concurrency = 32, DurationSeconds = 10, GetRatio = 0.8, ValueSize = 100, Keys = 10_000 }, command.Bench);
        Assert.Equal("127.0.0.1:30000", command.Node.ToString());
    }

    [Fact]
    public async Task Bench_ReadsEveryOption_InBothSpacedAndEqualsForms()
    {
        var command = (await CommandLineRun.RunAsync(
            ["bench", "--concurrency", "4", "--duration=60", "--get-ratio", "0.25", "--value-size=1048576", "--keys", "7", "--node", "127.0.0.150"])).AssertRan();

        Assert.Equal(new BenchOptions { Concurrency = 4, DurationSeconds = 60, GetRatio = 0.25, ValueSize = 1024 * 1024, Keys = 7 }, command.Bench);
        Assert.Equal("127.0.0.150:30000", command.Node.ToString());
    }

    [Fact]
    public async Task Bench_CountsTheLastValue_WhenAnOptionIsGivenTwice()
    {
        var command = (await CommandLineRun.RunAsync(["bench", "--keys", "7", "--duration", "5", "--keys=9"])).AssertRan();

        Assert.Equal(9, command.Bench.Keys);
        Assert.Equal(5, command.Bench.DurationSeconds);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1")]
    [InlineData("0.5")]
    public async Task Bench_AcceptsGetRatio_FromZeroToOne(string ratio)
    {
        var command = (await CommandLineRun.RunAsync(["bench", "--get-ratio", ratio])).AssertRan();

        Assert.Equal(double.Parse(ratio, CultureInfo.InvariantCulture), command.Bench.GetRatio);
    }

    [Theory]
    [InlineData("--concurrency", "10001", "a whole number from 1 to 10000")]
    [InlineData("--concurrency", "0", "a whole number from 1 to 10000")]
    [InlineData("--duration", "86401", "a whole number of seconds from 1 to 86400")]
    [InlineData("--duration", "1.5", "a whole number of seconds from 1 to 86400")]
    [InlineData("--keys", "10000001", "a whole number from 1 to 10000000")]
    [InlineData("--get-ratio", "1e-1", "a number from 0 to 1 (the share of GETs)")]
    [InlineData("--get-ratio", "NaN", "a number from 0 to 1 (the share of GETs)")]
    [InlineData("--value-size", " 5", "a whole number of bytes from 1 to 1048576 (1 MiB)")]
    public async Task Bench_RefusesAnOutOfRangeValueInOneLine_NamingTheOptionAndItsRange(string option, string value, string range)
    {
        var run = await CommandLineRun.RunAsync(["bench", option, value]);

        Assert.Equal($"{option} must be {range}; it is '{value}'.", run.AssertBadUsage());
    }

    [Theory]
    [InlineData("127.0.0.201", "127.0.0.201:6379")]
    [InlineData("127.0.0.201:6380", "127.0.0.201:6380")]
    [InlineData("[::1]:7000", "[::1]:7000")]
    public async Task Bench_ReadsRedis_DefaultingToPort6379(string value, string expected)
    {
        var command = (await CommandLineRun.RunAsync(["bench", "--redis", value, "--concurrency", "8"])).AssertRan();

        Assert.Equal(expected, command.Bench.Redis?.ToString());
        Assert.Equal(8, command.Bench.Concurrency);
        Assert.Null((await CommandLineRun.RunAsync(["bench"])).AssertRan().Bench.Redis);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.201:70000")]
    [InlineData("127.0.0.201:")]
    public async Task Bench_RefusesRedis_WhenNotAnAddress(string value)
    {
        var run = await CommandLineRun.RunAsync(["bench", $"--redis={value}"]);

        Assert.Equal($"--redis must be an IP address or ip:port (default port 6379); it is '{value}'.", run.AssertBadUsage());
    }

    [Theory]
    [InlineData("get", "k", "--redis", "127.0.0.201")]
    [InlineData("stats", "--redis=127.0.0.201")]
    public async Task BenchOption_IsRefused_ForACommandOtherThanBench(params string[] args)
    {
        var run = await CommandLineRun.RunAsync(args);

        Assert.Equal("--redis is an option of bench only.", run.AssertBadUsage());
    }

    [Theory]
    [InlineData("bench", "--redis")]
    [InlineData("bench", "--redis=")]
    public async Task BenchOption_IsRefused_WhenItsValueIsMissing(params string[] args)
    {
        var run = await CommandLineRun.RunAsync(args);

        Assert.Equal("--redis needs a value: --redis <ip[:port]>.", run.AssertBadUsage());
    }

    [Fact]
    public async Task BenchHelp_ListsEveryOptionWithItsRangeAndDefault()
    {
        var run = await CommandLineRun.RunAsync(["bench", "--help"]);

        run.AssertHelp();
        string[] lines = run.Output.Split('\n');
        Assert.Contains(lines, line => line.StartsWith("  --concurrency <N>", StringComparison.Ordinal) && line.EndsWith("1 to 10000 [default: 32]", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("  --duration <S>", StringComparison.Ordinal) && line.EndsWith("1 to 86400 [default: 10]", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("  --get-ratio <R>", StringComparison.Ordinal) && line.EndsWith("[default: 0.8]", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("  --value-size <B>", StringComparison.Ordinal) && line.EndsWith("1 to 1048576 [default: 100]", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("  --keys <K>", StringComparison.Ordinal) && line.EndsWith("1 to 10000000 [default: 10000]", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("  --redis <ip[:port]>", StringComparison.Ordinal));
    }
}
