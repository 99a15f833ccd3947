using System.Text;
using OrleansCache.Client;

// The console demo client: parse the command line, connect to one node, run one command.
// Keys and values are UTF-8 whatever the terminal's locale says.
Console.OutputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

var commandLine = new CommandLine(
    Environment.GetEnvironmentVariable,
    command => CommandRunner.RunAsync(command, Console.Out, Console.Error, errorIsTerminal: !Console.IsErrorRedirected));
return await commandLine.InvokeAsync(args, Console.Out, Console.Error);
