using System.Text.RegularExpressions;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Hosting.Kubernetes;
using OrleansCache.Silo.Configuration;
using OrleansCache.Silo.Health;
using OrleansCache.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace OrleansCache.Tests.Deployment;

/// <summary>
/// The files of <c>deploy/kubernetes</c>, held in memory so a test can break a copy, and the checks CI runs on
/// them: each file loads strictly as Kubernetes' own typed models (KubernetesClient, the models Orleans' Kubernetes
/// hosting uses: an unknown kind or field, or a value of the wrong type, is an error), each kustomization lists
/// exactly the files beside it, and the objects agree with the node and with each other where no schema can
/// say so (settings the node reads and accepts, probe routes and ports, the grace period against the node's
/// shutdown, selectors, the Secret's keys). <c>scripts/k8s-validate.sh</c> adds the schema's required fields.
/// </summary>
internal sealed class KubernetesManifests
{
    /// <summary>What the node needs after its shutdown timeout before Kubernetes' SIGKILL.</summary>
    public static readonly TimeSpan ShutdownMargin = TimeSpan.FromSeconds(10);

    /// <summary>A node's empty RSS and runtime, which <c>MAX_MEMORY_BYTES</c> must leave room for besides
    /// twice itself (docs/benchmarks.md, "Memory per key": peak RSS under 2 x budget + ~200 MB empty).</summary>
    public const long EmptyNodeBytes = 256L * 1024 * 1024;

    private const string NodeStatefulSet = "orleans-cache";
    private const string NodeContainer = "node";
    private const string SecretName = "orleans-cache";

    private readonly SortedDictionary<string, string> _files;

    private KubernetesManifests(SortedDictionary<string, string> files) => _files = files;

    /// <summary>The folder holding the manifests.</summary>
    public static string Folder { get; } = Path.Combine(RepositoryPaths.Root, "deploy", "kubernetes");

    /// <summary>Reads every kustomization folder under <see cref="Folder"/> (the validator's node_modules aside).</summary>
    public static KubernetesManifests Read()
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(Folder, "*.yaml", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(Folder, path).Replace('\\', '/');
            if (!relative.Contains("node_modules/", StringComparison.Ordinal))
            {
                files[relative] = File.ReadAllText(path);
            }
        }

