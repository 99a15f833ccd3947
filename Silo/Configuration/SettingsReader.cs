using System.Globalization;
using System.Net;
using System.Numerics;

namespace OrleansCache.Silo.Configuration;

/// <summary>
/// Reads settings by their environment variable names, collecting every unreadable one so a node
/// that cannot start says everything that is wrong at once.
/// </summary>
internal sealed class SettingsReader(IConfiguration configuration)
{
    private readonly List<string> _errors = [];

    /// <summary>What could not be read, one message per variable.</summary>
    public IReadOnlyList<string> Errors => _errors;

    public string String(string name, string defaultValue) => Raw(name) ?? defaultValue;

    public string? OptionalString(string name) => Raw(name);

    /// <summary>Reads a secret as given: unlike other settings, its spaces are part of it.</summary>
    public string? Secret(string name) => configuration[name] is { Length: > 0 } value ? value : null;

    public int Int(string name, int defaultValue) => WholeNumber(name, defaultValue);

    public long Long(string name, long defaultValue) => WholeNumber(name, defaultValue);

    /// <summary>Reads one of <paramref name="allowed"/> (lower case, the first the default), in any case;
    /// anything else is an error.</summary>
    /// <returns>The value in lower case, or the default when unset or not allowed.</returns>
    public string Choice(string name, params string[] allowed)
    {
        string defaultValue = allowed[0];
        var raw = Raw(name);
        if (raw is null)
        {
            return defaultValue;
        }

        string value = raw.ToLowerInvariant();
        if (Array.IndexOf(allowed, value) >= 0)
        {
            return value;
        }

        string choices = string.Join(", ", allowed[..^1].Select(a => $"'{a}'")) + $" or '{allowed[^1]}'";
        _errors.Add($"{name} must be {choices}; it is '{raw}'.");
        return defaultValue;
    }

    public IPAddress? Address(string name, string? defaultValue)
    {
        var raw = Raw(name) ?? defaultValue;
        if (raw is null)
        {
            return null;
        }

        if (IPAddress.TryParse(raw, out var address))
        {
            return address;
        }

        _errors.Add($"{name} must be an IPv4 or IPv6 address; it is '{raw}'.");
        return null;
    }

    private T WholeNumber<T>(string name, T defaultValue)
        where T : IBinaryInteger<T>
    {
        var raw = Raw(name);
        if (raw is null)
        {
            return defaultValue;
        }

        if (T.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        _errors.Add($"{name} must be a whole number; it is '{raw}'.");
        return defaultValue;
    }

    // An empty variable counts as unset, as a shell's `NODE_ID=` usually means "no value".
    private string? Raw(string name) => configuration[name] is { Length: > 0 } value ? value.Trim() : null;
}
