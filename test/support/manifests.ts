/** Finding objects in synthesized manifests, for targeted assertions. */

export type Manifest = Record<string, any>;

export function find(manifests: Manifest[], kind: string, name: string): Manifest {
  const found = manifests.find((m) => m.kind === kind && m.metadata?.name === name);
  if (!found) throw new Error(`no ${kind} named ${name} among: ${manifests.map((m) => `${m.kind}/${m.metadata?.name}`).join(', ')}`);
  return found;
}

export function findAll(manifests: Manifest[], kind: string): Manifest[] {
  return manifests.filter((m) => m.kind === kind);
}

/** The named container of a workload's pod template. */
export function container(workload: Manifest, name: string): Manifest {
  const all = [...(workload.spec.template.spec.containers ?? []), ...(workload.spec.template.spec.initContainers ?? [])];
  const found = all.find((c: Manifest) => c.name === name);
  if (!found) throw new Error(`no container ${name} in ${workload.kind}/${workload.metadata.name}`);
  return found;
}

/** An env var's literal value in a container. */
export function envValue(c: Manifest, name: string): string | undefined {
  return c.env?.find((e: Manifest) => e.name === name)?.value;
}
