namespace OrleansCache.Client;

/// <summary>What the console client was asked to do.</summary>
public enum CommandVerb
{
    /// <summary><c>get &lt;key&gt;</c>: print a key's value, or <c>(nil)</c>.</summary>
    Get,

    /// <summary><c>set &lt;key&gt; &lt;value&gt;</c>: store a value.</summary>
    Set,

    /// <summary><c>del &lt;key&gt;</c>: remove a key.</summary>
    Del,

    /// <summary><c>dump &lt;nodeId&gt;</c>: print every entry one node holds.</summary>
    Dump,

    /// <summary><c>cluster</c>: print the members and their bucket counts.</summary>
    Cluster,

    /// <summary><c>stats</c>: print each node's and the cluster's keys, bytes and counters.</summary>
    Stats,

    /// <summary><c>demo</c>: write a few keys and show where each one lives.</summary>
    Demo,

    /// <summary><c>bench</c>: load the cluster with concurrent GETs and SETs and print their latencies.</summary>
    Bench,
}
