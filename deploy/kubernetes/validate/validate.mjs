// Checks Kubernetes objects against the Kubernetes OpenAPI schema, as compiled into the kubernetes-models
// package: every required field present (a container's name, a StatefulSet's selector and template, a
// Service port's port, ...), every field of its type and format (an integer replicas, a quantity memory),
// and every apiVersion/kind one Kubernetes has. It does not see unknown fields (the schema allows them);
// Tests/Deployment/KubernetesManifestTests.cs loads the same files with strict typed models for that.
//
//   node validate.mjs rendered.yaml [more.yaml ...]     exit 0 when every object is valid, 1 otherwise
import { readFile } from "node:fs/promises";
import { parseAllDocuments } from "yaml";

let failures = 0;
let checked = 0;

for (const file of process.argv.slice(2)) {
  const documents = parseAllDocuments(await readFile(file, "utf8"));
  for (const document of documents) {
    if (document.errors.length > 0) {
      fail(file, "(YAML)", document.errors.map((e) => e.message).join("; "));
      continue;
    }

    const object = document.toJS();
    if (object === null) {
      continue;
    }

    const name = `${object.kind ?? "?"}/${object.metadata?.name ?? "?"}`;
    const model = await modelOf(object);
    if (typeof model === "string") {
      fail(file, name, model);
      continue;
    }

    try {
      new model(object).validate();
      checked++;
    } catch (e) {
      fail(file, name, e.message);
    }
  }
}

if (checked === 0 && failures === 0) {
  fail("-", "-", "no Kubernetes object found");
}

console.log(`${checked} objects valid against the Kubernetes schema, ${failures} invalid`);
process.exit(failures === 0 ? 0 : 1);

// The model class of an object's apiVersion and kind, or why there is none.
async function modelOf(object) {
  if (typeof object.apiVersion !== "string" || typeof object.kind !== "string") {
    return "apiVersion and kind are required";
  }

  // "apps/v1" -> kubernetes-models/apps/v1/<Kind>; the core group's "v1" -> kubernetes-models/v1/<Kind>.
  try {
    const module = await import(`kubernetes-models/${object.apiVersion}/${object.kind}`);
    return module[object.kind] ?? `no kind ${object.kind} in ${object.apiVersion}`;
  } catch {
    return `no kind ${object.kind} in ${object.apiVersion}`;
  }
}

function fail(file, name, message) {
  failures++;
  console.error(`${file}: ${name}: ${message}`);
}
