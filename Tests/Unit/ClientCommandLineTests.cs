using OrleansCache.Client;

namespace OrleansCache.Tests.Unit;

public sealed class ClientCommandLineTests
{
    private static readonly string[] Synopses =
        ["get <key>", "set <key> <value>", "del <key>", "dump <nodeId>", "cluster", "stats", "demo", "bench", "help"];

    public static TheoryData<string> Commands => new(Synopses);

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task CommandHelp_PrintsItsUsageOptionsAndExitCodes_WhenAskedWithHelpOrH(string synopsis)
    {
        foreach (var help in new[] { "--help", "-h" })
        {
            var run = await CommandLineRun.RunAsync([synopsis.Split(' ')[0], help]);

            run.AssertHelp();
            Assert.Contains($"Usage:\n  Client {synopsis} [options]\n", run.Output);
            Assert.Contains("  --node <ip[:port]>", run.Output);
            Assert.Contains("  --json", run.Output);
            Assert.Contains("Exit codes:\n  0  done", run.Output);
            Assert.Contains("  2  bad usage or an invalid key", run.Output);
        }
    }

    [Fact]
    public async Task CommandHelp_WinsOverMissingArguments_WhenTheKeyIsLeftOut()
    {
        var run = await CommandLineRun.RunAsync(["set", "--help"]);

        run.AssertHelp();
        Assert.Contains("Arguments:\n  <key>", run.Output);
    }

