using System.Security.Cryptography;
using System.Text;

namespace OrleansCache.Silo.Security;

/// <summary>
/// The clients' password (<c>CACHE_PASSWORD</c>), checked in constant time. Not set, every client is let in.
/// </summary>
/// <remarks>
/// Both sides are hashed with SHA-256 before <see cref="CryptographicOperations.FixedTimeEquals"/>, so the
/// time a check takes says nothing about the password: neither its bytes nor its length.
/// </remarks>
public sealed class ClientPassword
{
    private readonly byte[]? _hash;

    /// <summary>Holds <paramref name="password"/>; <see langword="null"/> or empty lets every client in.</summary>
    public ClientPassword(string? password) =>
        _hash = string.IsNullOrEmpty(password) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(password));

    /// <summary>Whether clients must give the password.</summary>
    public bool IsRequired => _hash is not null;

    /// <summary>Whether <paramref name="candidate"/> (UTF-8) is the password; always true when none is required.</summary>
    public bool Matches(ReadOnlySpan<byte> candidate)
    {
        if (_hash is null)
        {
            return true;
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(candidate, hash);
        return CryptographicOperations.FixedTimeEquals(hash, _hash);
    }

    /// <summary>Whether <paramref name="candidate"/> is the password; always true when none is required.</summary>
    public bool Matches(string candidate) => Matches(Encoding.UTF8.GetBytes(candidate));

    /// <summary>
    /// Whether an HTTP <c>Authorization</c> header carries the password: <c>Bearer &lt;password&gt;</c>, or
    /// <c>Basic</c> with any user name and the password (what a browser sends for the dashboard).
    /// </summary>
    public bool MatchesAuthorization(string? header)
    {
        if (_hash is null)
        {
            return true;
        }

        if (header is null)
        {
            return false;
        }

        const string Bearer = "Bearer ";
        const string Basic = "Basic ";
        if (header.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase))
        {
            return Matches(header.AsSpan(Bearer.Length).Trim().ToString());
        }

        if (!header.StartsWith(Basic, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        byte[] credentials;
        try
        {
            credentials = Convert.FromBase64String(header[Basic.Length..].Trim());
        }
        catch (FormatException)
        {
            return false;
        }

        // user-id ":" password (RFC 7617); the user name is not checked, the password may hold colons.
        int colon = Array.IndexOf(credentials, (byte)':');
        return colon >= 0 && Matches(credentials.AsSpan(colon + 1));
    }
}
