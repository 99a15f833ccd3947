using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OrleansCache.Tests.Infrastructure;

/// <summary>
/// Self-signed certificates made for one test, written as PFX files the way an operator makes a cluster's
/// (README, "TLS"): one certificate every node and trusted client holds.
/// </summary>
public static class TestCertificates
{
    /// <summary>The password every test PFX is written with.</summary>
    public const string Password = "test-pfx-password";

    /// <summary>
    /// Writes a new self-signed certificate with its key to <c><paramref name="name"/>.pfx</c> in a new temporary
    /// directory, naming <paramref name="addresses"/> as its IP addresses, and returns the file's path.
    /// </summary>
    public static string CreatePfx(string name, params string[] addresses)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        if (addresses.Length > 0)
        {
            var names = new SubjectAlternativeNameBuilder();
            foreach (var address in addresses)
            {
                names.AddIpAddress(IPAddress.Parse(address));
            }

            request.CertificateExtensions.Add(names.Build());
        }
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        string directory = Directory.CreateTempSubdirectory("orleans-cache-tls-").FullName;
        string path = Path.Combine(directory, $"{name}.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, Password));
        return path;
    }
}
