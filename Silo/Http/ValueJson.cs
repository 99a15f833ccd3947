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
    /// <remarks>A Redis hash is written as an object of its fields (each name and value as text, or base64 when
    /// it is not UTF-8), which counts as text.</remarks>
    public static bool WriteValue(Utf8JsonWriter writer, CacheEntry entry)
    {
        switch (entry.Format)
        {
            case ValueFormat.Json:
                writer.WriteRawValue(entry.Value, skipInputValidation: true);
                return true;
            case ValueFormat.Hash:
                writer.WriteStartObject();
                foreach (var (name, value) in HashValue.Decode(entry.Value))
                {
                    writer.WritePropertyName(IsUtf8(name) ? Encoding.UTF8.GetString(name) : Convert.ToBase64String(name));
                    WriteText(writer, value);
                }

                writer.WriteEndObject();
                return true;
            default:
                return WriteText(writer, entry.Value);
        }
    }

    // Bytes as a JSON string when they are UTF-8; otherwise as base64, returning false.
    private static bool WriteText(Utf8JsonWriter writer, byte[] bytes)
    {
        if (IsUtf8(bytes))
        {
            writer.WriteStringValue(Encoding.UTF8.GetString(bytes));
            return true;
        }

        writer.WriteBase64StringValue(bytes);
        return false;
    }

    /// <summary>Turns the <c>value</c> of a <c>POST /set</c> body into what is stored.</summary>
    public static CacheValue ToCacheValue(JsonElement value) =>
        value.ValueKind == JsonValueKind.String
            ? new CacheValue(Encoding.UTF8.GetBytes(value.GetString()!), ValueFormat.Raw)
            : new CacheValue(Encoding.UTF8.GetBytes(value.GetRawText()), ValueFormat.Json);

    /// <summary>What a key or value that <see cref="TryRead"/> refused was.</summary>
    public const string InvalidUnicode =
        "The key or value is not valid Unicode text: it holds bytes that are not UTF-8, or a \\u escape of a lone surrogate.";

    /// <summary>Reads a key given as a JSON string and the value to store under it; <see langword="false"/> when
    /// either holds text that is not valid Unicode.</summary>
    public static bool TryRead(JsonElement keyElement, JsonElement valueElement, out string key, out CacheValue value)
    {
        value = null!;
        return TryGetString(keyElement, out key) && TryToCacheValue(valueElement, out value);
    }

    /// <summary>Reads a JSON string; <see langword="false"/> when it is not valid Unicode.</summary>
    public static bool TryGetString(JsonElement element, out string text) => TryUnicode(() => element.GetString()!, out text);

    /// <summary>Reads an object's property name; <see langword="false"/> when it is not valid Unicode.</summary>
    public static bool TryGetName(JsonProperty property, out string name) => TryUnicode(() => property.Name, out name);

    /// <summary>As <see cref="ToCacheValue"/>; <see langword="false"/> when the value holds text that is not valid Unicode.</summary>
    public static bool TryToCacheValue(JsonElement element, out CacheValue value) => TryUnicode(() => ToCacheValue(element), out value);

    // JsonDocument.Parse checks neither the UTF-8 inside strings nor what a \u escape stands for; reading
    // the text does, and throws for bytes like 0xFF or a lone surrogate such as \uD800.
    private static bool TryUnicode<T>(Func<T> read, out T result)
    {
        try
        {
            result = read();
            return true;
        }
        catch (InvalidOperationException)
        {
            result = default!;
            return false;
        }
    }

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
