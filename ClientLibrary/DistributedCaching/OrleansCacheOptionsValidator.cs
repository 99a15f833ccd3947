using System.Net;
using System.Text;
using Microsoft.Extensions.Options;
using OrleansCache.Grains.Interfaces;

namespace OrleansCache.ClientLibrary.DistributedCaching;

/// <summary>
/// Refuses <see cref="OrleansCacheOptions"/> that cannot work, naming the setting to fix and what it is now, so a
/// mistake stops the application at start rather than at its first cache call.
/// </summary>
public sealed class OrleansCacheOptionsValidator : IValidateOptions<OrleansCacheOptions>
{
    /// <summary>The longest <see cref="OrleansCacheOptions.ConnectTimeout"/> accepted: longer is taken for a mistake.</summary>
    public static readonly TimeSpan MaxConnectTimeout = TimeSpan.FromMinutes(10);

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, OrleansCacheOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Node))
        {
            failures.Add("OrleansCacheOptions.Node must name a node of the cluster: its NODE_IP, or a host name that resolves to it.");
        }
        else if (!IPAddress.TryParse(options.Node, out _) && Uri.CheckHostName(options.Node) != UriHostNameType.Dns)
        {
            failures.Add($"OrleansCacheOptions.Node must be an IP address or a host name; it is '{options.Node}'.");
        }

        CheckPort(failures, nameof(OrleansCacheOptions.GatewayPort), "GATEWAY_PORT", options.GatewayPort);
        CheckPort(failures, nameof(OrleansCacheOptions.HttpPort), "HTTP_PORT", options.HttpPort);
        if (options.GatewayPort == options.HttpPort)
        {
            failures.Add($"OrleansCacheOptions.GatewayPort and HttpPort must differ (the nodes' GATEWAY_PORT and HTTP_PORT); both are {options.GatewayPort}.");
        }

        if (string.IsNullOrWhiteSpace(options.ClusterId))
        {
            failures.Add("OrleansCacheOptions.ClusterId must be the nodes' CLUSTER_ID (default 'orleans-cache'); it is empty.");
        }

        // A prefix leaves room for at least a one-byte key.
        if (options.InstanceName is { } prefix && Encoding.UTF8.GetByteCount(prefix) >= CacheKeys.MaxKeyBytes)
        {
            failures.Add($"OrleansCacheOptions.InstanceName must be shorter than {CacheKeys.MaxKeyBytes} bytes of UTF-8, the longest key; it is {Encoding.UTF8.GetByteCount(prefix)}.");
        }

        if (options.ConnectTimeout < TimeSpan.Zero || options.ConnectTimeout > MaxConnectTimeout)
        {
            failures.Add($"OrleansCacheOptions.ConnectTimeout must be from 0 to {MaxConnectTimeout.TotalMinutes} minutes; it is {options.ConnectTimeout}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckPort(List<string> failures, string setting, string nodeVariable, int port)
    {
        if (port is < 1 or > 65535)
        {
            failures.Add($"OrleansCacheOptions.{setting} must be the nodes' {nodeVariable}, from 1 to 65535; it is {port}.");
        }
    }
}
