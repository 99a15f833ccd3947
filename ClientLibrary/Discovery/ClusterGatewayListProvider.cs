using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Orleans.Messaging;

namespace OrleansCache.ClientLibrary.Discovery;

/// <summary>
/// Finds every live gateway of the cluster from one node a client was given: asks that node's
/// <c>GET /cluster</c> for the active members, then keeps asking any of them, so the client goes on
/// working when the node it started from dies.
/// </summary>
public sealed class ClusterGatewayListProvider(IOptions<ClusterGatewayOptions> options) : IGatewayListProvider, IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(2);

    private readonly ClusterGatewayOptions _options = options.Value;
    private readonly HttpClient _http = CreateHttpClient(options.Value.Password, options.Value.Certificate);
    private IList<Uri> _known = [];
    private IPAddress? _refusedPassword;

    /// <inheritdoc />
    public TimeSpan MaxStaleness => _options.RefreshPeriod;

    /// <inheritdoc />
    public bool IsUpdatable => true;

    /// <inheritdoc />
    public Task InitializeGatewayListProvider() => Task.CompletedTask;

    /// <inheritdoc />
    public async Task<IList<Uri>> GetGateways()
    {
        // The seed first, then every gateway learned so far: any live node knows the whole cluster.
        var candidates = new List<IPAddress> { _options.Seed.Address };
        foreach (var uri in _known)
        {
            if (IPAddress.TryParse(uri.Host, out var address) && !candidates.Contains(address))
            {
                candidates.Add(address);
            }
        }

        foreach (var address in candidates)
        {
            if (await TryReadGatewaysAsync(address) is { Count: > 0 } gateways)
            {
                _known = gateways;
                return gateways;
            }
        }

        if (_known.Count == 0 && _refusedPassword is { } refusing)
        {
            // Going on to the seed's gateway would connect a client that lacks the password the nodes ask for.
            throw new UnauthorizedAccessException(_options.Password is null
                ? $"the node at {refusing} requires the cluster's password (CACHE_PASSWORD); give it with --password or CACHE_PASSWORD"
                : $"the node at {refusing} refused the password given (it is not the cluster's CACHE_PASSWORD)");
        }

        // Nobody answered over HTTP: let Orleans try what it knew (or the seed's gateway) and report that.
        return _known.Count > 0 ? _known : [_options.Seed.ToGatewayUri()];
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    private static HttpClient CreateHttpClient(string? password, ClusterCertificate? certificate)
    {
        var handler = new SocketsHttpHandler();
        if (certificate is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = certificate.Validate;
        }

        var http = new HttpClient(handler) { Timeout = RequestTimeout };
        if (password is not null)
        {
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", password);
        }

        return http;
    }

    private async Task<IList<Uri>?> TryReadGatewaysAsync(IPAddress node)
    {
        try
        {
            var host = node.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{node}]" : node.ToString();
            await using var body = await _http.GetStreamAsync(new Uri($"{(_options.Certificate is null ? "http" : "https")}://{host}:{_options.HttpPort}/cluster"));
            using var document = await JsonDocument.ParseAsync(body);
            var gateways = new List<Uri>();
            foreach (var member in document.RootElement.GetProperty("members").EnumerateArray())
            {
                if (member.GetProperty("status").GetString() == "Active"
                    && IPEndPoint.TryParse(member.GetProperty("endpoints").GetProperty("gateway").GetString() ?? string.Empty, out var gateway))
                {
                    gateways.Add(gateway.ToGatewayUri());
                }
            }

            return gateways;
        }
        catch (HttpRequestException e) when (e.StatusCode == HttpStatusCode.Unauthorized)
        {
            _refusedPassword = node;
            return null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }
}