    [Theory]
    [InlineData]
    [InlineData("help")]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("--node", "127.0.0.5")]
    public async Task RootHelp_ListsEveryCommandTheEnvironmentAndTheExitCodes(params string[] args)
    {
        var run = await CommandLineRun.RunAsync(args);

        run.AssertHelp();
        Assert.Contains("Usage:\n  Client [command] [options]\n", run.Output);
        foreach (var synopsis in Synopses)
        {
            Assert.Matches($"\n  {synopsis} +[a-z]", run.Output);
        }

        Assert.Contains("\n  GATEWAY_PORT ", run.Output);
        Assert.Contains("\n  CLUSTER_ID ", run.Output);
        Assert.Contains("\n  1  the cluster could not do it", run.Output);
        Assert.Equal((await CommandLineRun.RunAsync(["help"])).Output, run.Output);
    }

    [Theory]
    [InlineData("get", "k", "--node", "127.0.0.7")]
    [InlineData("--node", "127.0.0.7", "get", "k")]
    [InlineData("get", "--node=127.0.0.7", "k")]
    [InlineData("--node", "127.0.0.1", "get", "k", "--node", "127.0.0.7")]
    public async Task Node_IsRead_BeforeOrAfterTheCommandTheLastOneCounting(params string[] args)
    {
        var command = (await CommandLineRun.RunAsync(args)).AssertRan();

        Assert.Equal(CommandVerb.Get, command.Verb);
        Assert.Equal(["k"], command.Arguments);
        Assert.Equal("127.0.0.7:30000", command.Node.ToString());
    }

    [Theory]
    [InlineData(null, "127.0.0.1:31000")]
    [InlineData("127.0.0.8", "127.0.0.8:31000")]
    [InlineData("127.0.0.8:30005", "127.0.0.8:30005")]
    [InlineData("[::1]", "[::1]:31000")]
    public async Task Node_TakesItsPortFromGatewayPort_WhenItNamesNone(string? node, string expected)
    {
        string[] args = node is null ? ["cluster"] : ["cluster", "--node", node];

        var command = (await CommandLineRun.RunAsync(args, new Dictionary<string, string> { ["GATEWAY_PORT"] = "31000" })).AssertRan();

        Assert.Equal(expected, command.Node.ToString());
    }

    [Fact]
    public async Task ClusterId_ComesFromTheEnvironment_ElseTheNodesDefault()
    {
        var given = (await CommandLineRun.RunAsync(["stats"], new Dictionary<string, string> { ["CLUSTER_ID"] = " blue " })).AssertRan();
        var unset = (await CommandLineRun.RunAsync(["stats"])).AssertRan();

        Assert.Equal("blue", given.ClusterId);
        Assert.Equal("orleans-cache", unset.ClusterId);
    }

    [Theory]
    [InlineData("--json", "del", "k")]
    [InlineData("del", "--json", "k")]
    [InlineData("del", "k", "--json")]
    public async Task Json_IsAnOptionOfEveryCommand_WhereverItStands(params string[] args)
    {
        var command = (await CommandLineRun.RunAsync(args)).AssertRan();

        Assert.True(command.Json);
        Assert.Equal(["k"], command.Arguments);
        Assert.False((await CommandLineRun.RunAsync(["del", "k"])).AssertRan().Json);
    }

    [Theory]
    [InlineData(new[] { "set", "--", "--key", "--value" }, new[] { "--key", "--value" })]
    [InlineData(new[] { "set", "k", "--", "--json" }, new[] { "k", "--json" })]
    [InlineData(new[] { "get", "--", "-h" }, new[] { "-h" })]
    [InlineData(new[] { "set", "-k", "-v" }, new[] { "-k", "-v" })]
    [InlineData(new[] { "set", "@home", "@file" }, new[] { "@home", "@file" })]
    [InlineData(new[] { "set", " key with spaces ", "" }, new[] { " key with spaces ", "" })]
    public async Task Arguments_AreTakenAsGiven_AfterDoubleDashOrWhenTheyAreNoOption(string[] args, string[] expected)
    {
        var command = (await CommandLineRun.RunAsync(args)).AssertRan();

        Assert.Equal(expected, command.Arguments);
        Assert.False(command.Json);
    }

    [Theory]
    [InlineData(new[] { "frob" }, "unknown command 'frob'; run 'help' for the list.")]
    [InlineData(new[] { "--node", "127.0.0.1", "frob", "k" }, "unknown command 'frob'; run 'help' for the list.")]
    [InlineData(new[] { "set", "only-a-key" }, "wrong number of arguments; usage: set <key> <value>; see 'Client set --help'.")]
    [InlineData(new[] { "get" }, "wrong number of arguments; usage: get <key>; see 'Client get --help'.")]
    [InlineData(new[] { "get", "a", "b" }, "wrong number of arguments; usage: get <key>; see 'Client get --help'.")]
    [InlineData(new[] { "cluster", "extra" }, "wrong number of arguments; usage: cluster; see 'Client cluster --help'.")]
    [InlineData(new[] { "get", "k", "--nodes", "127.0.0.1" }, "unknown option '--nodes' (use -- before a key or value that starts with --).")]
    [InlineData(new[] { "get", "--key" }, "unknown option '--key' (use -- before a key or value that starts with --).")]
    [InlineData(new[] { "get", "k", "--node", "not-an-address" }, "--node must be an IP address or ip:port; it is 'not-an-address'.")]
    [InlineData(new[] { "get", "k", "--node" }, "--node needs a value: --node <ip[:port]>.")]
    [InlineData(new[] { "get", "" }, "The key is empty; a key is 1 to 1024 bytes of UTF-8.")]
    public async Task BadUsage_ExitsTwoWithOneLineSayingWhy(string[] args, string expected)
    {
        var run = await CommandLineRun.RunAsync(args);

        Assert.Equal(expected, run.AssertBadUsage());
    }

    [Fact]
    public async Task BadUsage_RefusesAKeyThatIsNotUnicode_WhenItHoldsALoneSurrogate()
    {
        var run = await CommandLineRun.RunAsync(["del", "a\ud800"]);

        Assert.Equal("The key is not valid UTF-8; a key is 1 to 1024 bytes of UTF-8.", run.AssertBadUsage());
    }

    [Fact]
    public async Task BadUsage_RefusesAKeyOver1024Bytes_CountingUtf8Bytes()
    {
        var run = await CommandLineRun.RunAsync(["get", new string('é', 513)]);

        Assert.Equal("The key is 1026 bytes of UTF-8; the limit is 1024.", run.AssertBadUsage());
        (await CommandLineRun.RunAsync(["get", new string('é', 512)])).AssertRan();
    }

    [Fact]
    public async Task BadUsage_RefusesAnInvalidGatewayPort_WhenNodeNamesNoPort()
    {
        var run = await CommandLineRun.RunAsync(["cluster"], new Dictionary<string, string> { ["GATEWAY_PORT"] = "70000" });

        Assert.Equal("GATEWAY_PORT must be a port number from 1 to 65535; it is '70000'.", run.AssertBadUsage());
    }
}