        return new KubernetesManifests(files);
    }

    /// <summary>The files, by path relative to <see cref="Folder"/>.</summary>
    public IReadOnlyDictionary<string, string> Files => _files;

    /// <summary>A copy with <paramref name="original"/> replaced in <paramref name="file"/>; it must occur there
    /// exactly once, so that a break is never silently a no-op.</summary>
    public KubernetesManifests With(string file, string original, string replacement)
    {
        string text = _files[file];
        int at = text.IndexOf(original, StringComparison.Ordinal);
        if (at < 0 || text.IndexOf(original, at + 1, StringComparison.Ordinal) >= 0)
        {
            throw new ArgumentException($"'{original}' must occur exactly once in {file}.", nameof(original));
        }

        var copy = new SortedDictionary<string, string>(_files, StringComparer.Ordinal)
        {
            [file] = string.Concat(text.AsSpan(0, at), replacement, text.AsSpan(at + original.Length)),
        };
        return new KubernetesManifests(copy);
    }

    /// <summary>Every problem found; none means the manifests pass.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        var objects = new List<(string File, object Object)>();
        foreach (var (file, text) in _files)
        {
            if (Path.GetFileName(file) == "kustomization.yaml")
            {
                CheckKustomization(file, text, problems);
                continue;
            }

            try
            {
                objects.AddRange(KubernetesYaml.LoadAllFromString(text, strict: true).Select(o => (file, o)));
            }
            catch (Exception e)
            {
                problems.Add($"{file}: not valid Kubernetes: {e.Message}{(e.InnerException is { } inner ? " " + inner.Message : "")}");
            }
        }

        if (problems.Count == 0)
        {
            new ObjectChecks(objects, problems).Run();
        }

        return problems;
    }

    // Each resource must exist, and each manifest file of the folder must be listed: a file nothing applies is a
    // file nobody checked works.
    private void CheckKustomization(string file, string text, List<string> problems)
    {
        string folder = Path.GetDirectoryName(file)!.Replace('\\', '/');
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            problems.Add($"{file}: not YAML: {e.Message}");
            return;
        }

        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        var resources = root.Children.TryGetValue(new YamlScalarNode("resources"), out var node) && node is YamlSequenceNode list
            ? list.Children.Select(c => ((YamlScalarNode)c).Value!).ToList()
            : [];
        foreach (var resource in resources)
        {
            string target = Path.GetFullPath(Path.Combine(Folder, folder, resource));
            if (!File.Exists(target) && !File.Exists(Path.Combine(target, "kustomization.yaml")))
            {
                problems.Add($"{file}: resource '{resource}' does not exist.");
            }
        }

        foreach (var sibling in _files.Keys.Where(f => Path.GetDirectoryName(f)!.Replace('\\', '/') == folder && Path.GetFileName(f) != "kustomization.yaml"))
        {
            if (!resources.Contains(Path.GetFileName(sibling)))
            {
                problems.Add($"{file}: does not list {Path.GetFileName(sibling)}.");
            }
        }
    }

    private sealed class ObjectChecks(List<(string File, object Object)> objects, List<string> problems)
    {
        private IEnumerable<T> All<T>() => objects.Select(o => o.Object).OfType<T>();

        public void Run()
        {
            var nodes = All<V1StatefulSet>().SingleOrDefault(s => s.Metadata?.Name == NodeStatefulSet);
            if (nodes is null)
            {
                problems.Add($"No StatefulSet {NodeStatefulSet}.");
                return;
            }

            foreach (var set in All<V1StatefulSet>())
            {
                CheckPodTemplate(set);
            }

            var container = nodes.Spec.Template.Spec.Containers.SingleOrDefault(c => c.Name == NodeContainer);
            if (container is null)
            {
                problems.Add($"StatefulSet {NodeStatefulSet} has no container '{NodeContainer}'.");
                return;
            }

            var env = (container.Env ?? []).ToDictionary(e => e.Name, e => e);
            CheckSettingsAreKnown(env);
            CheckIdentity(nodes, env);
            CheckNodeAcceptsSettings(env);
            CheckPorts(container);
            CheckProbes(container);
            CheckGracePeriod(nodes, container);
            CheckMemory(container, env);
            CheckServices(nodes);
            CheckDisruptionBudget(nodes, env);
            CheckKubernetesAccess(nodes, env);
            CheckImage(container);
            CheckDemoDatabase();
        }

        // What the API server requires of every pod template, which the OpenAPI schema leaves optional.
        private void CheckPodTemplate(V1StatefulSet set)
        {
            var labels = set.Spec.Template.Metadata?.Labels ?? new Dictionary<string, string>();
            if (set.Spec.Selector?.MatchLabels is not { Count: > 0 } selector || !Matches(selector, labels))
            {
                problems.Add($"StatefulSet {set.Metadata.Name}: its selector does not match its pod template's labels.");
            }

            var governing = All<V1Service>().SingleOrDefault(s => s.Metadata.Name == set.Spec.ServiceName);
            if (governing is null)
            {
                problems.Add($"StatefulSet {set.Metadata.Name}: serviceName '{set.Spec.ServiceName}' is no Service of these manifests.");
            }

            foreach (var container in set.Spec.Template.Spec.Containers)
            {
                if (string.IsNullOrWhiteSpace(container.Image))
                {
                    problems.Add($"StatefulSet {set.Metadata.Name}: container '{container.Name}' has no image.");
                }

                foreach (var variable in container.Env ?? [])
                {
                    if (variable.ValueFrom?.SecretKeyRef is { } secretKey && !SecretHas(secretKey.Name, secretKey.Key))
                    {
                        problems.Add($"StatefulSet {set.Metadata.Name}: {variable.Name} reads key {secretKey.Key} of Secret {secretKey.Name}, which the Secret does not have.");
                    }
                }
            }
        }

        // Every variable the node container sets is one the node reads (Silo/Configuration/NodeSettings.cs, the one
        // table of settings) or Orleans' Kubernetes agent reads; a misspelt one would be silently ignored.
        private void CheckSettingsAreKnown(Dictionary<string, V1EnvVar> env)
        {
            var known = NodeSettingNames();
            known.Add(KubernetesHostingOptions.PodNamespaceEnvironmentVariable);
            foreach (var name in env.Keys.Where(n => !known.Contains(n)))
            {
                problems.Add($"The node container sets {name}, which neither the node nor Orleans' Kubernetes agent reads.");
            }
        }

        private void CheckIdentity(V1StatefulSet nodes, Dictionary<string, V1EnvVar> env)
        {
            ExpectField(env, "NODE_ID", "metadata.name");
            ExpectField(env, "NODE_IP", "status.podIP");
            if (Value(env, "KUBERNETES_HOSTING") == "true")
            {
                ExpectField(env, "POD_NAME", "metadata.name");
                ExpectField(env, KubernetesHostingOptions.PodNamespaceEnvironmentVariable, "metadata.namespace");
            }

            // Orleans' agent finds the cluster's pods by these labels, holding CLUSTER_ID (cluster and service id).
            string clusterId = Value(env, "CLUSTER_ID") ?? new NodeOptions().ClusterId;
            var labels = nodes.Spec.Template.Metadata.Labels ?? new Dictionary<string, string>();
            foreach (var label in new[] { KubernetesHostingOptions.ClusterIdLabel, KubernetesHostingOptions.ServiceIdLabel })
            {
                if (!labels.TryGetValue(label, out var value) || value != clusterId)
                {
                    problems.Add($"The node pods' label {label} must be CLUSTER_ID ('{clusterId}').");
                }
            }
        }

        // The settings, as one pod would see them, pass the node's own validation: it would start.
        private void CheckNodeAcceptsSettings(Dictionary<string, V1EnvVar> env)
        {
            var values = new Dictionary<string, string?> { ["KUBERNETES_SERVICE_HOST"] = "10.96.0.1" };
            foreach (var (name, variable) in env)
            {
                values[name] = variable.ValueFrom switch
                {
                    null => variable.Value,
                    { FieldRef.FieldPath: "metadata.name" } => "orleans-cache-0",
                    { FieldRef.FieldPath: "metadata.namespace" } => "orleans-cache",
                    { FieldRef.FieldPath: "status.podIP" } => "10.244.1.7",
                    { SecretKeyRef: { } key } => SecretValue(key.Name, key.Key),
                    _ => null,
                };
            }

            try
            {
                NodeSettings.Read(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
            }
            catch (OptionsValidationException e)
            {
                problems.Add($"The node would refuse to start with the manifests' settings: {string.Join(" ", e.Failures)}");
            }
        }

        // The container's ports are the node's: the manifests set none of SILO_PORT, GATEWAY_PORT, HTTP_PORT, RESP_PORT.
        private void CheckPorts(V1Container container)
        {
            var defaults = new NodeOptions();
            var expected = new Dictionary<string, int>
            {
                ["silo"] = defaults.SiloPort,
                ["gateway"] = defaults.GatewayPort,
                ["http"] = defaults.HttpPort,
                ["resp"] = defaults.RespPort,
            };
            var ports = (container.Ports ?? []).ToDictionary(p => p.Name ?? "", p => p.ContainerPort);
            foreach (var (name, port) in expected)
            {
                if (!ports.TryGetValue(name, out var given) || given != port)
                {
                    problems.Add($"The node container must expose port '{name}' as {port}, the node's.");
                }
            }
        }

        // Probes go to routes the node maps, on its HTTP port.
        private void CheckProbes(V1Container container)
        {
            var routes = HealthRoutes();
            Probe("readinessProbe", container.ReadinessProbe, "/health/ready");
            Probe("livenessProbe", container.LivenessProbe, "/health/live");
            Probe("startupProbe", container.StartupProbe, "/health/live");

            void Probe(string kind, V1Probe? probe, string path)
            {
                if (probe?.HttpGet is not { } get)
                {
                    problems.Add($"The node container has no HTTP {kind}.");
                    return;
                }

                if (get.Path != path || !routes.Contains(get.Path))
                {
                    problems.Add($"The {kind} asks {get.Path}; it must be {path} (the node maps {string.Join(", ", routes)}).");
                }

                if (PortNumber(container, get.Port) != new NodeOptions().HttpPort)
                {
                    problems.Add($"The {kind} must ask the HTTP port ({new NodeOptions().HttpPort}); it asks {get.Port}.");
                }
            }
        }

        // Room for the preStop hook and the node's whole shutdown (its hand-off is bounded inside the host's
        // shutdown timeout) before Kubernetes' SIGKILL.
        private void CheckGracePeriod(V1StatefulSet nodes, V1Container container)
        {
            long preStop = container.Lifecycle?.PreStop?.Exec?.Command is ["sleep", var seconds] ? long.Parse(seconds) : 0;
            var needed = TimeSpan.FromSeconds(preStop) + new HostOptions().ShutdownTimeout + ShutdownMargin;
            long grace = nodes.Spec.Template.Spec.TerminationGracePeriodSeconds ?? 30;
            if (grace < needed.TotalSeconds)
            {
                problems.Add($"terminationGracePeriodSeconds is {grace}; the preStop sleep ({preStop} s), the node's shutdown timeout "
                    + $"({new HostOptions().ShutdownTimeout.TotalSeconds} s) and {ShutdownMargin.TotalSeconds} s of margin need {needed.TotalSeconds}.");
            }
        }

        private void CheckMemory(V1Container container, Dictionary<string, V1EnvVar> env)
        {
            if (container.Resources?.Limits?.TryGetValue("memory", out var limit) != true || limit is null)
            {
                problems.Add("The node container needs a memory limit.");
                return;
            }

            long limitBytes = limit.ToInt64();
            if (container.Resources.Requests?.TryGetValue("memory", out var request) != true || request?.ToInt64() != limitBytes)
            {
                problems.Add("The node container's memory request must equal its limit.");
            }

            if (!long.TryParse(Value(env, "MAX_MEMORY_BYTES"), out var budget) || budget > (limitBytes - EmptyNodeBytes) / 2)
            {
                problems.Add($"MAX_MEMORY_BYTES must be set, at most (memory limit - {EmptyNodeBytes}) / 2 = {(limitBytes - EmptyNodeBytes) / 2}.");
            }
        }

        // Every Service that selects the nodes selects exactly their pods and forwards to ports they have.
        private void CheckServices(V1StatefulSet nodes)
        {
            var container = nodes.Spec.Template.Spec.Containers.Single(c => c.Name == NodeContainer);
            var labels = nodes.Spec.Template.Metadata.Labels;
            // Those meant for the nodes: selecting by the nodes' label keys, with at least one of their values.
            var services = All<V1Service>()
                .Where(s => s.Spec.Selector is { } selector && selector.Keys.All(labels.ContainsKey) && selector.Any(l => labels[l.Key] == l.Value))
                .ToList();
            foreach (var service in services)
            {
                if (!Matches(service.Spec.Selector, labels))
                {
                    problems.Add($"Service {service.Metadata.Name}: its selector does not match the node pods.");
                }

                foreach (var port in service.Spec.Ports)
                {
                    int? target = PortNumber(container, port.TargetPort ?? (IntOrString)port.Port);
                    if (target is null || target != port.Port)
                    {
                        problems.Add($"Service {service.Metadata.Name}: port {port.Name} ({port.Port}) must forward to the node's own port {port.Port}.");
                    }
                }
            }

            var headless = All<V1Service>().SingleOrDefault(s => s.Metadata.Name == nodes.Spec.ServiceName);
            if (headless is not null && headless.Spec.ClusterIP != "None")
            {
                problems.Add($"Service {headless.Metadata.Name}, the StatefulSet's, must be headless (clusterIP: None).");
            }

            string[] clientPorts = ["http", "resp", "gateway"];
            if (!services.Any(s => s.Spec.ClusterIP != "None" && clientPorts.All(p => s.Spec.Ports.Any(sp => sp.Name == p))))
            {
                problems.Add("No client Service offers the node's http, resp and gateway ports.");
            }
        }

        // One voluntary disruption at a time leaves a copy of every bucket only if there are two.
        private void CheckDisruptionBudget(V1StatefulSet nodes, Dictionary<string, V1EnvVar> env)
        {
            var budget = All<V1PodDisruptionBudget>().SingleOrDefault();
            if (budget is null)
            {
                problems.Add("No PodDisruptionBudget.");
                return;
            }

            if (budget.Spec.MaxUnavailable?.Value != "1")
            {
                problems.Add($"PodDisruptionBudget {budget.Metadata.Name}: maxUnavailable must be 1.");
            }

            if (budget.Spec.Selector?.MatchLabels is not { Count: > 0 } selector || !Matches(selector, nodes.Spec.Template.Metadata.Labels)
                || !selector.SequenceEqual(nodes.Spec.Selector.MatchLabels))
            {
                problems.Add($"PodDisruptionBudget {budget.Metadata.Name}: its selector must be the StatefulSet's.");
            }

            if (!int.TryParse(Value(env, "REPLICATION_FACTOR") ?? "2", out var copies) || copies < 2)
            {
                problems.Add("REPLICATION_FACTOR must be at least 2 for one disruption at a time to keep a copy of every bucket.");
            }
        }

        // Orleans' agent reads, labels, lists and watches pods: its service account must be allowed to.
        private void CheckKubernetesAccess(V1StatefulSet nodes, Dictionary<string, V1EnvVar> env)
        {
            if (Value(env, "KUBERNETES_HOSTING") != "true")
            {
                return;
            }

            string? account = nodes.Spec.Template.Spec.ServiceAccountName;
            if (account is null || !All<V1ServiceAccount>().Any(a => a.Metadata.Name == account))
            {
                problems.Add("KUBERNETES_HOSTING=true: the node pods need a ServiceAccount of these manifests.");
                return;
            }

            var granted = All<V1RoleBinding>()
                .Where(b => b.Subjects?.Any(s => s.Kind == "ServiceAccount" && s.Name == account) == true && b.RoleRef.Kind == "Role")
                .SelectMany(b => All<V1Role>().Where(r => r.Metadata.Name == b.RoleRef.Name))
                .SelectMany(r => r.Rules)
                .Where(rule => rule.ApiGroups?.Contains("") == true && rule.Resources?.Contains("pods") == true)
                .SelectMany(rule => rule.Verbs)
                .ToHashSet();
            string[] needed = ["get", "list", "watch", "patch"];
            if (!needed.All(granted.Contains))
            {
                problems.Add($"KUBERNETES_HOSTING=true: ServiceAccount {account} must be granted {string.Join(", ", needed)} on pods; it has {string.Join(", ", granted)}.");
            }
        }

        // The image compose.yaml builds and runs.
        private void CheckImage(V1Container container)
        {
            string compose = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "compose.yaml"));
            string? composeImage = Regex.Match(compose, @"^\s*image:\s*(\S+)\s*$", RegexOptions.Multiline) is { Success: true } m ? m.Groups[1].Value : null;
            if (container.Image != composeImage)
            {
                problems.Add($"The node image is '{container.Image}'; compose.yaml builds '{composeImage}'.");
            }
        }

        // The demo's connection string reaches the demo's PostgreSQL with its login.
        private void CheckDemoDatabase()
        {
            var postgres = All<V1StatefulSet>().SingleOrDefault(s => s.Metadata.Name != NodeStatefulSet);
            if (postgres is null)
            {
                return;
            }

            var env = postgres.Spec.Template.Spec.Containers[0].Env.ToDictionary(e => e.Name, e => e);
            string? password = env.TryGetValue("POSTGRES_PASSWORD", out var p) && p.ValueFrom?.SecretKeyRef is { } key ? SecretValue(key.Name, key.Key) : null;
            var connection = new NpgsqlConnectionStringBuilder(SecretValue(SecretName, "ADONET_CONNECTION_STRING"));
            var service = All<V1Service>().SingleOrDefault(s => s.Spec.Selector is { } selector && Matches(selector, postgres.Spec.Template.Metadata.Labels));
            if (connection.Host != service?.Metadata.Name || connection.Port != service?.Spec.Ports[0].Port
                || connection.Username != Value(env, "POSTGRES_USER") || connection.Database != Value(env, "POSTGRES_DB")
                || connection.Password != password)
            {
                problems.Add("The demo's ADONET_CONNECTION_STRING must name the demo PostgreSQL's Service, port, user, database and password.");
            }
        }

        private bool SecretHas(string name, string key) => SecretValue(name, key) is not null;

        private string? SecretValue(string name, string key)
        {
            var secret = All<V1Secret>().SingleOrDefault(s => s.Metadata.Name == name);
            return secret?.StringData is { } data && data.TryGetValue(key, out var value) ? value : null;
        }

        private void ExpectField(Dictionary<string, V1EnvVar> env, string name, string fieldPath)
        {
            if (!env.TryGetValue(name, out var variable) || variable.ValueFrom?.FieldRef?.FieldPath != fieldPath)
            {
                problems.Add($"{name} must come from the pod's {fieldPath}.");
            }
        }

        private static string? Value(Dictionary<string, V1EnvVar> env, string name) =>
            env.TryGetValue(name, out var variable) ? variable.Value : null;

        private static int? PortNumber(V1Container container, IntOrString port) =>
            int.TryParse(port.Value, out var number)
                ? number
                : container.Ports?.SingleOrDefault(p => p.Name == port.Value)?.ContainerPort;

        private static bool Matches(IDictionary<string, string> selector, IDictionary<string, string> labels) =>
            selector.All(s => labels.TryGetValue(s.Key, out var value) && value == s.Value);
    }

    private static HashSet<string> NodeSettingNames()
    {
        string source = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "Silo", "Configuration", "NodeSettings.cs"));
        return Regex.Matches(source, @"read\.\w+\(""([A-Z0-9_]+)""").Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
    }

    // The routes the node maps for health, read from the node's own mapping.
    private static HashSet<string> HealthRoutes()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddNodeHealthChecks();
        using var app = builder.Build();
        app.MapNodeHealth();
        return ((IEndpointRouteBuilder)app).DataSources
            .SelectMany(d => d.Endpoints)
            .OfType<RouteEndpoint>()
            .Select(e => e.RoutePattern.RawText ?? "")
            .ToHashSet(StringComparer.Ordinal);
    }
}
