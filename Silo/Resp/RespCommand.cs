using System.Buffers;

namespace OrleansCache.Silo.Resp;

/// <summary>Runs one command: starts its cache calls, if any, and returns the reply it owes.</summary>
/// <param name="session">The connection the command came on.</param>
/// <param name="arguments">The command name, then its arguments; valid only during the call.</param>
internal delegate PendingReply RespHandler(RespSession session, ReadOnlySpan<ReadOnlySequence<byte>> arguments);

/// <summary>One entry of the command table.</summary>
/// <param name="Name">The command's name, lower case, as Redis's error messages print it.</param>
/// <param name="Arity">Redis's convention: N means exactly N arguments counting the name, -N at least N.</param>
/// <param name="Handler">What runs it, once its arity is checked.</param>
/// <param name="Values">How many stored values its reply can carry: <see cref="ReplyValues.None"/> (a status,
/// a number), <see cref="ReplyValues.One"/>, or <see cref="ReplyValues.PerKey"/> (one per argument after the name).</param>
internal sealed record RespCommand(string Name, int Arity, RespHandler Handler, ReplyValues Values = ReplyValues.None)
{
    /// <summary>Where the value to store is among the arguments (the name is 0), or 0 for a command that stores none.</summary>
    public int FirstValue { get; init; }

    /// <summary>How far apart the values are when there are several (MSET's 2), or 0 for one value.</summary>
    public int ValueStep { get; init; }

    /// <summary>Whether argument <paramref name="index"/> is a value to store, so that one over <c>MAX_VALUE_BYTES</c>
    /// is refused in the facade's words for a value rather than as an argument.</summary>
    public bool IsValue(int index) =>
        FirstValue > 0 && index >= FirstValue && (ValueStep == 0 ? index == FirstValue : (index - FirstValue) % ValueStep == 0);

    /// <summary>Whether a frame of <paramref name="count"/> arguments (the name included) fits the arity.</summary>
    public bool Accepts(int count) => Arity >= 0 ? count == Arity : count >= -Arity;

    /// <summary>The most stored values a reply to a frame of <paramref name="count"/> arguments can carry.</summary>
    public int MaxValues(int count) => Values switch
    {
        ReplyValues.One => 1,
        ReplyValues.PerKey => count - 1,
        _ => 0,
    };
}

/// <summary>How many stored values a command's reply can carry, which bounds what a batch holds (see <see cref="RespSession"/>).</summary>
internal enum ReplyValues
{
    /// <summary>None: a status, an error, a number or a short text.</summary>
    None,

    /// <summary>At most one value (<c>GET</c>, <c>SET ... GET</c>).</summary>
    One,

    /// <summary>One value per key argument (<c>MGET</c>).</summary>
    PerKey,
}
