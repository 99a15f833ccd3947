using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;

namespace OrleansCache.ClientLibrary.Discovery;

/// <summary>
/// The certificate a node or a client presents on TLS connections (<c>TLS_CERTIFICATE</c>, a PFX), and the
/// rule by which it trusts the other end: a certificate is trusted when it chains to a self-signed
/// certificate in the same PFX (one self-signed certificate shared by the cluster, or a cluster's own
/// authority whose certificate is exported beside the node's), or, for a PFX without one, to a root
/// this machine trusts. Host names are not checked: nodes are addressed by IP and all hold the
/// cluster's certificate, which is the identity that matters here.
/// </summary>
public sealed class ClusterCertificate : IDisposable
{
    private readonly X509Certificate2Collection _loaded;
    private readonly X509Certificate2Collection _anchors;

    private ClusterCertificate(X509Certificate2Collection loaded, X509Certificate2 certificate)
    {
        _loaded = loaded;
        Certificate = certificate;
        _anchors = [];
        foreach (var candidate in loaded)
        {
            if (candidate.SubjectName.RawData.AsSpan().SequenceEqual(candidate.IssuerName.RawData))
            {
                _anchors.Add(candidate);
            }
        }
    }

    /// <summary>The certificate this end presents, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>
    /// Loads a PFX (PKCS #12) file holding one certificate with its private key, and any certificates that
    /// issued it.
    /// </summary>
    /// <param name="path">The PFX file.</param>
    /// <param name="password">Its password; none when null.</param>
    /// <exception cref="ArgumentException">The file cannot be read, the password is wrong, or no certificate
    /// in it has a private key; the message says which.</exception>
    public static ClusterCertificate Load(string path, string? password)
    {
        X509Certificate2Collection loaded;
        try
        {
            loaded = X509CertificateLoader.LoadPkcs12CollectionFromFile(path, password);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new ArgumentException($"The certificate {path} cannot be read: {e.Message}", e);
        }

        foreach (var certificate in loaded)
        {
            if (certificate.HasPrivateKey)
            {
                return new ClusterCertificate(loaded, certificate);
            }
        }

        DisposeAll(loaded);
        throw new ArgumentException($"The certificate {path} holds no private key: export the certificate with its key.");
    }

    /// <summary>Whether a certificate the other end presented is trusted (see the class summary).</summary>
    /// <param name="remote">The certificate, or null when the other end presented none.</param>
    /// <returns><see langword="true"/> when it chains to a trusted root and is valid today.</returns>
    public bool Trusts(X509Certificate? remote)
    {
        if (remote is null)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck; // Cluster certificates name no revocation list.
        chain.ChainPolicy.ExtraStore.AddRange(_loaded);
        if (_anchors.Count > 0)
        {
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(_anchors);
        }

        var presented = remote as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(remote.GetRawCertData());
        try
        {
            return chain.Build(presented);
        }
        finally
        {
            if (!ReferenceEquals(presented, remote))
            {
                presented.Dispose();
            }
        }
    }

    /// <summary>A <see cref="RemoteCertificateValidationCallback"/> that applies <see cref="Trusts"/>, whatever the
    /// platform's own verdict (which rejects a self-signed certificate and an IP host name).</summary>
    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors) => Trusts(certificate);

    /// <summary>
    /// Orleans' TLS for the silo and gateway ports, alike on nodes and clients: this end presents
    /// <see cref="Certificate"/>, requires one of the other end, and accepts it only if <see cref="Trusts"/> does.
    /// </summary>
    public void Configure(TlsOptions tls)
    {
        tls.LocalCertificate = Certificate;
        tls.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        tls.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
        tls.RemoteCertificateValidation = (remote, _, _) => Trusts(remote);
    }

    /// <inheritdoc />
    public void Dispose() => DisposeAll(_loaded);

    private static void DisposeAll(X509Certificate2Collection certificates)
    {
        foreach (var certificate in certificates)
        {
            certificate.Dispose();
        }
    }
}
