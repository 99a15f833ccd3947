using System.Text;
using System.Text.Json;
using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Silo.Http;

/// <summary>
/// How stored values appear in the JSON routes (<c>/get</c>, <c>/dump-content</c>): a value stored as a
/// string comes back as that string, any other JSON value comes back as it was sent, and bytes that
/// are not UTF-8 (possible only through <c>PUT /cache</c>) come back as base64.
/// </summary>
internal static class ValueJson
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Writes <paramref name="entry"/>'s value; returns <see langword="false"/> when it was written as base64.</summary>
    public static bool WriteValue(Utf8JsonWriter writer, CacheEntry entry)
    {
        if (entry.Format == ValueFormat.Json)
        {
            writer.WriteRawValue(entry.Value, skipInputValidation: true);
            return true;
        }

        if (IsUtf8(entry.Value))
        {
            writer.WriteStringValue(Encoding.UTF8.GetString(entry.Value));
            return true;
        }

        writer.WriteBase64StringValue(entry.Value);
        return false;
    }

    /// <summary>Turns the <c>value</c> of a <c>POST /set</c> body into what is stored.</summary>
    public static CacheValue ToCacheValue(JsonElement value) =>
        value.ValueKind == JsonValueKind.String
            ? new CacheValue(Encoding.UTF8.GetBytes(value.GetString()!), ValueFormat.Raw)
            : new CacheValue(Encoding.UTF8.GetBytes(value.GetRawText()), ValueFormat.Json);

    private static bool IsUtf8(byte[] bytes)
    {
        try
        {
            StrictUtf8.GetCharCount(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }
}
