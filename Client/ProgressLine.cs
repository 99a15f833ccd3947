namespace OrleansCache.Client;

/// <summary>
/// Progress on stderr. On a terminal it is one line rewritten in place (a carriage return, then the new
/// text padded over the old); in a file or pipe every update is a line of its own, which a log can keep.
/// Disposing ends the line on a terminal, so what follows starts on a fresh one.
/// </summary>
public sealed class ProgressLine(TextWriter error, bool errorIsTerminal) : IDisposable
{
    // Characters of the line now on the terminal: a shorter update blanks what the last one left over.
    private int _shown;

    /// <summary>Shows <paramref name="line"/> in place of the last update.</summary>
    public void Show(string line)
    {
        if (!errorIsTerminal)
        {
            error.WriteLine(line);
            return;
        }

        error.Write('\r' + line.PadRight(_shown));
        _shown = line.Length;
    }

    /// <summary>On a terminal, ends the line the last update left, keeping it on screen.</summary>
    public void Dispose()
    {
        if (errorIsTerminal && _shown > 0)
        {
            error.WriteLine();
            _shown = 0;
        }
    }
}
