using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Client;

/// <summary>What <c>--json</c> prints: one JSON document on one line of stdout.</summary>
internal static class JsonOutput
{
    // Keys and values stay readable in a terminal and in a script's log: "Zoë", not "Zo\u00EB". Quotes,
    // backslashes and control characters are still escaped, so the line is valid JSON.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The names of the HTTP API (<c>GET /stats</c>): camelCase properties.</summary>
    public static JsonSerializerOptions SerializerOptions { get; } = new(JsonSerializerDefaults.Web);

    /// <summary>Writes what <paramref name="write"/> writes to <paramref name="output"/>, then a line break.</summary>
    public static void Write(TextWriter output, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer);
        }

        output.WriteLine(Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    /// <summary>
    /// Writes a stored value as <c>GET /get</c> does: a value stored as JSON (through <c>POST /set</c>) as
    /// that JSON, a Redis hash as an object of its fields, any other as a string of its UTF-8 text (U+FFFD for bytes that are not UTF-8, as the
    /// text output shows them), a miss as <c>null</c>.
    /// </summary>
    public static void WriteValue(Utf8JsonWriter writer, CacheEntry? entry)
    {
        if (entry is null)
        {
            writer.WriteNullValue();
        }
        else if (entry.Format == ValueFormat.Json)
        {
            // The node stored it from a parsed JSON document: it is valid JSON.
            writer.WriteRawValue(entry.Value, skipInputValidation: true);
        }
        else if (entry.Format == ValueFormat.Hash)
        {
            // A Redis hash (HSET over RESP): an object of its fields, as GET /get shows it.
            writer.WriteStartObject();
            foreach (var (name, value) in HashValue.Decode(entry.Value))
            {
                writer.WriteString(Encoding.UTF8.GetString(name), Encoding.UTF8.GetString(value));
            }

            writer.WriteEndObject();
        }
        else
        {
            writer.WriteStringValue(Encoding.UTF8.GetString(entry.Value));
        }
    }
}
