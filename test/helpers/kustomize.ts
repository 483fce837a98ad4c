import fs from 'node:fs';
import path from 'node:path';
import { applyPatch, type Operation } from 'fast-json-patch';
import YAML from 'yaml';
import { z } from 'zod';

/** A Kubernetes object as YAML gives it. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

/**
 * The part of kustomize the kit uses, and only that: `resources` (files and other
 * kustomizations), `images` (name → newName:newTag), and `patches` that are either JSON 6902
 * operations on a target kind and name, or a `$patch: delete` of one object. A kustomization
 * with anything else fails here, so the kit cannot grow a feature this check does not follow.
 */
const kustomization = z
  .object({
    apiVersion: z.literal('kustomize.config.k8s.io/v1beta1'),
    kind: z.literal('Kustomization'),
    resources: z.array(z.string()).min(1),
    images: z.array(z.object({ name: z.string(), newName: z.string(), newTag: z.string() }).strict()).optional(),
    patches: z
      .array(
        z
          .object({ target: z.object({ kind: z.string(), name: z.string() }).strict().optional(), patch: z.string() })
          .strict(),
      )
      .optional(),
  })
  .strict();

export function readManifests(file: string): Manifest[] {
  return YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'))
    .map((doc) => doc.toJS() as Manifest | null)
    .filter((doc): doc is Manifest => doc !== null);
}

/** What `kubectl kustomize DIR` prints, for the features above. */
export function kustomize(dir: string): Manifest[] {
  const spec = kustomization.parse(YAML.parse(fs.readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8')));
  let objects = spec.resources.flatMap((resource) => {
    const target = path.join(dir, resource);
    return fs.statSync(target).isDirectory() ? kustomize(target) : readManifests(target);
  });
  for (const patch of spec.patches ?? []) {
    if (patch.target) {
      const operations = YAML.parse(patch.patch) as Operation[];
      const matches = objects.filter((o) => o.kind === patch.target?.kind && o.metadata.name === patch.target?.name);
      if (matches.length !== 1)
        throw new Error(`patch target ${patch.target.kind}/${patch.target.name} not found once`);
      objects = objects.map((o) =>
        o === matches[0] ? (applyPatch(structuredClone(o), operations, true).newDocument as Manifest) : o,
      );
    } else {
      const deletion = YAML.parse(patch.patch) as Manifest & { $patch?: string };
      if (deletion.$patch !== 'delete') throw new Error('only `$patch: delete` strategic merge patches are supported');
      const before = objects.length;
      objects = objects.filter((o) => !(o.kind === deletion.kind && o.metadata.name === deletion.metadata.name));
      if (objects.length !== before - 1)
        throw new Error(`${deletion.kind}/${deletion.metadata.name} to delete not found`);
    }
  }
  for (const image of spec.images ?? []) {
    for (const object of objects) {
      const pod = (object as { spec?: { template?: { spec?: { containers?: Array<{ image: string }> } } } }).spec
        ?.template?.spec;
      for (const container of pod?.containers ?? []) {
        if (container.image === image.name || container.image.startsWith(`${image.name}:`))
          container.image = `${image.newName}:${image.newTag}`;
      }
    }
  }
  return objects;
}
