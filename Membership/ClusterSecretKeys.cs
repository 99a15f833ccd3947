using System.Security.Cryptography;
using System.Text;

namespace OrleansCache.Membership;

/// <summary>
/// Keys derived from <c>CLUSTER_SECRET</c>, one per use (HKDF-SHA256 with the use as its label), so that
/// what proves one kind of node-to-node traffic proves nothing about another.
/// </summary>
public static class ClusterSecretKeys
{
    /// <summary>Labels the membership messages' key.</summary>
    public static ReadOnlySpan<byte> Membership => "orleans-cache/membership/v1"u8;

    /// <summary>Labels the key of the proof silos put on their calls to silo-only grain methods.</summary>
    public static ReadOnlySpan<byte> SiloCalls => "orleans-cache/silo-calls/v1"u8;

    /// <summary>The 32-byte key for the use <paramref name="label"/> names.</summary>
    public static byte[] Derive(string clusterSecret, ReadOnlySpan<byte> label)
    {
        var key = new byte[32];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(clusterSecret), key, salt: [], info: label);
        return key;
    }
}
