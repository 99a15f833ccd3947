namespace OrleansCache.Silo.Resp;

/// <summary>What <see cref="RespFrameReader.TryRead"/> found.</summary>
internal enum RespFrameStatus
{
    /// <summary>A whole command; its arguments are in <see cref="RespFrameReader.Arguments"/>.</summary>
    Complete,

    /// <summary>A whole command that must be refused with <see cref="RespFrameReader.Rejection"/>, not run.</summary>
    Rejected,

    /// <summary>An empty frame (<c>*0</c>), which Redis ignores without a reply.</summary>
    Empty,

    /// <summary>More bytes are needed.</summary>
    Incomplete,

    /// <summary>Not RESP: answer the error and close the connection.</summary>
    Malformed,
}
