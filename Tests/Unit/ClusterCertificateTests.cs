using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OrleansCache.ClientLibrary.Discovery;
using OrleansCache.Tests.Infrastructure;

namespace OrleansCache.Tests.Unit;

public sealed class ClusterCertificateTests
{
    [Fact]
    public void Trusts_TheSameSelfSignedCertificate_ButNotAnotherOrNone()
    {
        using var cluster = ClusterCertificate.Load(TestCertificates.CreatePfx("cluster"), TestCertificates.Password);
        using var stranger = ClusterCertificate.Load(TestCertificates.CreatePfx("cluster"), TestCertificates.Password);

        Assert.True(cluster.Trusts(cluster.Certificate));
        Assert.False(cluster.Trusts(stranger.Certificate)); // Same name, another key: not the cluster's.
        Assert.False(cluster.Trusts(null));
    }

    [Fact]
    public void Trusts_CertificatesIssuedByTheAuthorityInItsPfx_ButNotOneSignedByAnother()
    {
        using var authority = CreateAuthority("cluster authority");
        using var other = CreateAuthority("cluster authority");
        string directory = Directory.CreateTempSubdirectory("orleans-cache-ca-").FullName;
        using var node1 = ClusterCertificate.Load(IssuePfx(authority, "node-1", directory), TestCertificates.Password);
        using var node2 = ClusterCertificate.Load(IssuePfx(authority, "node-2", directory), TestCertificates.Password);
        using var impostor = ClusterCertificate.Load(IssuePfx(other, "node-3", directory), TestCertificates.Password);

        Assert.Equal("CN=node-1", node1.Certificate.Subject);
        Assert.True(node1.Trusts(node2.Certificate));
        Assert.True(node2.Trusts(node1.Certificate));
        Assert.False(node1.Trusts(impostor.Certificate));
        Assert.False(impostor.Trusts(node1.Certificate));
    }

    [Fact]
    public void Load_SaysWhyAFileCannotServe()
    {
        string pfx = TestCertificates.CreatePfx("cluster");
        string directory = Path.GetDirectoryName(pfx)!;
        string publicOnly = Path.Combine(directory, "public.pfx");
        using (var loaded = ClusterCertificate.Load(pfx, TestCertificates.Password))
        {
            File.WriteAllBytes(publicOnly, X509CertificateLoader.LoadCertificate(loaded.Certificate.RawData).Export(X509ContentType.Pfx, "p"));
        }

        Assert.Contains("cannot be read", Assert.Throws<ArgumentException>(() => ClusterCertificate.Load(Path.Combine(directory, "missing.pfx"), null)).Message);
        Assert.Contains("password may be incorrect", Assert.Throws<ArgumentException>(() => ClusterCertificate.Load(pfx, "wrong")).Message);
        Assert.Contains("holds no private key", Assert.Throws<ArgumentException>(() => ClusterCertificate.Load(publicOnly, "p")).Message);
    }

    private static X509Certificate2 CreateAuthority(string name)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    // A node's PFX as an authority hands it out: the node's certificate and key, and the authority's certificate.
    private static string IssuePfx(X509Certificate2 authority, string name, string directory)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var issued = request.Create(authority, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(12), RandomNumberGenerator.GetBytes(8));
        using var withKey = issued.CopyWithPrivateKey(key);
        var bundle = new X509Certificate2Collection { withKey, X509CertificateLoader.LoadCertificate(authority.RawData) };
        string path = Path.Combine(directory, $"{name}.pfx");
        File.WriteAllBytes(path, bundle.Export(X509ContentType.Pfx, TestCertificates.Password)!);
        return path;
    }
}
