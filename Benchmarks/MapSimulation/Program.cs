// Simulates the real BucketMap over cluster shapes no test machine runs: 3 to 200 nodes, 1024 to 16384
// buckets, RF 1 to 3. Prints a Markdown table and draws docs/scale-simulation.svg. See docs/scale.md.
//
//   dotnet run -c Release --project Benchmarks/MapSimulation [-- --quick] [--out FILE] [--svg FILE] [--rf N]
using System.Diagnostics;
using System.Globalization;
using OrleansCache.Benchmarks.MapSimulation;

int[] nodeCounts = [3, 5, 10, 20, 50, 100, 200];
int[] bucketCounts = [1024, 4096, 16384];
int[] factors = [1, 2, 3];
string? outFile = null;
string? svgFile = "docs/scale-simulation.svg";
int plotFactor = 2;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--quick":
            // A smoke run of seconds: the shapes where the map is cheapest and the one where it is not.
            nodeCounts = [3, 10, 50];
            bucketCounts = [1024];
            factors = [2];
            svgFile = null; // never overwrite the full run's plot with a partial one
            break;
        case "--out" when i + 1 < args.Length:
            outFile = args[++i];
            break;
        case "--svg" when i + 1 < args.Length:
            svgFile = args[++i];
            break;
        case "--no-svg":
            svgFile = null;
            break;
        case "--rf" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out int rf):
            plotFactor = rf;
            i++;
            break;
        default:
            Console.Error.WriteLine($"unknown argument {args[i]}");
            Console.Error.WriteLine("usage: MapSimulation [--quick] [--out FILE] [--svg FILE | --no-svg] [--rf N (plotted, default 2)]");
            return 2;
    }
}

var run = Stopwatch.StartNew();
MapMeasurements.WarmUp();
var results = new List<CellResult>();
foreach (int buckets in bucketCounts)
{
    foreach (int replicationFactor in factors)
    {
        foreach (int nodes in nodeCounts)
        {
            var cell = Stopwatch.StartNew();
            results.Add(MapMeasurements.Measure(nodes, buckets, replicationFactor, NodeNaming.All));
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"nodes {nodes,3}  buckets {buckets,5}  RF {replicationFactor}: {cell.Elapsed.TotalSeconds:F1} s"));
        }
    }
}

var ordered = results.OrderBy(r => r.Nodes).ThenBy(r => r.Buckets).ThenBy(r => r.ReplicationFactor).ToList();
string table = ResultTable.Format(ordered);
Console.Write(table);
Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{results.Count} cells in {run.Elapsed.TotalSeconds:F0} s"));
if (outFile is not null)
{
    File.WriteAllText(outFile, table);
}

if (svgFile is not null && factors.Contains(plotFactor))
{
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(svgFile))!);
    string caption = $"BucketMap.Build at RF {plotFactor}, worst of {NodeNaming.All.Count} naming schemes ({DateTime.UtcNow:yyyy-MM-dd})";
    File.WriteAllText(svgFile, ResultPlot.Draw(ordered, plotFactor, caption));
    Console.Error.WriteLine($"plot: {svgFile}");
}

return 0;
