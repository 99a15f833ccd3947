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
internal sealed record RespCommand(string Name, int Arity, RespHandler Handler)
{
    /// <summary>Whether a frame of <paramref name="count"/> arguments (the name included) fits the arity.</summary>
    public bool Accepts(int count) => Arity >= 0 ? count == Arity : count >= -Arity;
}
