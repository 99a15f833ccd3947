using OrleansCache.Client;

namespace OrleansCache.Tests.Unit;

/// <summary>
/// One run of the console client's command line with the runner replaced: what it printed, its exit code,
/// and the command it handed to the runner (none for help and bad usage).
/// </summary>
/// <param name="ExitCode">The exit code the process would end with.</param>
/// <param name="Output">What went to stdout (help).</param>
/// <param name="Error">What went to stderr (the one line of bad usage).</param>
/// <param name="Command">The command the runner was given, or <see langword="null"/>.</param>
public sealed record CommandLineRun(int ExitCode, string Output, string Error, ClientCommand? Command)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>The lines of <see cref="Error"/>, without the final line break.</summary>
    public IReadOnlyList<string> ErrorLines => Error.Length == 0 ? [] : Error.TrimEnd('\n').Split('\n');

    /// <summary>Runs the command line on <paramref name="args"/>, with <paramref name="environment"/> as the only environment variables.</summary>
    public static async Task<CommandLineRun> RunAsync(IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        ClientCommand? ran = null;
        var commandLine = new CommandLine(
            name => environment?.GetValueOrDefault(name),
            command =>
            {
                ran = command;
                return Task.FromResult(CommandRunner.Done);
            });
        using var output = new StringWriter { NewLine = "\n" };
        using var error = new StringWriter { NewLine = "\n" };

        int exitCode = await commandLine.InvokeAsync(args, output, error).WaitAsync(Timeout);

        return new CommandLineRun(exitCode, output.ToString(), error.ToString(), ran);
    }

    /// <summary>Asserts the command line was good and returns the command the runner got.</summary>
    public ClientCommand AssertRan()
    {
        Assert.True(ExitCode == CommandRunner.Done && Error.Length == 0 && Command is not null, ToString());
        return Command;
    }

    /// <summary>Asserts help was printed: exit code 0, nothing on stderr, nothing run; returns the help.</summary>
    public string AssertHelp()
    {
        Assert.True(ExitCode == CommandRunner.Done && Error.Length == 0 && Command is null && Output.Length > 0, ToString());
        return Output;
    }

    /// <summary>Asserts bad usage: exit code 2, nothing on stdout, nothing run, and exactly one line on stderr, which is returned without its prefix.</summary>
    public string AssertBadUsage()
    {
        Assert.True(ExitCode == CommandRunner.Invalid && Output.Length == 0 && Command is null, ToString());
        string line = Assert.Single(ErrorLines);
        Assert.StartsWith("Orleans.Cache: ", line);
        return line["Orleans.Cache: ".Length..];
    }
}
