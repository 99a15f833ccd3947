using System.Text;
using OrleansCache.Client;

// The console demo client: parse the command line, connect to one node, run one command.
// Keys and values are UTF-8 whatever the terminal's locale says.
Console.OutputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

if (!CommandLine.TryParse(args, Environment.GetEnvironmentVariable, out var command, out var error))
{
    Console.Error.WriteLine($"Orleans.Cache: {error}");
    return CommandRunner.Invalid;
}

if (command.Verb == CommandVerb.Help)
{
    Console.Out.Write(CommandLine.Usage);
    return CommandRunner.Done;
}

return await CommandRunner.RunAsync(command, Console.Out, Console.Error, errorIsTerminal: !Console.IsErrorRedirected);
