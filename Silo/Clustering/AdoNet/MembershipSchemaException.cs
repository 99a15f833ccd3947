namespace OrleansCache.Silo.Clustering.AdoNet;

/// <summary>
/// The membership schema could not be installed; the message is one line that names the server and
/// what to check, and never contains the connection string's password.
/// </summary>
public sealed class MembershipSchemaException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MembershipSchemaException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
