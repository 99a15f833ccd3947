using OrleansCache.Client;

namespace OrleansCache.Tests.Unit;

public sealed class ProgressLineTests
{
    [Fact]
    public void Show_RewritesOneLineInPlace_WhenStderrIsATerminal()
    {
        var error = new StringWriter { NewLine = "\n" };

        using (var progress = new ProgressLine(error, errorIsTerminal: true))
        {
            progress.Show("bench: 1 s of 10");
            progress.Show("bench: 2 s");
            progress.Show("bench: 3 s of 10");
        }

        // The shorter update blanks what the longer one before it left; the end moves to a fresh line.
        Assert.Equal("\rbench: 1 s of 10\rbench: 2 s      \rbench: 3 s of 10\n", error.ToString());
    }

    [Fact]
    public void Show_WritesALinePerUpdate_WhenStderrIsRedirected()
    {
        var error = new StringWriter { NewLine = "\n" };

        using (var progress = new ProgressLine(error, errorIsTerminal: false))
        {
            progress.Show("demo: 1 of 8 keys written, located and read back");
            progress.Show("demo: 2 of 8 keys written, located and read back");
        }

        Assert.Equal("demo: 1 of 8 keys written, located and read back\ndemo: 2 of 8 keys written, located and read back\n", error.ToString());
    }

    [Fact]
    public void Dispose_WritesNothing_WhenNothingWasShown()
    {
        var error = new StringWriter();

        new ProgressLine(error, errorIsTerminal: true).Dispose();

        Assert.Empty(error.ToString());
    }
}
