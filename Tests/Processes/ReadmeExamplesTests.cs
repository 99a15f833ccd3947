using System.Text.RegularExpressions;
using OrleansCache.Tests.Infrastructure;

namespace OrleansCache.Tests.Processes;

/// <summary>
/// The README's examples, run as written against a fresh published node: the curl commands of the
/// "HTTP API" section must print what their <c># →</c> lines show, and the console sessions of the
/// "Console client" and "Redis protocol" sections what follows each <c>$</c> line. The only change made is the node's
/// address: the examples say 127.0.0.1, the test's node has a loopback address of its own.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed partial class ReadmeExamplesTests
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task HttpApiExamples_PrintWhatTheReadmeShows()
    {
        var examples = ParseShellExamples(Section("## HTTP API"));
        Assert.True(examples.Count >= 15, $"Expected the README's curl examples, found {examples.Count}.");

        await using var node = await NodeProcess.StartReadyAsync("0", LoopbackAddresses.Next());
        foreach (var (command, expected) in examples)
        {
            var (exitCode, output) = await RunShellAsync(command.Replace("127.0.0.1", node.Ip, StringComparison.Ordinal));

            Assert.True(exitCode == 0, $"`{command}` exited {exitCode}: {output}");
            if (expected is not null)
            {
                Assert.Equal(expected.Replace("127.0.0.1", node.Ip, StringComparison.Ordinal), output.TrimEnd('\n'));
            }
        }
    }

    [Fact]
    public async Task ConsoleClientExamples_PrintWhatTheReadmeShows()
    {
        var session = ParseConsoleSession(Section("## Console client"));
        Assert.True(session.Count >= 8, $"Expected the README's client session, found {session.Count} commands.");

        await using var node = await NodeProcess.StartReadyAsync("0", LoopbackAddresses.Next());
        var client = await PublishedApps.GetClientAsync();
        foreach (var (command, expected) in session)
        {
            var line = command.Replace("dotnet run --project Client --", $"dotnet {client}", StringComparison.Ordinal);
            line = line.Contains("--node", StringComparison.Ordinal)
                ? line.Replace("127.0.0.1", node.Ip, StringComparison.Ordinal)
                : $"{line} --node {node.Ip}";
            var (_, output) = await RunShellAsync(line, mergeErrors: true);

            // Tables pad columns to the widest address; compare with runs of spaces folded.
            Assert.Equal(Fold(expected.Replace("127.0.0.1", node.Ip, StringComparison.Ordinal)), Fold(output));
        }
    }

    [CheckedFact]
    [Needs(Prerequisite.RedisCli)]
    public async Task RedisProtocolExamples_PrintWhatTheReadmeShows()
    {
        await RedisCli.EnsureAsync();
        var session = ParseConsoleSession(Section("## Redis protocol"));
        Assert.True(session.Count >= 8, $"Expected the README's redis-cli session, found {session.Count} commands.");

        await using var node = await NodeProcess.StartReadyAsync("0", LoopbackAddresses.Next());
        foreach (var (command, expected) in session)
        {
            var (_, output) = await RunShellAsync(command.Replace("127.0.0.1", node.Ip, StringComparison.Ordinal), mergeErrors: true);

            Assert.Equal(Fold(expected), Fold(output));
        }
    }

    // The certificate is made by the README's own openssl commands, in a directory of the test's, and the node
    // started with the variables the README gives it (the PFX's path made absolute: the node does not run there).
    [CheckedFact]
    [Needs(Prerequisite.RedisCli)]
    public async Task TlsExamples_PrintWhatTheReadmeShows()
    {
        await RedisCli.EnsureAsync();
        string section = Section("## TLS");
        var setup = ShellBlock().Match(section).Groups[1].Value.Replace("\\\n", " ", StringComparison.Ordinal)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var session = ParseConsoleSession(section);
        Assert.True(setup.Length == 3 && setup[^1].EndsWith("dotnet run --project Silo", StringComparison.Ordinal), $"Expected two openssl commands and the node's start, found:\n{string.Join('\n', setup)}");
        Assert.True(session.Count >= 4, $"Expected the README's TLS session, found {session.Count} commands.");

        string ip = LoopbackAddresses.Next();
        string directory = Directory.CreateTempSubdirectory("orleans-cache-readme-tls-").FullName;
        foreach (var command in setup[..^1])
        {
            var (exitCode, output) = await RunShellAsync($"cd {directory} && {command.Replace("127.0.0.1", ip, StringComparison.Ordinal)}", mergeErrors: true);
            Assert.True(exitCode == 0, $"`{command}` exited {exitCode}: {output}");
        }

        var environment = new Dictionary<string, string>();
        foreach (var assignment in setup[^1].Split(' ').TakeWhile(word => word.Contains('=', StringComparison.Ordinal)))
        {
            var (name, value) = (assignment[..assignment.IndexOf('=', StringComparison.Ordinal)], assignment[(assignment.IndexOf('=', StringComparison.Ordinal) + 1)..]);
            environment[name] = name == "TLS_CERTIFICATE" ? Path.Combine(directory, value) : value;
        }

        await using var node = await NodeProcess.StartReadyAsync("0", ip, environment);
        var client = await PublishedApps.GetClientAsync();
        foreach (var (command, expected) in session)
        {
            var line = command.Replace("dotnet run --project Client --", $"dotnet {client}", StringComparison.Ordinal);
            line = line.Contains(client, StringComparison.Ordinal) ? $"{line} --node {ip}" : line.Replace("127.0.0.1", ip, StringComparison.Ordinal);
            var (_, output) = await RunShellAsync($"cd {directory} && {line}", mergeErrors: true);

            Assert.Equal(Fold(expected), Fold(output));
        }
    }

    private static string Section(string heading)
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md"));
        int start = readme.IndexOf(heading + "\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"README.md has no section '{heading}'.");
        int end = readme.IndexOf("\n## ", start + heading.Length, StringComparison.Ordinal);
        return end < 0 ? readme[start..] : readme[start..end];
    }

    // In ```sh blocks: a command line, then optionally "# → expected output".
    private static List<(string Command, string? Expected)> ParseShellExamples(string section)
    {
        var examples = new List<(string, string?)>();
        foreach (Match block in ShellBlock().Matches(section))
        {
            foreach (var line in block.Groups[1].Value.Split('\n'))
            {
                if (line.StartsWith("# → ", StringComparison.Ordinal))
                {
                    examples[^1] = (examples[^1].Item1, line["# → ".Length..]);
                }
                else if (line.Length > 0 && !line.StartsWith('#'))
                {
                    examples.Add((line, null));
                }
            }
        }

        return examples;
    }

    // In ```console blocks: "$ command" lines, each followed by its output lines.
    private static List<(string Command, string Expected)> ParseConsoleSession(string section)
    {
        var session = new List<(string, string)>();
        foreach (Match block in ConsoleBlock().Matches(section))
        {
            foreach (var line in block.Groups[1].Value.Split('\n'))
            {
                if (line.StartsWith("$ ", StringComparison.Ordinal))
                {
                    session.Add((line[2..], string.Empty));
                }
                else if (session.Count > 0)
                {
                    var (command, output) = session[^1];
                    session[^1] = (command, output.Length == 0 ? line : $"{output}\n{line}");
                }
            }
        }

        return session;
    }

    private static async Task<(int ExitCode, string Output)> RunShellAsync(string command, bool mergeErrors = false)
    {
        var run = await CommandRun.RunAsync("bash", ["-c", mergeErrors ? $"{command} 2>&1" : command], CommandTimeout);
        return (run.ExitCode, run.Output + (run.ExitCode == 0 ? string.Empty : run.Error));
    }

    private static string Fold(string text) => MultipleSpaces().Replace(text.Trim(), " ");

    [GeneratedRegex("```sh\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ShellBlock();

    [GeneratedRegex("```console\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ConsoleBlock();

    [GeneratedRegex(" +")]
    private static partial Regex MultipleSpaces();
}
