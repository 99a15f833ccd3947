using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Tests.Unit;

/// <summary>The stored form of a Redis hash: what one copy writes, every other copy must read back the same.</summary>
public sealed class HashValueTests
{
    [Fact]
    public void Decode_ReturnsEveryFieldInOrder_ForAnyBytesAndLengths()
    {
        var fields = HashValue.Empty();
        fields.Add([], []);
        fields.Add([0, 0xFF, (byte)'\n'], [1, 2, 3]);
        fields.Add(new byte[127], new byte[128]);
        fields.Add(new byte[16_384], new byte[300_000]);
        fields.Add("name"u8.ToArray(), "Zoë"u8.ToArray());

        var encoded = HashValue.Encode(fields);
        var decoded = HashValue.Decode(encoded);

        Assert.Equal(HashValue.EncodedLength(fields), encoded.Length);
        Assert.Equal(fields.Keys, decoded.Keys);
        Assert.Equal(fields.Values, decoded.Values);
    }

    [Fact]
    public void Encode_OfNoFields_IsEmpty()
    {
        Assert.Empty(HashValue.Encode(HashValue.Empty()));
        Assert.Empty(HashValue.Decode([]));
    }

    [Fact]
    public void Fields_AreComparedByTheirBytes()
    {
        var fields = HashValue.Empty();
        fields.Add("a"u8.ToArray(), "1"u8.ToArray());

        Assert.True(fields.ContainsKey("a"u8.ToArray()));
        Assert.False(fields.TryAdd("a"u8.ToArray(), "2"u8.ToArray()));
        Assert.False(fields.ContainsKey("A"u8.ToArray()));
    }

    [Theory]
    [InlineData(new byte[] { 5, (byte)'a' })]
    [InlineData(new byte[] { 0x80 })]
    [InlineData(new byte[] { 1, (byte)'a' })]
    [InlineData(new byte[] { 1, (byte)'a', 0, 1, (byte)'a', 0 })]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 })]
    public void Decode_OfBytesNoHashWasEncodedAs_Throws(byte[] bytes)
    {
        Assert.Throws<InvalidDataException>(() => HashValue.Decode(bytes));
    }
}
